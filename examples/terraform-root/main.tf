# An existing Terraform root module that uses trailgate's exported module.
# `npm run synth` writes the module to build/terraform-module/trailgate-uk.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

# Management account: the organisation trail and its monitoring.
provider "aws" {
  region              = "eu-west-2"
  allowed_account_ids = ["111111111111"]
}

# Log-archive account: the bucket and key that hold the logs.
provider "aws" {
  alias               = "log_archive"
  region              = "eu-west-2"
  allowed_account_ids = ["222222222222"]
  assume_role {
    role_arn     = "arn:aws:iam::222222222222:role/TrailgateLogArchiveDeployer"
    session_name = "trailgate-deploy"
  }
}

module "trailgate" {
  source = "../../build/terraform-module/trailgate-uk"
  providers = {
    aws             = aws
    aws.log_archive = aws.log_archive
  }

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
