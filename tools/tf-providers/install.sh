#!/usr/bin/env bash
# Builds the Terraform providers the opt-in real-world corpus (scripts/corpus.js)
# needs beyond the hashicorp/aws mirror, from their Go modules pinned in
# tools/tf-providers/go.mod, into a filesystem mirror under .tools/tf-providers/
# and prints the path of a Terraform CLI config that uses both mirrors.
# cloudposse's S3 bucket modules require hashicorp/time (a time_sleep). Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MIRROR="$ROOT/.tools/tf-providers/mirror"
command -v go >/dev/null || { echo "tools/tf-providers/install.sh: go is not installed" >&2; exit 1; }
build() { # <type> <go module>
  local type="$1" module="$2" version
  version="$(awk -v m="$module" '$1 == m { print $2 } $1 == "require" && $2 == m { print $3 }' "$ROOT/tools/tf-providers/go.mod")"
  [[ -n "$version" ]] || { echo "tools/tf-providers/install.sh: $module is not pinned in go.mod" >&2; exit 1; }
  local dir="$MIRROR/registry.terraform.io/hashicorp/$type/${version#v}/linux_amd64"
  local bin="$dir/terraform-provider-${type}_${version}"
  if [[ ! -x "$bin" ]]; then
    echo "tools/tf-providers/install.sh: building hashicorp/$type $version from the Go module proxy" >&2
    mkdir -p "$dir"
    (cd "$ROOT/tools/tf-providers" && go build -o "$bin" "$module")
  fi
}
build time github.com/hashicorp/terraform-provider-time
RC="$ROOT/.tools/tf-providers/terraformrc"
cat > "$RC" <<RC
# Written by tools/tf-providers/install.sh: the aws mirror plus the providers built here.
provider_installation {
  filesystem_mirror {
    path    = "/opt/tf-plugins"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/hashicorp/time"]
  }
}
disable_checkpoint = true
RC
echo "$RC"
