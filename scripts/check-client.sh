#!/usr/bin/env bash
# Fails when adapters/httpapi/apiclient/client.gen.go differs from a fresh oapi-codegen
# generation from openapi.yaml. It generates into a temporary directory, so the working
# tree is never touched.
set -euo pipefail

oapi_codegen="${OAPI_CODEGEN:?OAPI_CODEGEN must be set (the Makefile pins it)}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

dir=adapters/httpapi/apiclient
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Same configuration, output redirected to the temporary directory.
sed "s|^output: $dir/client.gen.go\$|output: $tmp/client.gen.go|" "$dir/oapi-codegen.yaml" >"$tmp/oapi-codegen.yaml"
if ! grep -q "^output: $tmp/client.gen.go\$" "$tmp/oapi-codegen.yaml"; then
	echo "check-client: $dir/oapi-codegen.yaml must contain the line 'output: $dir/client.gen.go'" >&2
	exit 2
fi
# shellcheck disable=SC2086 # OAPI_CODEGEN is a command line ("go tool -modfile=… oapi-codegen").
$oapi_codegen -config "$tmp/oapi-codegen.yaml" openapi.yaml

if ! diff -u "$dir/client.gen.go" "$tmp/client.gen.go"; then
	echo "check-client: $dir/client.gen.go is out of date with openapi.yaml; run 'make client' and commit the result" >&2
	exit 1
fi
echo "check-client: $dir/client.gen.go matches a fresh generation"
