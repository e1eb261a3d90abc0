#!/usr/bin/env bash
# Vendors one version of the npm package swagger-ui-dist into adapters/httpapi/apidocs:
# only the files the /docs page loads (the bundle, its stylesheet, the favicons) and the
# licence texts, in assets/dist/, and a VENDORED file recording the package, version and
# npm integrity of what was taken. Needs npm (only to download; nothing is installed).
#
#   scripts/vendor-swagger-ui.sh 5.35.0     (or: make swagger-ui SWAGGER_UI_VERSION=5.35.0)
#
# Review the diff, run the adapters/httpapi and test/browser tests, and commit.
set -euo pipefail

version="${1:-}"
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	echo "usage: $0 VERSION (an exact swagger-ui-dist version such as 5.35.0)" >&2
	exit 2
fi
command -v npm >/dev/null || {
	echo "vendor-swagger-ui: npm not found" >&2
	exit 1
}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
apidocs="$root/adapters/httpapi/apidocs"
dist="$apidocs/assets/dist"

# The files taken from the package: what index.html loads, and the licences.
files=(
	swagger-ui-bundle.js
	swagger-ui.css
	favicon-16x16.png
	favicon-32x32.png
	LICENSE
	NOTICE
	swagger-ui-bundle.js.LICENSE.txt
)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# npm pack checks the tarball against the registry's integrity and reports it.
npm pack --silent --json --pack-destination "$tmp" "swagger-ui-dist@$version" >"$tmp/pack.json"
integrity="$(sed -n 's/^ *"integrity": "\(.*\)",*$/\1/p' "$tmp/pack.json" | head -n 1)"
[[ -n $integrity ]] || {
	echo "vendor-swagger-ui: npm pack reported no integrity" >&2
	exit 1
}
tar -xzf "$tmp/swagger-ui-dist-$version.tgz" -C "$tmp"

rm -rf "$dist"
mkdir -p "$dist"
for f in "${files[@]}"; do
	cp "$tmp/package/$f" "$dist/$f"
done
printf 'package: swagger-ui-dist\nversion: %s\nintegrity: %s\nfiles: %s\n' \
	"$version" "$integrity" "${files[*]}" >"$apidocs/VENDORED"

echo "vendor-swagger-ui: swagger-ui-dist@$version ($integrity) in ${dist#"$root"/}"
