#!/usr/bin/env node
// Builds the cdktn entry (`trailgate/cdktn`, dist/cdktn/) from the compiled cdktf one
// (run after tsc, by prepack). cdktn is cdktf's maintained fork with the same API under
// other package names, and the constructs compile against it with only their imports
// switched (measured: modules/ type-checks against cdktn 0.24.0 and
// @cdktn/provider-aws 25.7.0), so the entry is the same compiled code with its module
// specifiers rewritten: "cdktf" -> "cdktn", "@cdktf/provider-aws/..." ->
// "@cdktn/provider-aws/...". dist/cdktn/modules is dist/modules rewritten;
// dist/cdktn/validation is the synth-time gate (addPolicyGate), its gate imports
// pointed back at dist/gate, which does not depend on cdktf.
"use strict";
const fs = require("fs");
const path = require("path");

const dist = path.resolve(__dirname, "..", "dist");
const out = path.join(dist, "cdktn");

/** Rewrites the cdktf module specifiers in compiled JS or a declaration file. */
function toCdktn(text, relativeTo) {
  return text.replace(/(require\(|from |import\()(["'])([^"']+)\2/g, (whole, lead, quote, specifier) => {
    let target = specifier;
    if (specifier === "cdktf") target = "cdktn";
    else if (specifier.startsWith("@cdktf/provider-aws/")) target = `@cdktn/provider-aws/${specifier.slice("@cdktf/provider-aws/".length)}`;
    else if (relativeTo && specifier.startsWith(".")) target = relativeTo(specifier);
    return `${lead}${quote}${target}${quote}`;
  });
}

function copyTree(from, to, relativeTo) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target, relativeTo);
    else if (/\.(js|d\.ts)$/.test(entry.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.writeFileSync(target, toCdktn(fs.readFileSync(source, "utf8"), relativeTo));
    }
  }
}

for (const required of ["modules/index.js", "modules/index.d.ts", "gate/validation.js", "gate/validation.d.ts"]) {
  if (!fs.existsSync(path.join(dist, required))) {
    process.stderr.write(`build-cdktn: dist/${required} is missing: run tsc first\n`);
    process.exit(1);
  }
}
fs.rmSync(out, { recursive: true, force: true });
// An import from modules/ out of it (../core/...: code that does not depend on
// cdktf) stays on the compiled copy in dist/, one level further up from dist/cdktn/modules.
copyTree(path.join(dist, "modules"), path.join(out, "modules"), (specifier) => (specifier.startsWith("../") ? `../${specifier}` : specifier));
// validation's own imports (../core, ../terraform, ./...) stay on the cdktf-free code in
// dist/gate; one into dist/modules goes to the cdktn copy.
const fromValidation = (specifier) => {
  const resolved = path.resolve(dist, "gate", specifier);
  const inModules = path.relative(path.join(dist, "modules"), resolved);
  const target = inModules.startsWith("..") ? resolved : path.join(out, "modules", inModules);
  const relative = path.relative(out, target);
  return relative.startsWith(".") ? relative : `./${relative}`;
};
for (const file of ["validation.js", "validation.d.ts"]) {
  fs.writeFileSync(path.join(out, file), toCdktn(fs.readFileSync(path.join(dist, "gate", file), "utf8"), fromValidation));
}
const exportsText = '"use strict";\n// trailgate for cdktn: the constructs and the synth-time gate (scripts/build-cdktn.js).\n' +
  'var __createBinding = Object.create ? function (o, m, k) { Object.defineProperty(o, k, { enumerable: true, get: function () { return m[k]; } }); } : function (o, m, k) { o[k] = m[k]; };\n' +
  'Object.defineProperty(exports, "__esModule", { value: true });\n' +
  'const modules = require("./modules");\n' +
  'for (const key of Object.keys(modules)) if (key !== "default") __createBinding(exports, modules, key);\n' +
  'const validation = require("./validation");\n' +
  'exports.addPolicyGate = validation.addPolicyGate;\nexports.policyGateErrors = validation.policyGateErrors;\n';
fs.writeFileSync(path.join(out, "index.js"), exportsText);
fs.writeFileSync(path.join(out, "index.d.ts"), 'export * from "./modules";\nexport { addPolicyGate, policyGateErrors } from "./validation";\nexport type { PolicyGateOptions } from "./validation";\n');
process.stderr.write(`build-cdktn: dist/cdktn written (constructs and addPolicyGate for cdktn)\n`);
