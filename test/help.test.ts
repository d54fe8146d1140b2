/** help/ stays true to the policy: one page per rule, with the severity the gate reports. */
import * as fs from "fs";
import * as path from "path";
import { loadRules } from "../gate/policy";

const HELP = path.resolve(__dirname, "../help");
const rules = loadRules();

test.each(rules.map((r) => [r.id, r] as const))("%s has a help page naming its title and severity", (id, rule) => {
  const page = fs.readFileSync(path.join(HELP, "rules", `${id}.md`), "utf8");
  expect(page.split("\n")[0]).toBe(`# ${id}: ${rule.title}`);
  expect(page).toContain(`**Severity:** ${rule.severity}`);
  for (const section of ["## What it checks", "## Why it matters", "## How to fix"]) expect(page).toContain(section);
});

test("every help page belongs to a rule, and the index lists every page", () => {
  const ids = new Set(rules.map((r) => r.id));
  const pages = fs.readdirSync(path.join(HELP, "rules")).map((f) => f.replace(/\.md$/, ""));
  expect(pages.filter((p) => !ids.has(p))).toEqual([]);
  const index = fs.readFileSync(path.join(HELP, "README.md"), "utf8");
  const troubleshooting = fs.readdirSync(path.join(HELP, "troubleshooting"));
  for (const page of [...pages.map((p) => `rules/${p}.md`), ...troubleshooting.map((t) => `troubleshooting/${t}`)]) {
    expect(index).toContain(page);
  }
});
