import { renderGithub } from "./github";
import { renderJson } from "./json";
import { renderJunit } from "./junit";
import { renderSarif } from "./sarif";
import { renderText } from "./text";
import { GateRun } from "./model";
import { DisplayOptions } from "./readable";

export * from "./model";
export { DISPLAY_MESSAGE_LIMIT, displayItems, truncateForDisplay } from "./readable";
export type { DisplayItem, DisplayOptions } from "./readable";

export const REPORT_FORMATS = ["text", "json", "sarif", "junit", "github"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Renders a run; `display` shapes the human-facing formats (text, github); its sourceRoot every report's paths. */
export function renderReport(format: ReportFormat, run: GateRun, display: DisplayOptions = {}): string {
  switch (format) {
    case "text":
      return renderText(run, display);
    case "json":
      return renderJson(run, display.sourceRoot);
    case "sarif":
      return renderSarif(run, display.sourceRoot);
    case "junit":
      return renderJunit(run);
    case "github":
      return renderGithub(run, display);
  }
}
