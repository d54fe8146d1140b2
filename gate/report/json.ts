import { findingLocation, findingStatus, GateRun, summarize, displayPath, notApplicableRules } from "./model";

/**
 * The JSON report (schema "trailgate-report/1"), stable for scripts:
 * {
 *   "schema": "trailgate-report/1",
 *   "tool": {"name": "trailgate", "version": "0.1.0"},
 *   "failOn": "low",
 *   "selection": null | {"only": ["TG-LOG"], "skip": [], "selected": ["TG-LOG-001", …], "total": 31},
 *   "passed": false,
 *   "summary": {"failing": 3, "belowThreshold": 0, "waived": 1,
 *               "failingBySeverity": {"critical": 1, "high": 2, "medium": 0, "low": 0},
 *               "rules": 47, "notApplicable": 10, "documents": 1},
 *   "documents": [{
 *     "name": "trailgate-prod", "format": "synth", "file": "cdktf.out/stacks/trailgate-prod/cdk.tf.json",
 *     "notApplicable": ["TG-OPS-001", …],   // rules that cannot judge this input: not passed
 *     "findings": [{
 *       "id": "TG-ENC-001", "severity": "high", "title": "…", "resource": "aws_s3_bucket.x",
 *       "message": "…", "help": "help/rules/TG-ENC-001.md",
 *       "status": "failing" | "below-threshold" | "waived",
 *       "waiver": null | {"rule", "resource", "reason", "expires", "expired": boolean},
 *       "location": {"file": "…", "line": 12, "constructPath": "trailgate-prod/log_archive/bucket"}
 *     }]
 *   }],
 *   "applied": {
 *     "policy": {"dir": "build/policy", "sha256": "…"},
 *     "data": {"file": "overrides.json", "overrides": [{"key", "value", "default"}], "loosened": [{"key", "message"}]},
 *     "waivers": {"file": "waivers.json", "entries": [{"rule", "resource", "reason", "expires", "waived": 1}]},
 *     "recorded": ["applied trust, scope from the gate settings recorded at synth in …", …]   // only when used
 *   }
 * }
 * `constructPath` is present for synthesized input (cdktf's `//.metadata.path`); for
 * synthesized input `location.file` is the user's source line when addPolicyGate
 * recorded it (or cdktf a stack trace), else the cdk.tf.json key.
 * Findings are sorted most severe first, then by rule id, resource and message.
 */
export function renderJson(run: GateRun, sourceRoot?: string): string {
  const summary = summarize(run);
  const report = {
    schema: "trailgate-report/1",
    tool: { name: "trailgate", version: run.toolVersion },
    failOn: run.failOn,
    selection: run.selection ?? null,
    passed: summary.failing === 0,
    summary,
    documents: run.documents.map(({ document, findings }) => ({
      name: document.name,
      format: document.input.format,
      file: displayPath(document.file, sourceRoot),
      notApplicable: notApplicableRules(run, document).map((rule) => rule.id),
      findings: findings.map((finding) => {
        const location = findingLocation(document, finding);
        return {
          id: finding.id,
          severity: finding.severity,
          title: finding.title,
          resource: finding.resource,
          message: finding.message,
          help: finding.help,
          status: findingStatus(finding, run.failOn),
          waiver: finding.waiver,
          location: {
            file: displayPath(location.file, sourceRoot),
            line: location.line,
            ...(location.constructPath ? { constructPath: location.constructPath } : {}),
          },
        };
      }),
    })),
    applied: run.applied,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
