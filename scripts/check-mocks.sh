#!/usr/bin/env bash
# Fails when mocks/ differs from a fresh mockery generation: a changed, missing or stale
# file. It generates into a temporary directory, so the working tree is never touched
# and no git checkout is needed.
set -euo pipefail

mockery="${MOCKERY:?MOCKERY must be set (the Makefile pins it)}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Same configuration, output redirected to the temporary directory.
sed "s|^dir: mocks\$|dir: $tmp/mocks|" .mockery.yaml >"$tmp/mockery.yaml"
if ! grep -q "^dir: $tmp/mocks\$" "$tmp/mockery.yaml"; then
	echo "check-mocks: .mockery.yaml must contain the line 'dir: mocks'" >&2
	exit 2
fi
# shellcheck disable=SC2086 # MOCKERY is a command line ("go run module@version").
$mockery --config "$tmp/mockery.yaml"

if ! diff -ru mocks "$tmp/mocks"; then
	echo "check-mocks: mocks/ is out of date with ports/; run 'make mocks' and commit the result" >&2
	exit 1
fi
echo "check-mocks: mocks/ matches a fresh generation"
