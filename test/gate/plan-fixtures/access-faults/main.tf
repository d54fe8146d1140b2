# Issue 17: policies that read well statement by statement and do the wrong thing.
# Three faults, each invisible to shape checks: the CloudTrail write grant names
# another trail (CloudTrail can deliver nothing), the TLS deny names another bucket
# (plain HTTP allowed on the log bucket), and a reader onboarded the direct way (an
# identity policy on the bucket, no deny of reads outside the access points). Our own
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
  region              = "eu-west-2"
  allowed_account_ids = ["123456789012"]
}

locals {
  trail_arn   = "arn:aws:cloudtrail:eu-west-2:123456789012:trail/org"
  logs_arn    = "arn:aws:s3:::access-faults-logs"
  other_arn   = "arn:aws:s3:::access-faults-other"
  another_arn = "arn:aws:cloudtrail:eu-west-2:123456789012:trail/another"
}

resource "aws_s3_bucket" "logs" {
  bucket = "access-faults-logs"
}

resource "aws_s3_bucket" "other" {
  bucket = "access-faults-other"
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AclCheck"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = local.logs_arn
        Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
      },
      {
        Sid       = "Write"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${local.logs_arn}/AWSLogs/123456789012/*"
        Condition = { StringEquals = { "aws:SourceArn" = local.another_arn, "s3:x-amz-acl" = "bucket-owner-full-control" } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [local.other_arn, "${local.other_arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_cloudtrail" "org" {
  name                          = "org"
  s3_bucket_name                = aws_s3_bucket.logs.id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  depends_on                    = [aws_s3_bucket_policy.logs]
}

resource "aws_iam_role" "reader" {
  name = "log-reader"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "reader" {
  role = aws_iam_role.reader.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = [local.logs_arn, "${local.logs_arn}/*"]
    }]
  })
}
