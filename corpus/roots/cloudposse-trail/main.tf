# trailgate corpus root (our own HCL): cloudposse's CloudTrail module writing to
# cloudposse's CloudTrail bucket module, as their READMEs show it, with the
# modules' defaults. The runner links the checkouts under ./modules/.
variable "region" {
  type = string
}

provider "aws" {
  region = var.region
}

module "cloudtrail_s3_bucket" {
  source    = "./modules/cloudposse+terraform-aws-cloudtrail-s3-bucket"
  namespace = "tg"
  stage     = "corpus"
  name      = "cloudtrail"
}

module "cloudtrail" {
  source                        = "./modules/cloudposse+terraform-aws-cloudtrail"
  namespace                     = "tg"
  stage                         = "corpus"
  name                          = "cloudtrail"
  enable_log_file_validation    = true
  include_global_service_events = true
  is_multi_region_trail         = false
  enable_logging                = true
  s3_bucket_name                = module.cloudtrail_s3_bucket.bucket_id
}
