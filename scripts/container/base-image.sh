#!/usr/bin/env bash
# Build a local Node.js base image without pulling anything from a container registry:
#   a Debian root filesystem made by debootstrap (from the apt mirror), plus this machine's own
#   `node` and `npm`, imported with `docker import`.
#
# usage: base-image.sh IMAGE WORKDIR
#   IMAGE    the tag to give it; include a registry part (localhost/...), because kpt rewrites a
#            bare name to its default registry
#   WORKDIR  an empty scratch directory (the root filesystem is built there)
# env: DOCKER_HOST (the daemon to import into), DEBIAN_MIRROR (default http://deb.debian.org/debian),
#      DEBIAN_SUITE (default: this machine's Debian codename, else bookworm).
#
# The image has what a Node base image has: /bin/sh, a `nobody` user, node and npm in
# /usr/local/bin. It also carries this machine's CA bundle and npm registry setting, so that
# `npm ci` in a build stage reaches the registry the same way npm on this machine does.
set -euo pipefail

image=${1:?usage: base-image.sh IMAGE WORKDIR}
work=${2:?usage: base-image.sh IMAGE WORKDIR}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${DEBIAN_SUITE:-$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") )}
suite=${suite:-bookworm}
rootfs="$work/rootfs"

node_bin=$(readlink -f "$(command -v node)")
npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)

mkdir -p "$work"
# Downloaded .deb files go to apt's own cache, so a second run does not download them again.
cache=/var/cache/apt/archives
[ -w "$cache" ] || cache="$work/debs"
mkdir -p "$cache"
if ! debootstrap --variant=minbase --cache-dir="$cache" "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 20 "$work/debootstrap.log" >&2
  echo "base-image: debootstrap $suite from $mirror failed (log above)" >&2
  exit 3
fi

# node, and any shared library it needs that the root filesystem lacks.
install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
ldd "$node_bin" | awk '/=> \//{print $3} /^[ \t]*\//{print $1}' | while read -r lib; do
  if [ ! -e "$rootfs$lib" ]; then
    echo "base-image: copying $lib (needed by node, missing in $suite minbase)"
    install -D -m 0644 "$(readlink -f "$lib")" "$rootfs$lib"
  fi
done
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"

env_opts=(-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
for ca in "${NODE_EXTRA_CA_CERTS:-}" /etc/ssl/certs/ca-certificates.crt; do
  if [ -n "$ca" ] && [ -f "$ca" ]; then
    install -D -m 0644 "$ca" "$rootfs/etc/ssl/certs/ca-certificates.crt"
    env_opts+=(-c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
    break
  fi
done
registry=$(npm config get registry 2>/dev/null || true)
if [ -n "$registry" ]; then env_opts+=(-c "ENV npm_config_registry=$registry"); fi
env_opts+=(-c 'ENV npm_config_update_notifier=false')

# The check that matters: node and npm run inside the new root filesystem, as nobody.
chroot_bin=$(command -v chroot)
in_root() { env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/tmp "$chroot_bin" "$@"; }
in_root --userspec=65534:65534 "$rootfs" node --version >/dev/null
in_root "$rootfs" npm --version >/dev/null
grep -q '^nobody:' "$rootfs/etc/passwd"

rm -rf "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/info \
  "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar --numeric-owner -C "$rootfs" -c . | docker import "${env_opts[@]}" - "$image" >/dev/null
echo "base-image: $image ($suite minbase + node $("$node_bin" --version) + npm $(npm --version 2>/dev/null))"
