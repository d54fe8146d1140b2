// A platform team's existing cdktf app (test/package.test.ts installs trailgate into
// it as @bank/trailgate): its own stack, backend, providers and resources, with the
// audit-logging estate composed in and gated at synth.
import { App, S3Backend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { Trailgate, TrailgateConfig } from "@bank/trailgate";
import { addPolicyGate } from "@bank/trailgate/gate";

const app = new App();
const stack = new TerraformStack(app, "platform");
new S3Backend(stack, { bucket: "platform-terraform-state", key: "platform.tfstate", region: "eu-west-2" });
const management = new AwsProvider(stack, "aws", { region: "eu-west-2", allowedAccountIds: ["111111111111"] });
const logArchive = new AwsProvider(stack, "log_archive", {
  alias: "log_archive",
  region: "eu-west-2",
  allowedAccountIds: ["222222222222"],
  assumeRole: [{ roleArn: "arn:aws:iam::222222222222:role/PlatformDeployer" }],
});
// The team's own resources, including one trailgate has no business judging.
const us = new AwsProvider(stack, "us", { alias: "us", region: "us-east-1" });
new SnsTopic(stack, "app_events", { name: "app-events", provider: us });

const config: TrailgateConfig = {
  organizationId: "o-exampleorg1",
  managementAccountId: "111111111111",
  logArchiveAccountId: "222222222222",
  namePrefix: "bank",
  // Every tier needs a subscriber, or its monitors page nobody (TG-ALR-008).
  alertEmails: { critical: ["security-oncall@example.co.uk"], warning: ["security-team@example.co.uk"], info: ["platform-team@example.co.uk"] },
};
const audit = new Trailgate(stack, "audit", { config, providers: { management, logArchive } });
if (process.env.PLATFORM_SHORT_LOG_RETENTION) audit.monitoring.logGroup.addOverride("retention_in_days", 30);

// Judges the trailgate constructs (the default scope), not the app's own topic.
addPolicyGate(stack);
app.synth();
