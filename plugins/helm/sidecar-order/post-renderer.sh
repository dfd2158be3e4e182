#!/bin/sh
# Helm's manifests on stdin, the ordered ones on stdout, the results on stderr. Uses the
# sidecar-order on the PATH, else the one built (npm run build) in the clone this plugin was
# installed from: helm plugin install links the directory, so resolve the link (cd -P) first.
if command -v sidecar-order >/dev/null 2>&1; then exec sidecar-order "$@"; fi
clone=$(cd -P "$HELM_PLUGIN_DIR/../../.." 2>/dev/null && pwd -P)
if [ -n "$clone" ] && [ -f "$clone/dist/sidecar-order.cjs" ]; then exec node "$clone/dist/sidecar-order.cjs" "$@"; fi
echo "sidecar-order: not on the PATH, and not built in ${clone:-the plugin's clone}: npm install -g sidecar-order, or npm ci && npm run build there" >&2
exit 1
