#!/usr/bin/env bash
# Render every kpt package under SRC into OUT: the "wet" tree that Config Sync syncs.
# Config Sync cannot run exec or container functions in the cluster, so render in CI and point
# RootSync/RepoSync at OUT (committed, or published as an OCI artifact).
#   scripts/render-for-config-sync.sh SRC_DIR OUT_DIR
# sidecar-order must be on the PATH (pipelines say `exec: sidecar-order`).
set -euo pipefail
src=${1:?usage: render-for-config-sync.sh SRC_DIR OUT_DIR}
out=${2:?usage: render-for-config-sync.sh SRC_DIR OUT_DIR}
src=${src%/}
mkdir -p "$out"
status=0
# Top-level packages only: kpt renders a package's subpackages with it.
while IFS= read -r kptfile; do
  pkg=$(dirname "$kptfile")
  parent=$(dirname "$pkg")
  nested=false
  while [ "$parent" != "$src" ] && [ "${#parent}" -gt "${#src}" ]; do
    if [ -f "$parent/Kptfile" ]; then nested=true; break; fi
    parent=$(dirname "$parent")
  done
  $nested && continue
  rel=${pkg#"$src"}
  rel=${rel#/}
  dest="$out/${rel:-.}"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  echo "rendering ${rel:-.}" >&2
  if ! kpt fn render "$pkg" --allow-exec --truncate-output=false -o "$dest"; then
    echo "render failed: ${rel:-.}" >&2
    status=1
  fi
done < <(find "$src" -name Kptfile -not -path '*/.*' | sort)
exit $status
