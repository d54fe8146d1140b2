variable "log_group" {
  type = string
}

resource "aws_sns_topic" "alarms" {
  name = "tg-xmod-alarms"
}

resource "aws_cloudwatch_log_metric_filter" "root_use" {
  name           = "root-use"
  log_group_name = var.log_group
  pattern        = "{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }"
  metric_transformation {
    name      = "RootUse"
    namespace = "TgXmod"
    value     = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "root_use" {
  alarm_name          = "root-use"
  namespace           = "TgXmod"
  metric_name         = "RootUse"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}
