import { spawnSync } from "child_process";
import { GateInputError } from "../errors";
import { JsonValue } from "./types";

/**
 * `.tf` (HCL native syntax) to Terraform JSON syntax with @cdktf/hcl2json, the
 * HCL parser cdktf itself uses. Its API is asynchronous (a Go WASM module) and
 * the gate is synchronous (it also runs inside `cdktf synth`), so the files are
 * converted in one child node process per check; only folders with `.tf` files
 * pay for it. Literal expressions come back as JSON values, every other
 * expression as a "${…}" string, exactly as JSON syntax writes them.
 */

const CONVERTER = `
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
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
});
`;

export interface HclFile {
  file: string;
  text: string;
}

/** The JSON form of each HCL file, in order; a file that does not parse is a GateInputError. */
export function convertHclFiles(files: HclFile[]): JsonValue[] {
  if (files.length === 0) return [];
  const result = spawnSync(process.execPath, ["-e", CONVERTER, require.resolve("@cdktf/hcl2json")], {
    input: JSON.stringify(files),
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });
  if (result.error || result.status !== 0) {
    const reason = result.error ? result.error.message : `exit ${result.status}: ${(result.stderr || "").split("\n")[0]}`;
    throw new GateInputError(`cannot convert HCL files with @cdktf/hcl2json: ${reason}`);
  }
  const converted = JSON.parse(result.stdout) as ({ json: JsonValue } | { error: string })[];
  return converted.map((entry, index) => {
    if ("error" in entry) {
      throw new GateInputError(`${files[index].file} is not valid HCL: ${entry.error.split("\n")[0]} (Terraform refuses this configuration)`);
    }
    return entry.json;
  });
}
