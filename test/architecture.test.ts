/**
 * The layout is the architecture (README "Layout"): the command line on top, libraries
 * below it, no import loops. Read from the sources' own import statements (type-only
 * imports count: a loop of types is still a loop).
 */
import * as fs from "fs";
import * as path from "path";

const repo = path.resolve(__dirname, "..");

/** Each room, and the rooms it may import. */
const MAY_IMPORT: Record<string, string[]> = {
  core: [],
  terraform: ["core"],
  modules: ["core"],
  gate: ["core", "terraform", "modules"],
  operations: ["core", "terraform", "gate", "modules"],
  export: ["core", "terraform", "gate", "modules"],
  cli: ["core", "terraform", "gate", "modules", "operations", "export"],
};
const ROOMS = Object.keys(MAY_IMPORT);
/** export/cli.ts is the repository's own `npm run synth` step (not shipped): it exports the example estate. */
const REPOSITORY_SCRIPTS: Record<string, string[]> = { "export/cli.ts": ["example-config.ts"] };

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(repo, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(rel);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [rel] : [];
  });
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^;]*?from\s*["'](\.[^"']*)["']|(?:import|require)\(\s*["'](\.[^"']*)["']\s*\)/g;

function resolveImport(from: string, specifier: string): string | undefined {
  const base = path.normalize(path.join(path.dirname(from), specifier));
  return [`${base}.ts`, path.join(base, "index.ts"), base].find((candidate) => fs.existsSync(path.join(repo, candidate)) && fs.statSync(path.join(repo, candidate)).isFile());
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of ROOMS.flatMap(sources)) {
    const text = fs.readFileSync(path.join(repo, file), "utf8");
    const targets = [...text.matchAll(IMPORT)].map((m) => resolveImport(file, m[1] ?? m[2])).filter((t): t is string => t !== undefined && t.endsWith(".ts"));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every import loop, each as the files around it (Tarjan's strongly connected components). */
function loops(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

const graph = importGraph();

test("the sources are read: every room has files and imports", () => {
  for (const room of ROOMS) expect({ room, files: [...graph.keys()].filter((f) => f.startsWith(`${room}/`)).length > 0 }).toEqual({ room, files: true });
  expect([...graph.values()].flat().length).toBeGreaterThan(100);
});

test("no import loops", () => {
  expect(loops(graph)).toEqual([]);
});

/** Imports that go up or sideways: a room importing one not below it. */
function crossings(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    const room = file.split(path.sep)[0];
    for (const target of targets) {
      const targetRoom = target.split(path.sep)[0];
      if (targetRoom === room || MAY_IMPORT[room].includes(targetRoom) || REPOSITORY_SCRIPTS[file]?.includes(target)) continue;
      found.push(`${file} -> ${target}`);
    }
  }
  return found;
}

test("each room imports only the rooms below it; nothing imports the command line", () => {
  expect(crossings(graph)).toEqual([]);
});

test("the loop finder finds a loop and the layering check sees a crossing", () => {
  const looped = new Map(graph);
  looped.set("core/errors.ts", [...(graph.get("core/errors.ts") ?? []), "cli/main.ts"]);
  expect(loops(looped).some((loop) => loop.includes("core/errors.ts") && loop.includes("cli/main.ts"))).toBe(true);
  expect(crossings(looped)).toEqual(["core/errors.ts -> cli/main.ts"]);
});

test("README's Layout table names every room, and every path it names exists", () => {
  const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Layout\n"), readme.indexOf("\n## Architecture\n"));
  const named = [...section.matchAll(/^\| ([^|]+) \|/gm)].flatMap((row) => [...row[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
  expect(named.length).toBeGreaterThan(10);
  const missing = named.filter((entry) => !fs.existsSync(path.join(repo, entry)));
  expect(missing).toEqual([]);
  const unnamed = ROOMS.filter((room) => !named.includes(`${room}/`));
  expect(unnamed).toEqual([]);
});
