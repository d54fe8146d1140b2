/**
 * HCL operators and conditionals over known values (terraform/operators.ts),
 * as Terraform evaluates them; anything outside the subset, not known, or an error
 * in Terraform is unknown (undefined), never a guess.
 */
import { chosenUnknown, evaluateOperators, Resolve } from "../../terraform/operators";
import { JsonValue } from "../../terraform/types";

const known: Record<string, JsonValue> = {
  "var.create": false,
  "var.days": 30,
  "var.text_days": "400",
  "var.name": "prod",
  "var.nothing": null,
  "local.settings.retention[1]": 365,
  'local.settings["mode"]': "COMPLIANCE",
  "var.flag": "true",
  "var.list": [1, 2],
  "var.empty": [],
};
const resolve: Resolve = (kind, name, rest) => known[`${kind}.${name}${rest}`];
const evaluate = (text: string) => evaluateOperators(text, resolve);

test.each<[string, JsonValue]>([
  ["var.create ? 1 : 0", 0],
  ["!var.create ? 1 : 0", 1],
  ["var.nothing == null ? 0 : 1", 0],
  ["var.nothing != null", false],
  ['var.name == "prod" ? 365 : 30', 365],
  ["var.days * 2 + 1", 61],
  ["1 + 2 * 3", 7],
  ["(1 + 2) * 3", 9],
  ["10 - 4 - 3", 3],
  ["var.days >= 30 && var.days < 365", true],
  ["var.create || var.days > 1", true],
  ["var.text_days > 365", true],
  ["var.text_days + 1", 401],
  ["-var.days", -30],
  ["local.settings.retention[1]", 365],
  ['local.settings["mode"] == "COMPLIANCE" ? 1 : 0', 1],
  ["var.flag ? 7 : 1", 7],
  ["var.create ? var.days : null", null],
  ["true ? false ? 1 : 2 : 3", 2],
  ['1 == "1"', false],
  ["7 % 4", 3],
  ['"${var.name}-trail" == "prod-trail"', true],
  ['"arn:aws:s3:::${var.name}/*"', "arn:aws:s3:::prod/*"],
  ["{ a = 1, \"b\" : [var.days, true] }", { a: 1, b: [30, true] }],
  // Inside jsonencode, a value only known after apply is its own "${…}" text, as synthesized JSON has it.
  ['jsonencode({ Resource = ["${aws_s3_bucket.b.arn}/*", aws_s3_bucket.b.arn], Days = var.days })', '{"Resource":["${aws_s3_bucket.b.arn}/*","${aws_s3_bucket.b.arn}"],"Days":30}'],
  ['jsonencode({ Account = var.unset, Mode = local.settings["mode"] })', '{"Account":"${var.unset}","Mode":"COMPLIANCE"}'],
  // The collection functions modules use on count and for_each.
  ["toset([])", []],
  ["toset(var.empty)", []],
  ['toset(["b", "a", "b"])', ["a", "b"]],
  ["toset([3, 1, 3])", [1, 3]],
  ["tolist(var.list)", [1, 2]],
  ["tomap({})", {}],
  ['tomap({ a = "x" })', { a: "x" }],
  ["length(var.list) > 0 ? 1 : 0", 1],
  ["length(toset(var.empty))", 0],
  ['length("prod")', 4],
])("%s is %j", (text, value) => {
  expect(evaluate(text)).toEqual(value);
});

test.each([
  "var.unset ? 1 : 0", // a variable without a value
  "max(var.days, 1) > 0 ? 1 : 0", // a function the gate does not evaluate
  "toset(var.unset)", // a collection function over a value not known
  'toset([var.name, aws_s3_bucket.b.id])', // an element not known before apply
  'toset(["a", 1])', // elements of different types: Terraform converts, the gate does not guess
  "toset(var.name)", // not a collection: Terraform refuses it
  "length(var.days)",
  "aws_s3_bucket.b.id == null ? 1 : 0", // a resource attribute
  "var.days ? 1 : 0", // a number as a condition: Terraform refuses it
  "var.name + 1", // a string that is not a number
  "var.days / 0", // division by zero
  'var.create ? "a" : 1', // arms of different types: Terraform converts, the gate does not guess
  "var.list == var.list", // collections are not compared
  "var.days ?", // not an expression
  "var.days 1",
  "[for d in var.list : d]",
  "jsonencode([for d in var.list : d])", // a for expression inside jsonencode
  "jsonencode({ a = concat(var.list) })", // another function inside jsonencode
  "{ a = aws_s3_bucket.b.arn }", // an attribute outside jsonencode
  "jsonencode({ a = aws_s3_bucket.b.arn == null })", // an operator on a value not known
  '"%{ if var.create }x%{ endif }"', // a template directive
])("%s is not known", (text) => {
  expect(evaluate(text)).toBeUndefined();
});

test.each<[string, string | undefined]>([
  ["!var.create ? aws_cloudwatch_log_group.g[0].name : null", "${aws_cloudwatch_log_group.g[0].name}"],
  ["var.create ? null : aws_s3_bucket.b.arn", "${aws_s3_bucket.b.arn}"],
  ['var.name == "prod" ? "${aws_s3_bucket.b.arn}/*" : null', "${aws_s3_bucket.b.arn}/*"],
  ["var.create ? aws_s3_bucket.b.arn : null", undefined], // the known arm is chosen: known, not this
  ["aws_s3_bucket.b.arn == null ? 1 : 0", undefined], // an operator on a value not known
  ["[aws_s3_bucket.b.arn]", undefined], // inside a collection
  ["var.unset ? aws_s3_bucket.b.arn : null", undefined], // the condition is not known
])("the one unknown value %s comes to is %j", (text, reference) => {
  expect(chosenUnknown(text, resolve)).toBe(reference);
});
