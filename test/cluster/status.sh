#!/usr/bin/env bash
# Prints what of the test cluster runs: each daemon with its pid, the endpoints, the static
# pods and containerd's tasks. Exit status 0 when all four daemons run, 3 when none does, 1 else.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root_linux

up=0
for d in "${daemons[@]}"; do
  pid=$(pid_of "$d")
  if [ -n "$pid" ]; then
    up=$((up + 1))
    printf '%-15s running  pid %-7s since %s\n' "$d" "$pid" "$(ps -o lstart= -p "$pid")"
  else
    printf '%-15s stopped\n' "$d"
  fi
done
for f in "$pids"/events-*.pid; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .pid)
  pid=$(pid_of "$name")
  [ -n "$pid" ] && printf '%-15s running  pid %s (a run'"'"'s ctr events watcher)\n' "$name" "$pid"
done
if [ $up -gt 0 ]; then
  echo
  echo "kube-apiserver https://127.0.0.1:$APISERVER_PORT (kubectl --kubeconfig test/cluster/.state/kubeconfig)"
  echo "kubelet        http://127.0.0.1:$KUBELET_READONLY_PORT/pods (read-only), static pods in test/cluster/.state/manifests"
  echo "etcd           http://127.0.0.1:$ETCD_CLIENT_PORT"
  echo "containerd     $containerd_sock"
  if [ -n "$(pid_of kubelet)" ]; then
    echo
    echo "static pods (kubelet):"
    curl -fsS --max-time 2 "http://127.0.0.1:$KUBELET_READONLY_PORT/pods" 2>/dev/null |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const l=JSON.parse(s).items||[];
        if(!l.length)console.log("  none");
        for(const p of l)console.log(`  ${p.metadata.namespace}/${p.metadata.name}  ${p.status?.phase??"?"}`)})' ||
      echo "  (read-only port not answering)"
  fi
  if [ -n "$(pid_of containerd)" ]; then
    echo
    echo "containerd tasks: $(ctr_ tasks ls 2>/dev/null | awk 'NR > 1 && $3 == "RUNNING"' | wc -l) running, images: $(ctr_ images ls -q 2>/dev/null | grep -v '^sha256:' | tr '\n' ' ')"
  fi
fi
[ -f "$sysctl_saved" ] && echo && echo "host sysctls recorded for down: $(tr '\n' ' ' <"$sysctl_saved")"
if [ $up = ${#daemons[@]} ]; then exit 0; elif [ $up = 0 ]; then exit 3; else exit 1; fi
