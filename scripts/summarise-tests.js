// Prints one closing line over every suite's machine-readable results:
// "tests: N passed, N failed" (jest JSON files and opa's JSON test report).
const fs = require("fs");
const path = require("path");

const [dir, failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
const parts = [];
for (const file of fs.readdirSync(dir).sort()) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
  let p;
  let f;
  if (Array.isArray(report)) {
    // opa test --format=json: one entry per test; a failing one has fail or error set.
    f = report.filter((t) => t.fail || t.error).length;
    p = report.length - f;
  } else {
    p = report.numPassedTests;
    f = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
  }
  parts.push(`${path.basename(file, ".json")} ${p}/${p + f}`);
  passed += p;
  failed += f;
}
// A step that failed before writing results (type-check, fmt, a crash) still fails the run.
failed += Number(failedSteps) > 0 && failed === 0 ? Number(failedSteps) : 0;
console.log(`\n(${parts.join(", ")})`);
console.log(`tests: ${passed} passed, ${failed} failed`);
