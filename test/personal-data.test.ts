/**
 * TG-UK-001 on the inputs teams gate: a module folder and a synthesized stack, with the
 * bucket marked by its trailgate:personal-data tag (the one tag the normaliser keeps)
 * or listed in policy data; fixed by recording its S3 data events.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { loadDocuments, synthDocument } from "../terraform";
import { loadPolicyBundle } from "../gate/policy";
import { JsonObject } from "../terraform/types";

const bundle = loadPolicyBundle();
const ukFindings = (input: Parameters<typeof bundle.evaluate>[0]) => bundle.evaluate(input).filter((v) => v.id === "TG-UK-001").map((v) => v.resource);

const management = `advanced_event_selector {
    name = "Management events"
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }`;
const dataEvents = `advanced_event_selector {
    name = "S3 data events"
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
    field_selector {
      field       = "resources.ARN"
      starts_with = ["arn:aws:s3:::hr-records-111111111111/"]
    }
  }`;

function folder(selectors: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trailgate-personal-data-"));
  fs.writeFileSync(
    path.join(dir, "main.tf"),
    `provider "aws" {
  region = "eu-west-2"
}
resource "aws_s3_bucket" "hr" {
  bucket = "hr-records-111111111111"
  tags   = { "trailgate:personal-data" = "true", team = "people" }
}
resource "aws_cloudtrail" "org" {
  name           = "org"
  s3_bucket_name = "org-logs"
  ${selectors}
}
`,
  );
  return dir;
}

test("a module folder: a tagged bucket without data events fails, with them passes", () => {
  const bare = folder(management);
  const recorded = folder(`${management}\n  ${dataEvents}`);
  try {
    const [document] = loadDocuments(bare);
    expect(ukFindings(document.input)).toEqual(["aws_s3_bucket.hr"]);
    // Only the personal-data marker is kept of the tags.
    expect(document.input.resources.aws_s3_bucket[0].values.tags).toEqual({ "trailgate:personal-data": "true" });
    expect(ukFindings(loadDocuments(recorded)[0].input)).toEqual([]);
  } finally {
    fs.rmSync(bare, { recursive: true, force: true });
    fs.rmSync(recorded, { recursive: true, force: true });
  }
});

test("a synthesized stack: the tag through cdktf, and a bucket tagged false is not personal data", () => {
  const stack = new TerraformStack(Testing.app(), "pd");
  new AwsProvider(stack, "aws", { region: "eu-west-2" });
  new S3Bucket(stack, "hr", { bucket: "hr-records-111111111111", tags: { "trailgate:personal-data": "true" } });
  new S3Bucket(stack, "scratch", { bucket: "scratch-111111111111", tags: { "trailgate:personal-data": "false" } });
  new Cloudtrail(stack, "org", { name: "org", s3BucketName: "org-logs" });
  const input = synthDocument("pd", JSON.parse(Testing.synth(stack)) as JsonObject).input;
  expect(ukFindings(input)).toEqual(["aws_s3_bucket.hr"]);
});
