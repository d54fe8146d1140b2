import { GateInputError } from "../core/errors";
import { readEvent, renderSimulation, simulate, simulationExitCode } from "../gate/alerts/simulate";
import { loadPolicyBundle } from "../gate/policy";
import { documentsFor } from "../gate/run";
import { parseInputLimit } from "../terraform/input-file";
import { parseCommandLine } from "./args";
import { Io } from "./io";
import { USAGE } from "./usage";

/** `trailgate simulate`: follows one event through a configuration's alert paths. */
export function simulateCommand(args: string[], io: Io): number {
  const line = parseCommandLine(args, { command: "simulate", values: ["--format", "--data", "--config", "--max-input-mb"], positionals: true });
  if (line.help) {
    io.stdout(USAGE);
    return 0;
  }
  const { values, positionals: positional } = line;
  if (positional.length < 1 || positional.length > 2) throw new GateInputError("simulate takes <EVENT.json|sample:MONITOR-ID> and an optional <path>");
  const format = values.get("--format") ?? "text";
  if (format !== "text" && format !== "json") throw new GateInputError(`--format must be text or json, not ${format}`);
  const { event, source, deprecation } = readEvent(positional[0]);
  if (deprecation) io.stderr(`trailgate: note: ${deprecation}\n`);
  const config = loadPolicyBundle({ dataFile: values.get("--data") }).config;
  const documents = positional[1]
    ? documentsFor({
        path: positional[1],
        configDir: values.get("--config"),
        maxInputMb: values.has("--max-input-mb") ? parseInputLimit(values.get("--max-input-mb") as string, "--max-input-mb") : undefined,
      }).map((d) => ({ name: d.name, input: d.input }))
    : [];
  const result = simulate(event, source, documents, config);
  io.stdout(format === "json" ? `${JSON.stringify(result, null, 2)}\n` : renderSimulation(result));
  return simulationExitCode(result);
}
