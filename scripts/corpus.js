#!/usr/bin/env node
"use strict";
/**
 * The real-world corpus (issue 9 item 4), opt in: `npm run corpus`.
 * Plans our own small root configurations (corpus/roots/) that call public
 * CloudTrail modules, in eu-west-2 and us-east-1 against moto, runs `trailgate
 * check` on each plan JSON and on the root folder, and compares the findings with
 * corpus/expectations.json (written from reading each module's code).
 *
 * The modules are not part of this repository (their licences and the rule that
 * we commit only our own code): check them out under .corpus/modules/<owner>+<repo>
 * (gitignored) at the commits corpus/corpus.json names; see corpus/README.md.
 * Registry modules they call are vendored from checkouts there too, through a
 * pre-written .terraform/modules/modules.json and `terraform init -get=false`:
 * their code is never edited.
 *
 *   node scripts/corpus.js [--root NAME] [--region REGION] [--keep] [--if-present] [--json FILE]
 * Exit 0 when every plan's findings equal the expectations, 1 otherwise, 2 when
 * nothing could be run (no checkouts); with --if-present (as `npm test` runs it),
 * no checkouts is a skip, exit 0. --json writes the counts in jest's result shape
 * (numPassedTests: root/region runs as expected) for scripts/summarise-tests.js.
 */
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const { REPO, log, startMoto, terraformRoot } = require("./lib/moto-terraform");

const CORPUS = path.join(REPO, "corpus");
const CHECKOUTS = process.env.TRAILGATE_CORPUS_DIR || path.join(REPO, ".corpus", "modules");
const WORK = path.join(REPO, ".tools", "corpus");

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

