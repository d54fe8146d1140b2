# Issue 9 class 1: links that only exist through locals, variables and module
# outputs. trailgate's own HCL, planned with terraform 1.11.4 against moto by
# test/gate/plan-fixtures/generate.sh.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "name" {
  type    = string
  default = "tg-class1"
}

locals {
  region        = "eu-west-2"
  trail_bucket  = module.store.bucket_id
  key_arn       = aws_kms_key.trail.arn
  topic_arns    = [aws_sns_topic.alerts.arn]
  alarm_actions = distinct(compact(concat(local.topic_arns, [])))
  monitors = {
    root-use = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }"
    trail-changes = "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"
  }
}

provider "aws" {
  region = local.region
}

module "store" {
  source      = "./store"
  bucket_name = "${var.name}-logs"
  key_arn     = local.key_arn
}

resource "aws_kms_key" "trail" {
  description         = "${var.name} trail logs"
  enable_key_rotation = true
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "/${var.name}/trail"
  retention_in_days = 365
  kms_key_id        = local.key_arn
}

resource "aws_iam_role" "trail_logs" {
  name = "${var.name}-trail-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "cloudtrail.amazonaws.com" }
    }]
  })
}

resource "aws_cloudtrail" "trail" {
  name                          = var.name
  s3_bucket_name                = local.trail_bucket
  kms_key_id                    = local.key_arn
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn     = aws_iam_role.trail_logs.arn
}

resource "aws_sns_topic" "alerts" {
  name              = "${var.name}-alerts"
  kms_master_key_id = local.key_arn
}

resource "aws_cloudwatch_log_metric_filter" "monitor" {
  for_each       = local.monitors
  name           = each.key
  pattern        = each.value
  log_group_name = aws_cloudwatch_log_group.trail.name
  metric_transformation {
    name      = each.key
    namespace = "CISBenchmark"
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "monitor" {
  for_each            = local.monitors
  alarm_name          = "${var.name}-${each.key}"
  metric_name         = aws_cloudwatch_log_metric_filter.monitor[each.key].metric_transformation[0].name
  namespace           = "CISBenchmark"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  period              = 300
  statistic           = "Sum"
  threshold           = 1
  alarm_actions       = local.alarm_actions
}
