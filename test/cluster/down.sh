#!/usr/bin/env bash
# Stops what up.sh started and undoes what it and the daemons changed on the host:
#   1. removes every static pod manifest and waits for the kubelet to stop those pods (their
#      preStop hooks and grace periods run; their sandboxes' networks are torn down by the CRI)
#   2. stops run.mjs's event watchers, then the kubelet, kube-apiserver and etcd, by pid
#   3. kills and removes whatever containers and sandboxes are left, then stops containerd
#   4. unmounts everything under test/cluster/.state, deletes the CNI bridge and leftover pod
#      network namespaces, removes the cgroup parent and the kubelet's /var/log/containers links
#   5. restores the sysctls up.sh recorded
#   6. deletes the runtime state (kubelet root, pod logs, etcd data, containerd state); keeps
#      containerd's image store, the certificates and the daemons' logs for the next up
#
#   down.sh            (down.sh --purge also deletes all of test/cluster/.state)
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root_linux
purge=0
[ "${1:-}" = --purge ] && purge=1
[ -d "$state" ] || { echo "nothing to do: no test/cluster/.state"; exit 0; }

containerd_up() { [ -n "$(pid_of containerd)" ] && ctr_ version >/dev/null 2>&1; }
running_tasks() { ctr_ tasks ls 2>/dev/null | awk 'NR > 1 && $3 == "RUNNING"' | wc -l; }

# --- 1. pods -------------------------------------------------------------------------------
if [ -n "$(pid_of kubelet)" ] && [ -d "$manifests" ] && [ -n "$(ls -A "$manifests" 2>/dev/null)" ]; then
  echo "removing $(ls -A "$manifests" | wc -l) static pod(s); waiting for the kubelet to stop them"
  rm -f "$manifests"/* "$manifests"/.[!.]* 2>/dev/null
  for _ in $(seq 1 900); do # at most 90 s: grace periods and preStop hooks run
    containerd_up && [ "$(running_tasks)" = 0 ] && break
    sleep 0.1
  done
fi

# --- 2. the daemons ----------------------------------------------------------------------
for f in "$pids"/events-*.pid; do
  [ -e "$f" ] || continue
  stop_pid "$(basename "$f" .pid)" 2
done
stop_pid kubelet 20
stop_pid kube-apiserver 20
stop_pid etcd 10

# --- 3. containers and sandboxes left over -----------------------------------------------
netns_paths=()
if containerd_up; then
  ids=$(ctr_ containers ls -q 2>/dev/null)
  for id in $ids; do
    # A CRI sandbox's network namespace (/var/run/netns/cni-...), from its OCI spec.
    ns=$(ctr_ containers info "$id" 2>/dev/null | tr -d ' \n' |
      grep -o '"type":"network","path":"[^"]*"' | sed 's/.*"path":"//; s/"$//')
    [ -n "$ns" ] && netns_paths+=("$ns")
    ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1
  done
  for id in $ids; do
    for _ in $(seq 1 20); do ctr_ tasks rm -f "$id" >/dev/null 2>&1 && break; ctr_ tasks ls -q 2>/dev/null | grep -qx "$id" || break; sleep 0.1; done
    ctr_ containers rm "$id" >/dev/null 2>&1
  done
  [ -n "$ids" ] && echo "removed $(echo "$ids" | wc -w) container(s)/sandbox(es) left over"
fi
stop_pid containerd 20
# Shims of ours that outlived containerd (their command line names our containerd socket).
for p in /proc/[0-9]*; do
  if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q -- "-address $containerd_sock "; then
    kill -KILL "${p#/proc/}" 2>/dev/null && echo "killed leftover shim ${p#/proc/}"
  fi
done

# --- 4. mounts, network, cgroups, log links ----------------------------------------------
for ns in "${netns_paths[@]}"; do
  [ -e "$ns" ] || continue
  umount "$ns" 2>/dev/null || umount -l "$ns" 2>/dev/null
  rm -f "$ns" && echo "removed network namespace $ns"
done
sleep 0.2
for m in $(mounts_under "$state"); do
  umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || note "could not unmount $m"
done
if ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link del "$BRIDGE" && echo "deleted bridge $BRIDGE"
fi
rm -f /var/lib/cni/results/"$CNI_NETWORK"-* 2>/dev/null
# Remove the cgroup parent in every hierarchy, deepest first (rmdir only: an empty cgroup).
while read -r mnt; do
  [ -d "$mnt/$CGROUP_ROOT" ] || continue
  find "$mnt/$CGROUP_ROOT" -depth -type d -exec rmdir {} + 2>/dev/null
  [ -d "$mnt/$CGROUP_ROOT" ] && note "cgroup $mnt/$CGROUP_ROOT still has processes or children"
done < <(awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/self/mounts)
if [ -d "$legacy_log_dir" ]; then
  find "$legacy_log_dir" -maxdepth 1 -type l -lname "$pod_logs/*" -delete
fi
# System directories that did not exist before up: the sockets the daemons left there (the
# kubelet's device-plugins/kubelet.sock), then the directories left empty.
for marker in "$state"/created_*; do
  [ -e "$marker" ] || continue
  d=$(basename "$marker" | sed 's/^created//; s/_/\//g')
  [ -d "$d" ] && find "$d" -type s -delete 2>/dev/null
  [ -d "$d" ] && find "$d" -depth -type d -empty -delete 2>/dev/null
  rm -f "$marker"
done
rm -f "$state"/existed_*

# --- 5. sysctls ----------------------------------------------------------------------------
if [ -f "$sysctl_saved" ]; then
  while IFS='=' read -r key value; do
    [ -n "$key" ] || continue
    if [ "$(sysctl -n "$key")" != "$value" ]; then
      sysctl -q -w "$key=$value" && echo "restored $key=$value"
    fi
  done <"$sysctl_saved"
  rm -f "$sysctl_saved"
fi

# --- 6. runtime state ----------------------------------------------------------------------
if [ -n "$(mounts_under "$state")" ]; then
  note "mounts still under test/cluster/.state; not deleting it:"
  mounts_under "$state" >&2
  exit 1
fi
if [ $purge = 1 ]; then
  rm -rf --one-file-system "$state"
  echo "deleted test/cluster/.state"
else
  rm -rf --one-file-system "$kubelet_root" "$pod_logs" "$manifests" "$etcd_data" "$containerd_state" \
    "$runc_root" "$cni_data_dir" "$state/containerd/opt" "$state/apiserver" "$state/kubelet-plugins" "$pids"
fi
echo "cluster down"
