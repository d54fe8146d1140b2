# count / for_each instances: which instance a reference means. Our own HCL;
# planned against moto by generate.js.
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

resource "aws_s3_bucket" "b" {
  count  = 2
  bucket = "tg-instances-${count.index}"
}

# x[count.index]: Terraform lists `aws_s3_bucket.b` and `count.index`; each
# versioning resource belongs to the bucket with its own index only.
resource "aws_s3_bucket_versioning" "v" {
  count  = 2
  bucket = aws_s3_bucket.b[count.index].id
  versioning_configuration {
    status = "Enabled"
  }
}

# S3 server access logs may be delivered into b[1].
resource "aws_s3_bucket_policy" "log_target" {
  bucket = aws_s3_bucket.b[1].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "S3ServerAccessLogs"
      Effect    = "Allow"
      Principal = { Service = "logging.s3.amazonaws.com" }
      Action    = "s3:PutObject"
      Resource  = "${aws_s3_bucket.b[1].arn}/*"
    }]
  })
}

# A for_each module: every instance's variable comes from the same call argument.
module "logs" {
  for_each   = toset(["app", "web"])
  source     = "./logs"
  name       = each.key
  target     = aws_s3_bucket.b[1].id
  depends_on = [aws_s3_bucket_policy.log_target]
}

# A counted module whose output is read for one instance.
module "store" {
  count  = 2
  source = "./store"
  name   = "tg-instances-store-${count.index}"
}

resource "aws_s3_bucket_public_access_block" "store" {
  bucket                  = module.store[1].bucket_id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
