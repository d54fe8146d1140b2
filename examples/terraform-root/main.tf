# An existing Terraform root module that uses trailgate's exported module.
# `npm run synth` writes the module to build/terraform-module/trailgate-uk; its
# README.md lists every input.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.95, < 7.0"
    }
  }
}

locals {
  region                 = "eu-west-2"
  management_account_id  = "111111111111"
  log_archive_account_id = "222222222222"
}

# Management account: the organisation trail and its monitoring.
provider "aws" {
  region              = local.region
  allowed_account_ids = [local.management_account_id]
}

# Log-archive account: the bucket and key that hold the logs.
provider "aws" {
  alias               = "log_archive"
  region              = local.region
  allowed_account_ids = [local.log_archive_account_id]
  assume_role {
    role_arn     = "arn:aws:iam::${local.log_archive_account_id}:role/TrailgateLogArchiveDeployer"
    session_name = "trailgate-deploy"
  }
}

module "trailgate" {
  source = "../../build/terraform-module/trailgate-uk"
  providers = {
    aws             = aws
    aws.log_archive = aws.log_archive
  }

  organization_id        = "o-exampleorg1"
  management_account_id  = local.management_account_id
  log_archive_account_id = local.log_archive_account_id
  region                 = local.region
  name_prefix            = "acme-audit"

  object_lock_days           = 365
  object_lock_mode           = "COMPLIANCE"
  log_expiry_days            = 2557
  transition_to_glacier_days = 90
  log_group_retention_days   = 400

  critical_alert_emails = ["security-oncall@example.co.uk"]
  warning_alert_emails  = ["security-team@example.co.uk"]
  info_alert_emails     = ["platform-team@example.co.uk"]
}

output "trail_arn" {
  value = module.trailgate.trail_arn
}

output "log_bucket_name" {
  value = module.trailgate.log_bucket_name
}
