/**
 * The docs state the rule facts of the built policy bundle (build/policy/rules.json):
 * scripts/docs.js writes them (npm run docs) and this test fails on any drift.
 */
import * as fs from "fs";
import * as path from "path";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const docs = require("../scripts/docs.js") as {
  generate(root?: string, rules?: CatalogueRule[]): { file: string; text: string }[];
  drift(root?: string, rules?: CatalogueRule[]): string[];
  readCatalogue(root?: string): CatalogueRule[];
};

interface CatalogueRule {
  id: string;
  title: string;
  severity: string;
  inputs: string[];
  package: string;
}

const ROOT = path.resolve(__dirname, "..");
const rules = docs.readCatalogue();

test("help index, help pages and README's rule table match the bundle (run `npm run docs` if this fails)", () => {
  expect(docs.drift()).toEqual([]);
});

test("a rule whose severity or title changes in the bundle makes its page, the index and the README drift", () => {
  const changed = rules.map((rule) => (rule.id === "TG-RET-004" ? { ...rule, severity: "critical", title: "Renamed in Rego" } : rule));
  expect(docs.drift(ROOT, changed).sort()).toEqual(["README.md", "help/README.md", "help/rules/TG-RET-004.md"]);
  const page = docs.generate(ROOT, changed).find(({ file }) => file === "help/rules/TG-RET-004.md")?.text ?? "";
  expect(page.split("\n")[0]).toBe("# TG-RET-004: Renamed in Rego");
  expect(page).toContain("**Severity:** critical");
});

test("a new family is indexed under its Rego package, and a verify-only rule is marked so in README", () => {
  const added = [...rules, { id: "TG-ZZZ-001", title: "A new control", severity: "low", inputs: ["live"], package: "new_controls" }];
  const files = docs.generate(ROOT, added);
  const index = files.find(({ file }) => file === "help/README.md")?.text ?? "";
  expect(index).toContain("### New controls\n\n- [TG-ZZZ-001](rules/TG-ZZZ-001.md) (low): A new control.");
  const readme = files.find(({ file }) => file === "README.md")?.text ?? "";
  expect(readme).toContain("| TG-ZZZ-001 | low | A new control (`verify` only) |");
});

test("README's example summary lines count the bundle's rules for the example's input", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const live = rules.filter((rule) => rule.inputs.includes("live")).length;
  expect(readme).toContain(`0 waived, ${live} rules (${rules.length - live} not applicable), 1 document`);
});

test("policies/INPUT.md's rule table has one row per rule of the bundle, in its family", () => {
  const input = fs.readFileSync(path.join(ROOT, "policies", "INPUT.md"), "utf8");
  const table = input.slice(input.indexOf("## Rule ids"));
  const rows = [...table.matchAll(/^\| (TG-[A-Z]+-\d{3}) \|/gm)].map((match) => match[1]);
  expect(rows.sort()).toEqual(rules.map((rule) => rule.id).sort());
});
