#!/usr/bin/env bash
# Runs every Go fuzz target in the module for FUZZTIME each (go test -fuzz accepts one
# target per package per run, so the targets are found and run one by one).
set -euo pipefail

fuzztime="${FUZZTIME:-15s}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

found=0
while IFS= read -r file; do
	dir="./$(dirname "$file")"
	while IFS= read -r target; do
		found=$((found + 1))
		echo "== fuzz $dir $target ($fuzztime)"
		go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$dir"
	done < <(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file")
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | sed 's|^\./||' | sort)

if [[ $found -eq 0 ]]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi
echo "fuzz: $found target(s) passed"
