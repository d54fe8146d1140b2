import * as fs from "fs";
import type { Io } from "./io";
import { GateInputError } from "../core/errors";
import { parseCommandLine } from "./args";
import { isSeverity, SEVERITIES } from "../gate/policy";
import { parseInputLimit } from "../terraform/input-file";
import { startRunTaskServer } from "../gate/run-task";
import { parseRuleList } from "../gate/selection";

export const SERVE_USAGE = `usage: trailgate serve --run-task [--host 127.0.0.1] [--port 8080]
                       [--hcp-url https://app.terraform.io] [--hmac-key-file FILE]
                       [--max-plan-mb 64] [--data F] [--waivers F] [--fail-on SEVERITY]
                       [--only IDS] [--skip IDS]

An HCP Terraform run task (post-plan or pre-apply): verifies X-TFC-Task-Signature with
the HMAC key (--hmac-key-file, or TRAILGATE_RUN_TASK_HMAC_KEY; required), fetches the
run's plan JSON from --hcp-url with the request's token, gates it and calls back
passed or failed with one outcome per finding. A run that cannot be judged (plan
unreachable or over --max-plan-mb, not a plan) is called back as failed.
Listens on 127.0.0.1 unless --host says otherwise; put TLS in front to expose it.
`;

const VALUE_OPTIONS = ["--host", "--port", "--hcp-url", "--hmac-key-file", "--max-plan-mb", "--data", "--waivers", "--fail-on", "--only", "--skip"];

function parseServeArguments(args: string[]): Map<string, string> {
  const line = parseCommandLine(args, { command: "serve", values: VALUE_OPTIONS, flags: ["--run-task"], positionals: false });
  if (!line.flags.has("--run-task")) throw new GateInputError("serve needs --run-task (the one service it offers)");
  return line.values;
}

function hmacKey(values: Map<string, string>): string {
  const file = values.get("--hmac-key-file");
  let key: string | undefined;
  if (file !== undefined) {
    try {
      key = fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (error) {
      throw new GateInputError(`cannot read --hmac-key-file ${file}: ${(error as Error).message}`);
    }
  } else {
    key = process.env.TRAILGATE_RUN_TASK_HMAC_KEY;
  }
  if (!key) throw new GateInputError("serve --run-task needs the run task's HMAC key: --hmac-key-file FILE or TRAILGATE_RUN_TASK_HMAC_KEY");
  return key;
}

/** `trailgate serve --run-task`: runs until SIGINT or SIGTERM, then resolves 0. */
export async function serveCommand(args: string[], io: Io): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(SERVE_USAGE);
    return 0;
  }
  const values = parseServeArguments(args);
  const port = Number(values.get("--port") ?? "8080");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new GateInputError(`--port must be 0-65535, not ${values.get("--port")}`);
  const failOn = values.get("--fail-on") ?? "low";
  if (!isSeverity(failOn)) throw new GateInputError(`--fail-on must be one of ${SEVERITIES.join(", ")}, not ${failOn}`);
  let hcpUrl = values.get("--hcp-url") ?? "https://app.terraform.io";
  try {
    hcpUrl = new URL(hcpUrl).origin;
  } catch {
    throw new GateInputError(`--hcp-url must be a URL, not ${hcpUrl}`);
  }
  const server = await startRunTaskServer({
    hmacKey: hmacKey(values),
    host: values.get("--host") ?? "127.0.0.1",
    port,
    hcpUrl,
    maxPlanMb: values.has("--max-plan-mb") ? parseInputLimit(values.get("--max-plan-mb") as string, "--max-plan-mb") : undefined,
    judgement: {
      dataFile: values.get("--data"),
      waiversFile: values.get("--waivers"),
      failOn,
      only: values.has("--only") ? parseRuleList(values.get("--only") as string, "--only") : undefined,
      skip: values.has("--skip") ? parseRuleList(values.get("--skip") as string, "--skip") : undefined,
    },
    log: (line) => io.stderr(`${line}\n`),
  }).catch((error: Error) => {
    throw new GateInputError(`serve cannot listen: ${error.message}`);
  });
  io.stderr(`trailgate serve: run task listening on ${server.url} (plans and callbacks on ${hcpUrl})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.idle();
  await server.close();
  return 0;
}
