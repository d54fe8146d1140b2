# trailgate corpus root (our own HCL): cloudposse's CIS alarms module on a trail's
# log group, with the metrics of its own catalog (catalog/cis_benchmark.yaml).
variable "region" {
  type = string
}

provider "aws" {
  region = var.region
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "tg-corpus-cloudtrail"
  retention_in_days = 365
}

module "alarms" {
  source         = "./modules/cloudposse+terraform-aws-cloudtrail-cloudwatch-alarms"
  namespace      = "tg"
  stage          = "corpus"
  name           = "cis"
  log_group_name = aws_cloudwatch_log_group.trail.name
  metrics        = yamldecode(file("${path.module}/modules/cloudposse+terraform-aws-cloudtrail-cloudwatch-alarms/catalog/cis_benchmark.yaml"))
}
