/**
 * The example app: `cdktf synth` builds the UK organisation-trail estate from the
 * typed config in example-config.ts. Replace the example ids with your own there.
 */
import { App } from "cdktf";
import { TrailgateStack } from "./modules/trailgate-stack";
import { exampleConfig } from "./example-config";

const app = new App();
new TrailgateStack(app, "trailgate-uk", exampleConfig);
app.synth();
