/** The CloudWatch Logs filter-pattern parser the normaliser applies to metric filters. */
import * as fs from "fs";
import * as path from "path";
import { parseFilterPattern } from "../../terraform/filter-pattern";
import { CIS_MONITORS } from "../../modules/cis-monitors";

const requires = (pattern: string) => parseFilterPattern(pattern).alternatives.map((a) => a.require);

describe("JSON patterns", () => {
  test("comparisons, quoting and whitespace are canonical", () => {
    expect(requires('{ $.eventName = "ConsoleLogin" }')).toEqual([["$.eventName = ConsoleLogin"]]);
    expect(requires("{$.eventName=ConsoleLogin}")).toEqual([["$.eventName = ConsoleLogin"]]);
    expect(requires('{ $.errorMessage = "Failed authentication" }')).toEqual([["$.errorMessage = Failed authentication"]]);
    expect(requires('{ $.a = "say \\"hi\\"" }')).toEqual([['$.a = say "hi"']]);
    expect(requires("{ $.errorCode = *UnauthorizedOperation }")).toEqual([["$.errorCode = *UnauthorizedOperation"]]);
    expect(requires("{ $.latency >= 1000 }")).toEqual([["$.latency >= 1000"]]);
    expect(requires("{ $.items[0].name = %Delete.*% }")).toEqual([["$.items[0].name = %Delete.*%"]]);
  });

  test("&& binds tighter than ||, and parentheses regroup", () => {
    expect(requires("{ $.a = 1 || $.b = 2 && $.c = 3 }")).toEqual([["$.a = 1"], ["$.b = 2", "$.c = 3"]]);
    expect(requires("{ ($.a = 1 || $.b = 2) && $.c = 3 }")).toEqual([["$.a = 1", "$.c = 3"], ["$.b = 2", "$.c = 3"]]);
  });

  test("negations exclude, they never require", () => {
    const parsed = parseFilterPattern('{ $.eventName != "ConsoleLogin" }');
    expect(parsed).toEqual({ syntax: "json", negated: true, alternatives: [{ require: [], exclude: ["$.eventName != ConsoleLogin"] }] });
    const root = parseFilterPattern('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }');
    expect(root.negated).toBe(false);
    expect(root.alternatives).toEqual([
      { require: ["$.userIdentity.type = Root"], exclude: ["$.userIdentity.invokedBy NOT EXISTS", "$.eventType != AwsServiceEvent"] },
    ]);
  });

  test("IS TRUE / FALSE / NULL are positive", () => {
    expect(requires("{ $.error IS TRUE && $.x IS NULL }")).toEqual([["$.error IS TRUE", "$.x IS NULL"]]);
  });

  test.each([
    ["{ $.eventName = ConsoleLogin", /expected "}"/],
    ["{ eventName = ConsoleLogin }", /selector/],
    ["{ $.eventName ConsoleLogin }", /operator/],
    ['{ $.eventName = "ConsoleLogin }', /unterminated/],
    ["{ $.a IS MAYBE }", /TRUE, FALSE or NULL/],
    ["{ ($.a = 1 }", /expected "\)"/],
    ["{ $.a = 1 } trailing", /after the closing/],
  ])("%s is invalid", (pattern, reason) => {
    const parsed = parseFilterPattern(pattern);
    expect(parsed.syntax).toBe("invalid");
    expect(parsed.alternatives).toEqual([]);
    expect(parsed.error).toMatch(reason);
  });

  test("an expansion beyond 1024 alternatives is refused, not computed", () => {
    const group = (n: number) => `(${Array.from({ length: 8 }, (_, i) => `$.f${n} = ${i}`).join(" || ")})`;
    const parsed = parseFilterPattern(`{ ${[1, 2, 3, 4].map(group).join(" && ")} }`);
    expect(parsed.syntax).toBe("invalid");
    expect(parsed.error).toMatch(/more than 1024 alternatives/);
  });
});

describe("other syntaxes", () => {
  test("terms, ?alternatives and -exclusions", () => {
    expect(parseFilterPattern('ERROR "Failed authentication"').alternatives).toEqual([{ require: ["term ERROR", "term Failed authentication"], exclude: [] }]);
    expect(parseFilterPattern("?ERROR ?WARN -DEBUG").alternatives).toEqual([
      { require: ["term ERROR"], exclude: ["term DEBUG"] },
      { require: ["term WARN"], exclude: ["term DEBUG"] },
    ]);
    expect(parseFilterPattern("-ConsoleLogin").negated).toBe(true);
  });

  test("empty, regex, delimited, unknown and non-string patterns", () => {
    expect(parseFilterPattern("")).toEqual({ syntax: "all", alternatives: [{ require: [], exclude: [] }], negated: false });
    expect(parseFilterPattern("%AccessDenied%").alternatives).toEqual([{ require: ["regex %AccessDenied%"], exclude: [] }]);
    expect(parseFilterPattern("[ip, user, status=4*]").syntax).toBe("delimited");
    expect(parseFilterPattern("${var.pattern}")).toEqual({ syntax: "unknown", alternatives: [], negated: false });
    expect(parseFilterPattern(42).syntax).toBe("invalid");
  });
});

describe("the monitors", () => {
  const data = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../policies/data.json"), "utf8"));
  // The CIS set, and the example estate's own monitor (example-policy-data.json).
  const example = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../example-policy-data.json"), "utf8"));
  const monitors: Array<{ id: string; pattern: string; match: string[][]; also_accepted?: Array<{ pattern: string; match: string[][] }> }> = [
    ...data.trailgate.config.required_monitors,
    ...example.trailgate.config.additional_monitors,
  ];

  test.each(monitors.map((m) => [m.id, m] as const))("%s: policy data `match` is what the parser gives for its pattern", (_id, m) => {
    expect(parseFilterPattern(m.pattern).syntax).toBe("json");
    expect(m.match).toEqual(requires(m.pattern));
    for (const variant of m.also_accepted ?? []) expect(variant.match).toEqual(requires(variant.pattern));
  });

  test("every pattern the constructs ship parses as JSON, positively", () => {
    for (const m of CIS_MONITORS) {
      const parsed = parseFilterPattern(m.pattern);
      expect({ id: m.id, syntax: parsed.syntax, negated: parsed.negated }).toEqual({ id: m.id, syntax: "json", negated: false });
    }
  });
});
