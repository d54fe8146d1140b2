/**
 * The example app: `cdktf synth` builds the UK organisation-trail estate from the
 * typed config in example-config.ts (replace the example ids there), and the policy
 * gate runs as a stack validation, so a violation stops synth and deploy before apply.
 * TRAILGATE_WAIVERS may name a waiver file, which addPolicyGate reads (see README,
 * "Waivers"). The estate's own policy data (example-policy-data.json) adds the monitor
 * it creates beyond the CIS set, so the gate requires it too.
 */
import * as path from "path";
import { App, LocalBackend } from "cdktf";
import { TrailgateStack } from "./modules/trailgate-stack";
import { PACKAGE_ROOT } from "./core/paths";
import { addPolicyGate } from "./gate/validation";
import { exampleConfig } from "./example-config";

const app = new App();
const stack = new TrailgateStack(app, "trailgate-uk", exampleConfig);
// State next to the stack's own directory; a team with a remote backend adds theirs
// here instead (e.g. new S3Backend(stack, {...})): TrailgateStack sets none.
new LocalBackend(stack, { path: "terraform.tfstate" });
addPolicyGate(stack, { dataFile: path.join(PACKAGE_ROOT, "example-policy-data.json") });
app.synth();
