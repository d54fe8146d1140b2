//go:build tools

// Pins the Terraform providers tools/tf-providers/install.sh builds for the corpus.
package tools

import _ "github.com/hashicorp/terraform-provider-time"
