#!/usr/bin/env bash
# Runs the pinned golangci-lint with the given arguments. An installed binary is used
# when its version matches; otherwise the pinned version is built once into bin/tools
# (about a minute and a half on a fresh machine) so a clean clone needs only Go.
set -euo pipefail

want="${GOLANGCI_LINT_VERSION:?GOLANGCI_LINT_VERSION must be set (the Makefile pins it)}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
local_bin="$root/bin/tools/golangci-lint"

matches() {
	[[ -n "$1" && -x "$1" ]] && "$1" version 2>/dev/null | grep -q "has version ${want#v} "
}

for candidate in "${GOLANGCI_LINT:-}" "$local_bin" "$(command -v golangci-lint || true)" \
	"$(go env GOPATH)/bin/golangci-lint"; do
	if matches "$candidate"; then
		exec "$candidate" "$@"
	fi
done

echo "golangci-lint $want not found; installing it into bin/tools" >&2
GOBIN="$root/bin/tools" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$want"
exec "$local_bin" "$@"
