/**
 * The synthesis baseline: a cdktf app with one provider and one S3 bucket, imported
 * the way modules/ imports them (per-resource paths of @cdktf/provider-aws).
 * Writes to CDKTF_OUTDIR like `node dist/main.js`.
 */
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";

const app = new App();
const stack = new TerraformStack(app, "minimal");
new AwsProvider(stack, "aws", { region: "eu-west-2" });
new S3Bucket(stack, "bucket", { bucket: "trailgate-bench-minimal" });
app.synth();
