/** `trailgate --help`: every command, its options, and the exit codes. */
export const USAGE = `usage:
  trailgate check <path> [--format text|json|sarif|junit|github] [--output FILE]
                         [--data overrides.json] [--waivers waivers.json]
                         [--fail-on low|medium|high|critical]
                         [--only IDS] [--skip IDS] [--config DIR] [--max-input-mb N]
                         [--trailgate-config FILE] [--source-root DIR] [--expand]
  trailgate pre-commit [options as for check] FILE...   (gates each file's folder)
  trailgate serve --run-task [--port N] [--hcp-url URL] [--hmac-key-file F] [options]
                   (an HCP Terraform run task; see trailgate serve --help)
  trailgate verify [--role-arn ARN] [--region REGION] [--trail NAME|ARN] [options as for check]
  trailgate simulate <EVENT.json|sample:MONITOR-ID> [<path>] [--format text|json]
                     [--data overrides.json] [--config DIR] [--max-input-mb N]
  trailgate explain <RULE-ID> [<cdktf.out or cdk.tf.json>] [--trailgate-config FILE]
  trailgate rules
  trailgate validate-logs --trail-arn ARN --start-time T [--end-time T] [--s3-bucket B]
                          [--s3-prefix P] [--account-id ID] [--public-keys FILE]...
                          [--format text|json|sarif|junit] [--output FILE]
  trailgate subject-access (--principal ARN | --bucket NAME[/PREFIX] | --source-ip IP)
                           --from TIME --to TIME [--log-group NAME] [--lake EVENT_DATA_STORE]
  trailgate init [DIR] [--management-account ID] [--log-archive-account ID] [--force] ...
                 (a new cdktf app with the estate, gated; see trailgate init --help)
  trailgate --help
  trailgate --version

<path> is a cdktf cdk.tf.json, a cdktf.out directory, the output of
\`terraform show -json PLANFILE\`, a module folder (*.tf and *.tf.json files, override
files, tfvars, local module calls, read as Terraform reads them), or - (standard input).
verify reads the deployed estate from AWS and judges it by the same rules
(see trailgate verify --help).

--data     a file {"trailgate":{"config":{...}}} overriding keys of policies/data.json
--waivers  a file {"waivers":[{"rule","resource","reason","expires":"YYYY-MM-DD"}]};
           resource is an address, a cdktf construct path, or a prefix ending in *;
           "*" alone only with waivers.allowAnyResource, "(configuration)" for
           findings on no resource; expires at most waivers.maxDays (365) ahead
--trailgate-config  the project's configuration (trust, scope, data, waivers), as
           addPolicyGate reads it; default: TRAILGATE_CONFIG, else the nearest
           trailgate.config.json (or package.json "trailgate" key) from <path> up to
           its project root. A synthesized stack also carries the settings
           addPolicyGate judged it with ("//".trailgate in cdk.tf.json); check applies
           them per setting after flags and the configuration file (flags >
           trailgate.config.json > recorded), and states them in every report
--fail-on  the lowest severity that fails the check (default: the failOn addPolicyGate
           recorded in a synthesized output, else low)
--only     judge only these rules: comma-separated ids or families (TG-LOG,TG-RET-002)
--skip     do not judge these rules (ids or families); every report states the selection
--max-input-mb  refuse inputs larger than this many MiB in all (default: 64,
           or TRAILGATE_MAX_INPUT_MB)
--format   github: workflow commands (::error file=…,line=…::) for inline PR annotations;
           an error is what fails at --fail-on, a notice what does not
--expand   text and github: list each finding, not one row per rule and resource with
           its members; long messages are cut there (json and sarif keep them whole)
--source-root  report file paths (sarif, github, json) relative to this folder, e.g.
           the repository root when trailgate runs in a subfolder (default: the
           working folder)
--config   for a plan: the root module folder it was planned in (after terraform
           init), read for the locals a plan does not record; default: the
           plan file's folder when it holds *.tf or *.tf.json files

exit codes: 0 no failing violation, 1 violations at or above --fail-on,
            2 usage or input error (bad path or file, missing/stale policy bundle)
environment: TRAILGATE_POLICY_DIR  use this policy bundle instead of build/policy
             TRAILGATE_HELP_BASE_URI  SARIF helpUri base (…/help/rules/); default: the
                 package.json repository (GitHub, at the version tag) or homepage,
                 else the installed pages as file:// URIs
             TRAILGATE_CONFIG  the project configuration file (see --trailgate-config)

simulate follows one CloudTrail event (a record of a log file, or a bundled sample,
sample:cis-4.3-root-account-use) through the configuration at <path> as the TG-ALR
rules do: the monitors it belongs to, each alarm that fires and after how long, the
topics and subscriptions it reaches, or where each path stops (exit 0 someone is paged
within the monitor's deadline, 1 nobody is paged or only late, 2 input error).

validate-logs verifies the trail's digest chain and log files (exit 0 all valid,
1 integrity failure, 2 input error or unreadable file); details: trailgate validate-logs --help
subject-access prints the queries that answer a subject access request (no AWS call);
details: trailgate subject-access --help
`;
