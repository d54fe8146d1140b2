# Regression for the corpus (issue 9 item 4): a bucket policy assembled across a
# module boundary, the way public CloudTrail bucket modules often do it. The
# caller joins a counted data source's json (`join("", data.x.*.json)`) into the
# module's `policy` variable; the module merges it, through a local and
# `source_policy_documents`, with its own TLS-only deny naming the bucket's ARN.
# Our own HCL; planned against moto by generate.js.
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

locals {
  enabled     = true
  bucket_name = "tg-chain-trail-logs"
}

data "aws_iam_policy_document" "trail_delivery" {
  count = local.enabled ? 1 : 0
  statement {
    sid       = "TrailAclCheck"
    actions   = ["s3:GetBucketAcl"]
    resources = ["arn:aws:s3:::${local.bucket_name}"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }
  statement {
    sid       = "TrailWrite"
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::${local.bucket_name}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }
  }
}

module "log_storage" {
  source      = "./log_storage"
  bucket_name = local.bucket_name
  policy      = join("", data.aws_iam_policy_document.trail_delivery.*.json)
}
