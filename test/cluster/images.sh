#!/usr/bin/env bash
# Builds the two images the cluster runs, from Debian's busybox-static, with no registry:
#   $BUSYBOX_IMAGE  a root filesystem with /bin/busybox and a symlink for each of its applets
#                   (sh, sleep, wget, nc, httpd, ...), /etc/passwd and /etc/group, /tmp
#   $PAUSE_IMAGE    the same layer; its entrypoint sleeps for ever (the pod sandbox process: it
#                   must keep running; containerd stops a sandbox with SIGKILL)
# as Docker image archives (manifest.json, config, one layer tar), imported into containerd's
# k8s.io namespace with `ctr images import`. Skipped when both images are there and were built
# from the same busybox binary (the stamp file holds its sha256).
#
#   images.sh          (up.sh calls it once containerd runs)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root_linux

busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list-full >/dev/null 2>&1 || die "no $busybox (apt-get install busybox-static)"

stamp="$state/images.stamp"
want="$(sha256sum "$busybox" | cut -d' ' -f1) $PAUSE_IMAGE $BUSYBOX_IMAGE"
have_images=$(ctr_ images ls -q)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
  grep -qxF "$PAUSE_IMAGE" <<<"$have_images" && grep -qxF "$BUSYBOX_IMAGE" <<<"$have_images"; then
  echo "images: $PAUSE_IMAGE and $BUSYBOX_IMAGE already imported"
  exit 0
fi

work=$(mktemp -d "$state/images.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The root filesystem.
root="$work/rootfs"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,var/run,proc,sys,dev}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
while read -r applet; do
  [ "$applet" = bin/busybox ] || [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done < <("$busybox" --list-full)
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# One reproducible layer.
layer="$work/layer.tar"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$layer" .
layer_digest=$(sha256sum "$layer" | cut -d' ' -f1)
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)

# archive NAME CONFIG_JSON OUT: a Docker image archive of the layer with that image config.
archive() {
  local name=$1 config=$2 out=$3 dir
  dir=$(mktemp -d "$work/archive.XXXXXX")
  cp "$layer" "$dir/layer.tar"
  printf '%s' "$config" >"$dir/config.json"
  local config_digest
  config_digest=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
  mv "$dir/config.json" "$dir/$config_digest.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$config_digest" "$name" >"$dir/manifest.json"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$out" .
}
path_env='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
rootfs_json='"rootfs":{"type":"layers","diff_ids":["sha256:'$layer_digest'"]}'
archive "$BUSYBOX_IMAGE" \
  '{"architecture":"'$arch'","os":"linux","config":{"Env":['$path_env'],"Cmd":["sh"],"WorkingDir":"/"},'"$rootfs_json"'}' \
  "$work/busybox.tar"
archive "$PAUSE_IMAGE" \
  '{"architecture":"'$arch'","os":"linux","config":{"Env":['$path_env'],"Entrypoint":["/bin/sleep","2147483647"],"WorkingDir":"/"},'"$rootfs_json"'}' \
  "$work/pause.tar"

for image in busybox pause; do
  ctr_ images import "$work/$image.tar" >/dev/null 2>"$work/import.err" ||
    { cat "$work/import.err" >&2; die "ctr images import $image failed"; }
done
have_images=$(ctr_ images ls -q)
for name in "$PAUSE_IMAGE" "$BUSYBOX_IMAGE"; do
  grep -qxF "$name" <<<"$have_images" || die "image $name missing after import (have: $have_images)"
done
echo "$want" >"$stamp"
echo "images: imported $PAUSE_IMAGE and $BUSYBOX_IMAGE (busybox $("$busybox" 2>&1 | head -n1 | awk '{print $2}'))"
