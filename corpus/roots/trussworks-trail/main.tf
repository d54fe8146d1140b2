# trailgate corpus root (our own HCL): trussworks' CloudTrail module writing to a
# bucket made by trussworks' logs module for CloudTrail only, as their READMEs
# show it, with the modules' defaults.
variable "region" {
  type = string
}

provider "aws" {
  region = var.region
}

module "aws_logs" {
  source           = "./modules/trussworks+terraform-aws-logs"
  s3_bucket_name   = "tg-corpus-trussworks-logs"
  default_allow    = false
  allow_cloudtrail = true
}

module "aws_cloudtrail" {
  source             = "./modules/trussworks+terraform-aws-cloudtrail"
  s3_bucket_name     = module.aws_logs.aws_logs_bucket
  log_retention_days = 90
}
