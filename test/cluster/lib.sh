# Sourced by up.sh, images.sh, down.sh and status.sh: paths, settings and small helpers.
# Every path is computed from this file's own location; nothing here names a machine path
# except the system locations Debian's packages and the kubelet use.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=cluster.env
. "$here/cluster.env"

bin_dir="$here/.bin"
state="$here/.state"
pids="$state/pids"
logs="$state/logs"
etc="$state/etc"
containerd_root="$state/containerd/root"
containerd_state="$state/containerd/state"
containerd_sock="$state/containerd/containerd.sock"
runc_root="$state/runc"
cni_conf_dir="$etc/cni"
cni_data_dir="$state/cni"
kubelet_root="$state/kubelet"
manifests="$state/manifests"
pod_logs="$state/pod-logs"
etcd_data="$state/etcd"
kubeconfig="$state/kubeconfig"
sysctl_saved="$state/sysctl.orig"
# Where Debian's containernetworking-plugins puts the CNI binaries.
cni_bin_dir=/usr/lib/cni
# The kubelet's legacy per-container log symlinks; the path is fixed in the kubelet.
legacy_log_dir=/var/log/containers
# The host settings that the kubelet (setupKernelTunables in pkg/kubelet/cm) and the CNI bridge
# plugin (isGateway turns on forwarding) rewrite; up records them, down puts them back.
tracked_sysctls=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.ip_forward)
# The daemons, in start order; down stops them in reverse.
daemons=(containerd etcd kube-apiserver kubelet)

ctr_() { ctr --address "$containerd_sock" --namespace k8s.io "$@"; }

die() { echo "cluster: $*" >&2; exit 1; }
note() { echo "cluster: $*" >&2; }

require_root_linux() {
  [ "$(uname -s)" = Linux ] || { echo "cluster: needs Linux (this is $(uname -s))" >&2; exit 2; }
  [ "$(id -u)" = 0 ] || { echo "cluster: needs root (containerd, the kubelet, cgroups and sysctls)" >&2; exit 2; }
}

# pid_of NAME: the pid recorded for daemon NAME if that process is still the one we started
# (its executable is the one we recorded, possibly since replaced on disk: a rebuild of .bin/
# while it runs shows as "PATH (deleted)"), else nothing.
pid_of() {
  local f="$pids/$1.pid" pid exe now
  [ -f "$f" ] || return 0
  read -r pid exe <"$f" || true
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
  now=$(readlink "/proc/$pid/exe" 2>/dev/null)
  [ "${now% (deleted)}" = "$exe" ] || return 0
  echo "$pid"
}

# stop_pid NAME SECONDS: TERM, then KILL after SECONDS, the daemon we recorded as NAME.
stop_pid() {
  local name=$1 wait=${2:-15} pid
  pid=$(pid_of "$name")
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((wait * 10))); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    if [ -d "/proc/$pid" ]; then
      note "$name (pid $pid) ignored SIGTERM for ${wait}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    fi
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$pids/$name.pid"
}

# mounts_under DIR: mount points at or below DIR, deepest first.
mounts_under() {
  awk -v d="$1" '{ m = $2; gsub(/\\040/, " ", m); if (m == d || index(m, d "/") == 1) print m }' /proc/self/mounts | sort -r
}
