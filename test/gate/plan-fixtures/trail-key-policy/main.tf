# Regression for the corpus (issue 9 item 4, class 3): a trail key whose policy
# limits CloudTrail's use of the key to this account's trails in any region, with
# the ARN pattern arn:aws:cloudtrail:*:ACCOUNT:trail/* in the encryption-context
# condition, as AWS's documented CloudTrail key policy does (trussworks and
# nozaq/secure-baseline use it). "*" there is a pattern, not a region. Our own
# HCL; planned against moto by generate.js.
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

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "trail_key" {
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "TrailEncrypts"
    actions   = ["kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = ["arn:aws:cloudtrail:*:${data.aws_caller_identity.current.account_id}:trail/*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_kms_key" "trail" {
  description         = "trail logs"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.trail_key.json
}
