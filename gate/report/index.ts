import { renderGithub } from "./github";
import { renderJson } from "./json";
import { renderJunit } from "./junit";
import { renderSarif } from "./sarif";
import { renderText } from "./text";
import { GateRun } from "./model";

export * from "./model";

export const REPORT_FORMATS = ["text", "json", "sarif", "junit", "github"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(format: ReportFormat, run: GateRun): string {
  switch (format) {
    case "text":
      return renderText(run);
    case "json":
      return renderJson(run);
    case "sarif":
      return renderSarif(run);
    case "junit":
      return renderJunit(run);
    case "github":
      return renderGithub(run);
  }
}
