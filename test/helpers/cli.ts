import { main } from "../../cli/main";

/** What a CLI test keeps of one child-process run of bin/trailgate.js. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Asserts an input error: exit 2 and exactly one `trailgate: error:` line naming the problem. */
export function expectInputError(run: Run, reason: string | RegExp): void {
  expect(run.status).toBe(2);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^trailgate: error: /);
  if (typeof reason === "string") expect(lines[0]).toContain(reason);
  else expect(lines[0]).toMatch(reason);
}

/** Runs the CLI in this process (cli/main's `main`) and keeps what it wrote. */
export async function runInProcess(args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const status = await main(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
  return { status, stdout, stderr };
}