function git(dir, args) {
  const result = spawnSync("git", ["-C", dir, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`git -C ${dir} ${args.join(" ")}: ${result.stderr.trim()}`);
  return result.stdout;
}

let hcl2json;
async function parseConfig(file) {
  const text = fs.readFileSync(file, "utf8");
  if (file.endsWith(".json")) return JSON.parse(text);
  hcl2json ??= require("@cdktf/hcl2json");
  return hcl2json.parse(path.basename(file), text);
}

/** `module` blocks of one module folder: [{name, source, version}]. */
async function moduleCalls(dir) {
  const calls = [];
  for (const name of fs.readdirSync(dir).filter((file) => /\.tf(\.json)?$/.test(file))) {
    const json = await parseConfig(path.join(dir, name));
    for (const block of [].concat(json.module ?? [])) {
      for (const [call, bodies] of Object.entries(block)) {
        const body = [].concat(bodies)[0] ?? {};
        calls.push({ name: call, source: body.source, version: body.version });
      }
    }
  }
  return calls;
}

/** A registry dependency's files at the pinned version, exported from its checkout. */
function vendor(dependency, version, workDir) {
  const checkout = path.join(CHECKOUTS, dependency.checkout);
  if (!fs.existsSync(checkout)) throw new Error(`registry module ${dependency.registry} needs the checkout ${checkout}`);
  const tags = git(checkout, ["tag"]).split("\n");
  const tag = [version, `v${version}`].find((candidate) => tags.includes(candidate));
  if (!tag) throw new Error(`${dependency.checkout} has no tag ${version} (needed for ${dependency.registry})`);
  const relative = path.join(".vendor", `${dependency.checkout}@${version}`);
  const target = path.join(workDir, relative);
  if (!fs.existsSync(target)) {
    fs.mkdirSync(target, { recursive: true });
    const archive = spawnSync("git", ["-C", checkout, "archive", tag], { maxBuffer: 256 * 1024 * 1024 });
    if (archive.status !== 0) throw new Error(`git archive ${tag} of ${checkout} failed`);
    const untar = spawnSync("tar", ["-x", "-C", target], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar of ${checkout}@${tag} failed`);
  }
  return relative;
}

/**
 * Writes .terraform/modules/modules.json for the root in `workDir`: local-path
 * modules where they are, registry modules from their vendored checkouts.
 */
async function writeModulesManifest(workDir, dependencies) {
  const entries = [{ Key: "", Source: "", Dir: "." }];
  const pending = [{ key: "", dir: "." }];
  while (pending.length > 0) {
    const { key, dir } = pending.shift();
    for (const call of await moduleCalls(path.join(workDir, dir))) {
      const childKey = key ? `${key}.${call.name}` : call.name;
      let childDir;
      let entry;
      if (/^\.\.?\//.test(call.source)) {
        childDir = path.normalize(path.join(dir, call.source));
        entry = { Key: childKey, Source: call.source, Dir: childDir };
      } else {
        const dependency = dependencies.find((candidate) => candidate.registry === call.source);
        if (!dependency) throw new Error(`module ${childKey} calls ${call.source} ${call.version}, which the corpus does not vendor`);
        childDir = vendor(dependency, call.version, workDir);
        entry = { Key: childKey, Source: `registry.terraform.io/${call.source}`, Version: call.version, Dir: childDir };
      }
      entries.push(entry);
      pending.push({ key: childKey, dir: childDir });
    }
  }
  fs.mkdirSync(path.join(workDir, ".terraform", "modules"), { recursive: true });
  fs.writeFileSync(path.join(workDir, ".terraform", "modules", "modules.json"), JSON.stringify({ Modules: entries }, null, 1));
}

/**
 * `trailgate check` with the facts a user of the modules gives the gate: the root's
 * policy data (corpus.json `data`: the accounts it plans for, which its provider does
 * not pin), as `--data`.
 */
function trailgate(args, dataFile) {
  const data = dataFile ? ["--data", dataFile] : [];
  const result = spawnSync(process.execPath, [path.join(REPO, "bin", "trailgate.js"), "check", ...args, ...data, "--format", "json"], {
    cwd: REPO,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0 && result.status !== 1) return { error: (result.stderr || "").trim() || `exit ${result.status}` };
  const report = JSON.parse(result.stdout);
  return { findings: report.documents.flatMap((document) => document.findings.map((finding) => `${finding.id} ${finding.resource}`)) };
}

/** "RULE resource" for each expected finding, repeated `count` times. */
function keys(entries) {
  return (entries ?? []).flatMap((entry) => Array(entry.count ?? 1).fill(`${entry.rule} ${entry.resource}`));
}

/**
 * A region's expectations, with those of the region it `extends` (us-east-1 = eu-west-2 + residency).
 * An entry with `regions` holds only in those (a finding the other region's plan makes differently).
 */
function regionExpectations(rootExpectations, region, planned = region) {
  const own = rootExpectations?.[region];
  if (!own) return undefined;
  const base = own.extends ? regionExpectations(rootExpectations, own.extends, planned) : undefined;
  const holds = (entries) => (entries ?? []).filter((entry) => !entry.regions || entry.regions.includes(planned));
  const folder = (key) => [...(base?.folder?.[key] ?? []), ...holds(own.folder?.[key])];
  return {
    findings: [...(base?.findings ?? []), ...holds(own.findings)],
    folder: { findings: folder("findings"), cannot_verify: folder("cannot_verify"), false: folder("false"), missed: folder("missed") },
  };
}

function difference(a, b) {
  const rest = [...b];
  return a.filter((item) => {
    const index = rest.indexOf(item);
    if (index === -1) return true;
    rest.splice(index, 1);
    return false;
  });
}

function parseArguments(argv) {
  const options = { roots: [], regions: [], keep: false, ifPresent: false, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--root") options.roots.push(argv[++i]);
    else if (argv[i] === "--region") options.regions.push(argv[++i]);
    else if (argv[i] === "--keep") options.keep = true;
    else if (argv[i] === "--if-present") options.ifPresent = true;
    else if (argv[i] === "--json") options.json = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return options;
}

async function main() {
  process.env.CHECKPOINT_DISABLE = "1";
  const options = parseArguments(process.argv.slice(2));
  const corpus = readJson(path.join(CORPUS, "corpus.json"));
  const expectations = readJson(path.join(CORPUS, "expectations.json"));
  const modulesByCheckout = new Map(corpus.modules.map((module) => [module.checkout, module]));
  const present = corpus.modules.filter((module) => fs.existsSync(path.join(CHECKOUTS, module.checkout)));
  if (present.length === 0) {
    log(`corpus: no module checkouts under ${CHECKOUTS}; see corpus/README.md${options.ifPresent ? " (skipped)" : ""}`);
    return options.ifPresent ? 0 : 2;
  }
  for (const module of present) {
    const head = git(path.join(CHECKOUTS, module.checkout), ["rev-parse", "HEAD"]).trim();
    if (head !== module.commit) log(`corpus: warning: ${module.checkout} is at ${head}, expectations were written for ${module.commit}`);
  }
  const providersRc = spawnSync("bash", [path.join(REPO, "tools/tf-providers/install.sh")], { encoding: "utf8" });
  if (providersRc.status !== 0) throw new Error(`tools/tf-providers/install.sh failed: ${providersRc.stderr}`);
  process.env.TRAILGATE_TF_CLI_CONFIG_FILE = providersRc.stdout.trim().split("\n").pop();

  fs.mkdirSync(WORK, { recursive: true });
  const moto = await startMoto(WORK);
  const rows = [];
  let mismatches = 0;
  try {
    for (const root of corpus.roots) {
      if (options.roots.length > 0 && !options.roots.includes(root.name)) continue;
      for (const region of corpus.regions) {
        if (options.regions.length > 0 && !options.regions.includes(region)) continue;
        const expected = regionExpectations(expectations.roots[root.name], region);
        const row = { root: root.name, region, modules: root.modules.join(" + ") };
        rows.push(row);
        const missingCheckouts = root.modules.filter((checkout) => !fs.existsSync(path.join(CHECKOUTS, checkout)));
        if (missingCheckouts.length > 0) {
          row.status = `skipped: no checkout of ${missingCheckouts.join(", ")}`;
          continue;
        }
        if (root.cannot_plan) {
          row.status = `not planned: ${root.cannot_plan}`;
          continue;
        }
        const workDir = path.join(WORK, `${root.name}-${region}`);
        try {
          log(`corpus: ${root.name} in ${region}`);
          const run = await terraformRoot(path.join(CORPUS, "roots", root.name), workDir, moto, path.join(WORK, `${root.name}-${region}.log`), (dir) => {
            fs.mkdirSync(path.join(dir, "modules"), { recursive: true });
            for (const checkout of root.modules) fs.symlinkSync(path.join(CHECKOUTS, checkout), path.join(dir, "modules", checkout));
            fs.writeFileSync(path.join(dir, "terraform.tfvars.json"), JSON.stringify({ region }));
          }, async (dir) => writeModulesManifest(dir, corpus.modules.filter((module) => module.registry)));
          fs.writeFileSync(path.join(workDir, "plan.json"), run.planJson("plan"));
        } catch (error) {
          row.status = `plan failed: ${String(error.message).split("\n").slice(0, 6).join(" ")}`;
          mismatches++;
          continue;
        }
        const dataFile = (root.data ?? corpus.data) ? path.join(CORPUS, root.data ?? corpus.data) : undefined;
        const plan = trailgate([path.join(workDir, "plan.json")], dataFile);
        // The folder as its authors have it after `terraform init`: the root, the module
        // links, the installed registry modules and the tfvars; no moto override.
        const folderDir = `${workDir}-folder`;
        fs.rmSync(folderDir, { recursive: true, force: true });
        fs.cpSync(path.join(CORPUS, "roots", root.name), folderDir, { recursive: true });
        fs.symlinkSync(path.join(workDir, "modules"), path.join(folderDir, "modules"));
        if (fs.existsSync(path.join(workDir, ".vendor"))) fs.symlinkSync(path.join(workDir, ".vendor"), path.join(folderDir, ".vendor"));
        fs.mkdirSync(path.join(folderDir, ".terraform", "modules"), { recursive: true });
        fs.copyFileSync(path.join(workDir, ".terraform", "modules", "modules.json"), path.join(folderDir, ".terraform", "modules", "modules.json"));
        fs.copyFileSync(path.join(workDir, "terraform.tfvars.json"), path.join(folderDir, "terraform.tfvars.json"));
        const folder = trailgate([folderDir], dataFile);
        row.planFindings = plan.findings ?? [];
        if (plan.error) {
          row.status = `gate error: ${plan.error}`;
          mismatches++;
          continue;
        }
        const wanted = keys(expected?.findings);
        row.falsePositives = difference(plan.findings, wanted);
        row.misses = difference(wanted, plan.findings);
        // The folder check: findings a reviewer agrees with, cannot-verify findings, and
        // the false claims still open, each as written down; anything else differs.
        const folderWanted = ["findings", "cannot_verify", "false"].flatMap((key) => keys(expected?.folder[key]));
        if (folder.error) {
          row.folder = { status: `not read: ${folder.error}` };
        } else {
          const unexpected = difference(folder.findings, folderWanted);
          const gone = difference(folderWanted, folder.findings);
          row.folder = {
            status: unexpected.length + gone.length === 0 ? "as expected" : "differs",
            findings: folder.findings.length,
            agreed: keys(expected?.folder.findings).length,
            cannotVerify: keys(expected?.folder.cannot_verify).length,
            falseClaims: keys(expected?.folder.false).length,
            missed: keys(expected?.folder.missed).length,
            unexpected,
            gone,
          };
        }
        const planMatches = row.falsePositives.length + row.misses.length === 0;
        row.status = planMatches && row.folder.status === "as expected" ? "as expected" : "differs";
        if (row.status !== "as expected") mismatches++;
      }
    }
  } finally {
    await moto.stop();
  }
  for (const row of rows) {
    process.stdout.write(`\n## ${row.root} (${row.modules}) in ${row.region}: ${row.status}\n`);
    if (row.planFindings) {
      process.stdout.write(`plan findings (${row.planFindings.length}):\n${row.planFindings.map((finding) => `  ${finding}`).join("\n")}\n`);
      process.stdout.write(`not expected (false positives): ${row.falsePositives.length ? `\n  ${row.falsePositives.join("\n  ")}` : "none"}\n`);
      process.stdout.write(`expected but missing (misses): ${row.misses.length ? `\n  ${row.misses.join("\n  ")}` : "none"}\n`);
      const f = row.folder ?? { status: "not checked (the plan check failed)" };
      if (f.findings === undefined) {
        process.stdout.write(`HCL folder: ${f.status}\n`);
      } else {
        process.stdout.write(
          `HCL folder: ${f.status}: ${f.findings} findings (${f.agreed} a reviewer agrees with, ${f.cannotVerify} cannot-verify, ` +
            `${f.falseClaims} known false claims); ${f.missed} plan findings it cannot see, each declared by a cannot-verify finding\n`,
        );
        if (f.unexpected.length > 0) process.stdout.write(`  folder findings not written down:\n    ${f.unexpected.join("\n    ")}\n`);
        if (f.gone.length > 0) process.stdout.write(`  folder findings written down but not reported:\n    ${f.gone.join("\n    ")}\n`);
      }
    }
  }
  fs.writeFileSync(path.join(WORK, "results.json"), JSON.stringify(rows, null, 2));
  if (options.json) {
    const judged = rows.filter((row) => row.status === "as expected" || row.status === "differs" || /failed|error/.test(row.status));
    const passed = judged.filter((row) => row.status === "as expected").length;
    fs.writeFileSync(options.json, JSON.stringify({ numPassedTests: passed, numFailedTests: judged.length - passed }));
  }
  process.stdout.write(`\ncorpus: ${rows.length - mismatches} as expected or skipped, ${mismatches} differing (details in .tools/corpus/)\n`);
  return mismatches > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`corpus: ${error.stack || error}\n`);
    process.exit(2);
  },
);
