#!/usr/bin/env bash
# Quick start: install and build when needed, then render the bundled example package. With kpt on
# the PATH it runs `kpt fn render`; without it, the function itself on the package's files.
set -euo pipefail
cd "${BASH_SOURCE[0]%/*}/.."
pkg=examples/legacy-cloud-sql-proxy
[ -d node_modules ] || npm ci --no-audit --no-fund >&2
# Build unless dist/ is newer than every source file.
if [ ! -f dist/sidecar-order.cjs ] || [ -n "$(find src package.json -newer dist/sidecar-order.cjs -print -quit)" ]; then
  npm run build --silent >&2
fi
if command -v kpt >/dev/null 2>&1; then
  PATH="$PWD/dist/bin:$PATH" exec kpt fn render "$pkg" --allow-exec -o stdout
fi
echo "kpt is not on the PATH, so sidecar-order ran on $pkg's files directly. Under kpt (1.0.0-beta.56 tested), with dist/bin on the PATH: kpt fn render $pkg --allow-exec -o stdout" >&2
exec node dist/sidecar-order.cjs --config "$pkg/sidecar-order.yaml" "$pkg"
