# Corpus regression (trussworks-trail, nozaq-trail): the links between sibling
# modules exist only through module outputs. The trail (module "trail") writes to a
# bucket another module creates, and the metric filters (module "alarms") sit on the
# trail's log group, named by the trail module's output; the bucket policy is built
# by data.aws_iam_policy_document. trailgate's own HCL, planned with terraform
# 1.11.4 against moto by test/gate/plan-fixtures/generate.js. A plan follows every
# link; a folder check cannot follow module outputs and must say so (TG-VER-002)
# rather than report the TLS deny or the monitor missing.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region = "eu-west-2"
}

module "archive" {
  source = "./archive"
  name   = "tg-xmod-logs"
}

module "trail" {
  source = "./trail"
  bucket = module.archive.bucket_id
}

module "alarms" {
  source    = "./alarms"
  log_group = module.trail.log_group_name
}
