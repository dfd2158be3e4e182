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
[ -d "$src" ] || { echo "render-for-config-sync: $src is not a directory" >&2; exit 2; }
# OUT is emptied package by package: it must be neither SRC nor inside it, nor hold it.
src_abs=$(realpath "$src")
out_abs=$(realpath -m "$out")
case "${out_abs%/}/" in
  "${src_abs%/}/"*) echo "render-for-config-sync: OUT_DIR ($out) must not be SRC_DIR or inside it; render to a directory of its own" >&2; exit 2 ;;
esac
case "${src_abs%/}/" in
  "${out_abs%/}/"*) echo "render-for-config-sync: OUT_DIR ($out) must not contain SRC_DIR; render to a directory of its own" >&2; exit 2 ;;
esac
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
  # SRC may be a package itself: then it renders to OUT.
  if [ -n "$rel" ]; then dest="$out/$rel"; else dest=$out; fi
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  echo "rendering ${rel:-.}" >&2
  if ! kpt fn render "$pkg" --allow-exec --truncate-output=false -o "$dest"; then
    echo "render failed: ${rel:-.}" >&2
    status=1
  fi
done < <(find "$src" -name Kptfile -not -path '*/.*' | sort)
# A package gone from SRC goes from OUT too, or Config Sync would keep applying it.
while IFS= read -r kptfile; do
  pkg=$(dirname "$kptfile")
  rel=${pkg#"$out"}
  rel=${rel#/}
  [ -d "$pkg" ] || continue # removed with a package above it
  if [ ! -f "$src/${rel:+$rel/}Kptfile" ]; then
    echo "removing ${rel:-.}: no package there in $src any more" >&2
    if [ -n "$rel" ]; then rm -rf "$pkg"; else find "$out" -mindepth 1 -delete; fi
  fi
done < <(find "$out" -name Kptfile -not -path '*/.*' | sort)
exit $status
