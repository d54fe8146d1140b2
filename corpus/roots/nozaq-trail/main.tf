# trailgate corpus root (our own HCL): nozaq/secure-baseline's submodules wired as
# its root module wires them for the audit trail (secure-bucket for the audit log
# bucket, cloudtrail-baseline, alarm-baseline), each with its defaults. The bucket
# policy here follows the one secure-baseline's root attaches: a TLS-only deny
# plus CloudTrail's ACL check and write statements.
variable "region" {
  type = string
}

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}


module "audit_log_bucket" {
  source          = "./modules/nozaq+terraform-aws-secure-baseline/modules/secure-bucket"
  bucket_name     = "tg-corpus-nozaq-audit"
  log_bucket_name = "tg-corpus-nozaq-audit-access-logs"
}

data "aws_iam_policy_document" "audit_log" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [module.audit_log_bucket.this_bucket.arn, "${module.audit_log_bucket.this_bucket.arn}/*"]
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
    sid       = "CloudTrailAclCheck"
    actions   = ["s3:GetBucketAcl"]
    resources = [module.audit_log_bucket.this_bucket.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }
  statement {
    sid       = "CloudTrailWrite"
    actions   = ["s3:PutObject"]
    resources = ["${module.audit_log_bucket.this_bucket.arn}/cloudtrail/AWSLogs/${data.aws_caller_identity.current.account_id}/*"]
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

resource "aws_s3_bucket_policy" "audit_log" {
  bucket = module.audit_log_bucket.this_bucket.id
  policy = data.aws_iam_policy_document.audit_log.json
}

module "cloudtrail_baseline" {
  source         = "./modules/nozaq+terraform-aws-secure-baseline/modules/cloudtrail-baseline"
  aws_account_id = data.aws_caller_identity.current.account_id
  region         = var.region
  s3_bucket_name = module.audit_log_bucket.this_bucket.id
  s3_key_prefix  = "cloudtrail"
}

module "alarm_baseline" {
  source                    = "./modules/nozaq+terraform-aws-secure-baseline/modules/alarm-baseline"
  cloudtrail_log_group_name = module.cloudtrail_baseline.log_group
}
