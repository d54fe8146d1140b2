import { spawnSync } from "child_process";
import { GateInputError } from "../core/errors";
import { JsonValue } from "./types";

/**
 * HCL native syntax (`.tf`, `.tfvars`) to Terraform JSON syntax with
 * @cdktf/hcl2json, the HCL parser cdktf itself uses. Its API is asynchronous (Go
 * compiled to WebAssembly) and the gate is synchronous (it also runs inside
 * `cdktf synth`), so the files are converted in a child node process, many files
 * per process. Literal expressions come back as JSON values, every other
 * expression as a "${…}" string, exactly as JSON syntax writes them.
 *
 * Why a child process and not a worker thread waited on with Atomics.wait
 * (measured 2026-11-30, README "How the gate reads its input"): the child can run
 * V8 with --liftoff-only, which a worker cannot (V8 flags are per process, and
 * the host's own policy WASM must keep its optimising compiler). Without it, V8
 * compiles the 6.5 MB parser with TurboFan on every start: 0.5 s of CPU and 150 MB
 * for a single small file; with it, 0.1 s and 80 MB. A child that fails is seen
 * at once by its exit status; a worker that dies is only seen when the wait
 * times out, and its error then surfaces in the host as an uncaught exception.
 */

const CONVERTER = `
// Baseline WebAssembly code only: parsing a module folder is too short a job to
// repay optimising the whole parser (an unknown flag is reported and ignored).
require("v8").setFlagsFromString("--liftoff-only");
const { parse } = require(process.argv[1]);
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const out = [];
  for (const { file, text } of JSON.parse(input)) {
    try {
      out.push({ json: await parse(file, text) });
    } catch (error) {
      out.push({ error: String(error && error.message ? error.message : error) });
    }
  }
  // Exit only once the pipe has taken everything: the parser keeps the process alive.
  process.stdout.write(JSON.stringify(out), () => process.exit(0));
});
`;

/** The longest a conversion may take: a hang guard, about ten times the slowest measured (4.9 MB of HCL: 7-16 s). */
function timeoutMs(files: HclFile[]): number {
  const mib = files.reduce((total, { text }) => total + text.length, 0) / (1024 * 1024);
  return Math.round((60 + 20 * mib) * 1000);
}

export interface HclFile {
  file: string;
  text: string;
}

/** The JSON form of each HCL file, in order; a file that does not parse is a GateInputError. */
export function convertHclFiles(files: HclFile[]): JsonValue[] {
  if (files.length === 0) return [];
  const timeout = timeoutMs(files);
  const result = spawnSync(process.execPath, ["-e", CONVERTER, require.resolve("@cdktf/hcl2json")], {
    input: JSON.stringify(files),
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
    timeout,
    killSignal: "SIGKILL",
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });
  const failed = (reason: string) => new GateInputError(`cannot convert HCL files with @cdktf/hcl2json: ${reason}`);
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT") throw failed(`no answer within ${timeout / 1000} s`);
  if (result.error) throw failed(result.error.message);
  if (result.status !== 0) throw failed(`exit ${result.status ?? result.signal}: ${(result.stderr || "").trim().split("\n")[0]}`);
  let converted: ({ json: JsonValue } | { error: string })[];
  try {
    converted = JSON.parse(result.stdout) as typeof converted;
  } catch {
    throw failed(`its output (${result.stdout.length} characters) is not the JSON it should write`);
  }
  if (!Array.isArray(converted) || converted.length !== files.length) throw failed(`it did not answer for each of the ${files.length} files`);
  return converted.map((entry, index) => {
    if ("error" in entry) {
      throw new GateInputError(`${files[index].file} is not valid HCL: ${entry.error.split("\n")[0]} (Terraform refuses this configuration)`);
    }
    return entry.json;
  });
}
