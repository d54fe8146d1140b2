/**
 * The example app: `cdktf synth` builds the UK organisation-trail estate from the
 * typed config in example-config.ts (replace the example ids there), and the policy
 * gate runs as a stack validation, so a violation stops synth and deploy before apply.
 * TRAILGATE_WAIVERS may name a waiver file (see README, "Waivers").
 */
import { App, LocalBackend } from "cdktf";
import { TrailgateStack } from "./modules/trailgate-stack";
import { addPolicyGate } from "./gate/validation";
import { exampleConfig } from "./example-config";

const app = new App();
const stack = new TrailgateStack(app, "trailgate-uk", exampleConfig);
// State next to the stack's own directory; a team with a remote backend adds theirs
// here instead (e.g. new S3Backend(stack, {...})): TrailgateStack sets none.
new LocalBackend(stack, { path: "terraform.tfstate" });
addPolicyGate(stack, { waiversFile: process.env.TRAILGATE_WAIVERS || undefined });
app.synth();
