"use strict";
/**
 * Plans a Terraform root folder against moto on 127.0.0.1, for the plan fixtures
 * (test/gate/plan-fixtures/generate.js) and the real-world corpus (scripts/corpus.js).
 * The folder is copied to a work directory and a provider override file pointing
 * every `aws` provider configuration at moto is written beside it; the source
 * folder is never changed. Only processes started here are signalled, by pid.
 */
const { spawn, spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const REPO = path.resolve(__dirname, "..", "..");
const OVERRIDE = "zz_trailgate_moto_override.tf.json";
/** Services the AWS provider may call for audit-logging estates; each gets the moto endpoint. */
const SERVICES = [
  "accessanalyzer", "cloudtrail", "cloudwatch", "configservice", "ec2", "events", "guardduty", "iam", "kms",
  "lambda", "logs", "organizations", "s3", "s3control", "securityhub", "sns", "sqs", "ssm", "sts",
];

function log(message) {
  process.stderr.write(`${message}\n`);
}

function motoPython() {
  const result = spawnSync("bash", [path.join(REPO, "tools/moto/setup.sh")], { cwd: REPO, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`tools/moto/setup.sh failed: ${result.stderr}`);
  return result.stdout.trim().split("\n").pop();
}

/** Starts tools/moto/server.py on a kernel-chosen loopback port; resolves to {endpoint, stop}. */
function startMoto(runDir) {
  fs.mkdirSync(runDir, { recursive: true });
  const logFile = path.join(runDir, "moto.log");
  const child = spawn(
    motoPython(),
    [path.join(REPO, "tools/moto/server.py"), "--host", "127.0.0.1", "--port", "0", "--parent-pid", String(process.pid)],
    { cwd: REPO, stdio: ["ignore", "pipe", fs.openSync(logFile, "a")], env: cleanEnv({ PYTHONUNBUFFERED: "1" }) },
  );
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`moto did not start within 60 s (log: ${logFile})`)), 60_000);
    child.on("exit", (code) => reject(new Error(`moto exited (${code}) before it was ready (log: ${logFile})`)));
    child.stdout.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      const ready = /^MOTO_READY (\S+) (\d+) /m.exec(buffer);
      if (!ready) return;
      clearTimeout(timer);
      if (ready[1] !== "127.0.0.1") {
        child.kill("SIGTERM");
        reject(new Error(`moto listens on ${ready[1]}, not 127.0.0.1`));
        return;
      }
      resolve({
        endpoint: `http://127.0.0.1:${ready[2]}`,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.removeAllListeners("exit");
            child.on("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/** The environment without real AWS settings, proxies or Terraform variables. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AWS_|TF_|MOTO_)/.test(key) || /^(https?|all|no)_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", ...extra };
}

/** Provider aliases declared in a folder's .tf files (`alias = "x"` inside provider "aws" blocks). */
function awsAliases(dir) {
  const aliases = new Set();
  for (const name of fs.readdirSync(dir).filter((file) => file.endsWith(".tf"))) {
    const text = fs.readFileSync(path.join(dir, name), "utf8");
    for (const block of text.matchAll(/provider\s+"aws"\s*\{([^}]*)\}/g)) {
      const alias = /alias\s*=\s*"([^"]+)"/.exec(block[1]);
      if (alias) aliases.add(alias[1]);
    }
  }
  return [...aliases];
}

function overrideFor(dir, endpoint) {
  const common = {
    access_key: "testing",
    secret_key: "testing",
    skip_credentials_validation: true,
    skip_metadata_api_check: true,
    s3_use_path_style: true,
    max_retries: 2,
    endpoints: [Object.fromEntries(SERVICES.map((service) => [service, endpoint]))],
  };
  return {
    "//": "written by trailgate's plan fixture / corpus runner: points the aws provider at moto",
    provider: { aws: [common, ...awsAliases(dir).map((alias) => ({ alias, ...common }))] },
  };
}

/** Copies `from` into `to`, skipping Terraform's working data and state. */
function copyTree(from, to) {
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(from, to, {
    recursive: true,
    filter: (source) => !/(^|\/)(\.terraform|\.git|terraform\.tfstate[^/]*|\.terraform\.lock\.hcl)$/.test(source),
  });
}

class TerraformRun {
  constructor(dir, endpoint, logFile) {
    this.dir = dir;
    this.logFile = logFile;
    this.env = cleanEnv({
      TF_CLI_CONFIG_FILE: process.env.TRAILGATE_TF_CLI_CONFIG_FILE || path.join(REPO, "tools/terraformrc"),
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      HTTP_PROXY: endpoint,
      http_proxy: endpoint,
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: "eu-west-2",
    });
  }

  tf(args, okCodes = [0]) {
    const result = spawnSync("terraform", [...args, "-no-color"], {
      cwd: this.dir,
      env: this.env,
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
      timeout: 600_000,
    });
    fs.appendFileSync(this.logFile, `\n$ terraform ${args.join(" ")} (in ${this.dir})\n${result.stdout}\n${result.stderr}\n-> ${result.status}\n`);
    if (!okCodes.includes(result.status)) {
      const tail = (result.stderr || result.stdout || String(result.error)).trim().split("\n").slice(-25).join("\n");
      throw new Error(`terraform ${args[0]} in ${this.dir} exited ${result.status}:\n${tail}`);
    }
    return result;
  }

  /** `getModules: false` keeps a modules manifest written beforehand (vendored registry modules). */
  init(getModules = true) {
    this.tf(["init", "-input=false", "-backend=false", ...(getModules ? [] : ["-get=false"])]);
  }

  /** `terraform plan` then `terraform show -json` of it: the parsed plan JSON text. */
  planJson(name, extraArgs = []) {
    this.tf(["plan", "-input=false", "-lock=false", `-out=${name}.bin`, ...extraArgs]);
    return this.tf(["show", "-json", `${name}.bin`]).stdout;
  }

  apply(name) {
    this.tf(["apply", "-input=false", "-lock=false", "-auto-approve", `${name}.bin`]);
  }

  destroy() {
    this.tf(["destroy", "-input=false", "-lock=false", "-auto-approve"]);
  }
}

/**
 * Copies `sourceDir` to `workDir`, writes the moto override and runs `terraform init`.
 * `prepare(workDir)` may add files first; `writeManifest(workDir)` (async) writes
 * .terraform/modules/modules.json, and init then keeps it (-get=false).
 */
async function terraformRoot(sourceDir, workDir, moto, logFile, prepare, writeManifest) {
  copyTree(sourceDir, workDir);
  fs.writeFileSync(path.join(workDir, OVERRIDE), JSON.stringify(overrideFor(workDir, moto.endpoint), null, 2));
  if (prepare) prepare(workDir);
  if (writeManifest) await writeManifest(workDir);
  const run = new TerraformRun(workDir, moto.endpoint, logFile);
  run.init(!writeManifest);
  return run;
}

/** A plan JSON with the run-specific moto endpoint and override removed, so fixtures diff cleanly. */
function stablePlanJson(text, endpoint) {
  return text.split(endpoint).join("http://127.0.0.1:MOTO_PORT");
}

module.exports = { REPO, OVERRIDE, log, startMoto, terraformRoot, stablePlanJson, cleanEnv };
