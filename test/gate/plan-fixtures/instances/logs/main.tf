variable "name" {
  type = string
}

variable "target" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = "tg-instances-${var.name}"
}

resource "aws_s3_bucket_logging" "this" {
  bucket        = aws_s3_bucket.this.id
  target_bucket = var.target
  target_prefix = "${var.name}/"
}
