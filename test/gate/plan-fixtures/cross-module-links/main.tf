# Corpus regression (trussworks-trail, nozaq-trail): the links between sibling
# modules exist only through module outputs. The trail (module "trail") writes to a
# bucket another module creates, the metric filters (module "alarms") sit on the
# trail's log group, named by the trail module's output, and the caller attaches the
# bucket's policy (data.aws_iam_policy_document, with the TLS deny) through the
# bucket module's outputs. trailgate's own HCL, planned with terraform 1.11.4 against
# moto by test/gate/plan-fixtures/generate.js. A plan follows every link; a folder
# follows the caller's outputs, not values passed into a module: it says so
# (TG-VER-002) rather than report the TLS deny or the monitor missing.
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

# The bucket's policy is the caller's, as secure-baseline's root attaches it.
data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [module.archive.bucket_arn, "${module.archive.bucket_arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid       = "TrailAclCheck"
    actions   = ["s3:GetBucketAcl"]
    resources = [module.archive.bucket_arn]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
  statement {
    sid       = "TrailWrite"
    actions   = ["s3:PutObject"]
    resources = ["${module.archive.bucket_arn}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = module.archive.bucket_id
  policy = data.aws_iam_policy_document.logs.json
}

module "trail" {
  source = "./trail"
  bucket = module.archive.bucket_id
}

module "alarms" {
  source    = "./alarms"
  log_group = module.trail.log_group_name
}
