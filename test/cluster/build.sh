#!/usr/bin/env bash
# Builds the real Kubernetes components that test/cluster runs into
# test/cluster/.bin/, from the Go modules pinned in
#   components/go.mod         kubelet, kube-apiserver (k8s.io/kubernetes), etcd
#   components/crictl/go.mod  crictl (sigs.k8s.io/cri-tools)
# with Go's normal module and build caches. go build itself decides what is out
# of date: a run with nothing changed only re-checks the caches and leaves the
# binaries alone. Timings and sizes of a cold build are in BUILD.md.
#
#   CLUSTER_CRICTL=0 test/cluster/build.sh   skip crictl
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
bin="$PWD/.bin"
mkdir -p "$bin"

# Static binaries, no C toolchain needed (upstream builds kube-apiserver this
# way; kubelet upstream links cgo when it can, which a test cluster doesn't
# need). -s -w drop the symbol table and DWARF (etcd: 38 MB -> 26 MB);
# -trimpath keeps the module cache's location out of the binaries;
# -buildvcs=false keeps this repo's git state out of the link, so edits
# elsewhere in the work tree never force a relink.
export CGO_ENABLED=0
goflags=(-trimpath -buildvcs=false)

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ids: one line per binary in .bin/ with a checksum of its first 4 KiB, which
# holds the ELF note with Go's build ID (a hash of all its inputs). go build
# touches an up-to-date binary without rewriting it, so mtimes can't tell.
ids() {
	local f
	for f in "$bin"/*; do
		[[ -f $f ]] && echo "${f##*/} $(head -c 4096 "$f" | cksum)"
	done
	return 0
}

# build DIR LDFLAGS OUT PKG... : one go build for PKGs in module DIR, so the
# packages they share compile once. OUT is a directory (ending in /) or a file.
build() {
	local dir=$1 ldflags=$2 out=$3
	shift 3
	local before t0 t1 rebuilt
	before=$(ids)
	t0=$(now)
	(cd "$dir" && go build "${goflags[@]}" -ldflags="$ldflags" -o "$out" "$@")
	t1=$(now)
	rebuilt=$(comm -13 <(sort <<<"$before") <(ids | sort) | cut -d' ' -f1 | tr '\n' ' ')
	if [[ -n $rebuilt ]]; then
		echo "    built ${rebuilt% } in $(secs "$t0" "$t1")s"
	else
		echo "    up to date ($(secs "$t0" "$t1")s to check)"
	fi
}

start=$(now)
echo "$(go version); output in test/cluster/.bin/"

# Version stamps the way Kubernetes' own build sets them (hack/lib/version.sh),
# so `kubelet --version` and the node's reported kubeletVersion say v1.34.x,
# not v0.0.0-master. buildDate is the release's date, so it never changes
# between builds and never forces a relink.
read -r kver kdate < <(cd components &&
	go list -m -f '{{.Version}} {{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)
kmajor=${kver#v}; kmajor=${kmajor%%.*}
kminor=${kver#v*.}; kminor=${kminor%%.*}
kflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	kflags+=" -X $pkg.gitVersion=$kver -X $pkg.gitMajor=$kmajor -X $pkg.gitMinor=$kminor"
	kflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$kdate"
done

echo "==> kubelet, kube-apiserver (k8s.io/kubernetes $kver)"
build components "$kflags" "$bin/" \
	k8s.io/kubernetes/cmd/kubelet \
	k8s.io/kubernetes/cmd/kube-apiserver

# etcd's main package is the module root go.etcd.io/etcd/server/v3, which go
# build would name "server", hence its own -o. Same module and build cache, so
# what it shares with kube-apiserver (grpc, otel, the etcd client) is reused.
etcdver=$(cd components && go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)
echo "==> etcd (go.etcd.io/etcd/server/v3 $etcdver)"
build components "-s -w" "$bin/etcd" go.etcd.io/etcd/server/v3

if [[ ${CLUSTER_CRICTL:-1} != 0 ]]; then
	criver=$(cd components/crictl && go list -m -f '{{.Version}}' sigs.k8s.io/cri-tools)
	echo "==> crictl (sigs.k8s.io/cri-tools $criver)"
	build components/crictl "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$criver" \
		"$bin/crictl" sigs.k8s.io/cri-tools/cmd/crictl
fi

# The CRDs of the custom workload kinds the examples use, from the Go modules that publish them
# (module zips hold their config/), so the API server judges those objects by their own schemas:
# .crds/ holds each as MODULE-VERSION.yaml.
crds="$PWD/.crds"
mkdir -p "$crds"
crd() { # MODULE VERSION FILE (in the module)
	local out="$crds/${1##*/}-$2.yaml" dir
	[[ -s $out ]] && return 0
	rm -f "$crds/${1##*/}-"*.yaml # another version's, from before a bump
	dir=$(cd / && go mod download -json "$1@$2" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
	[[ -n $dir && -f $dir/$3 ]] || { echo "build.sh: no $3 in $1@$2" >&2; exit 1; }
	cp "$dir/$3" "$out"
	chmod 644 "$out"
	echo "    $1@$2: ${3##*/}"
}
echo "==> CRDs (JobSet, RayCluster)"
crd sigs.k8s.io/jobset v0.10.1 config/components/crd/bases/jobset.x-k8s.io_jobsets.yaml
crd github.com/ray-project/kuberay/ray-operator v1.4.0 config/crd/bases/ray.io_rayclusters.yaml

echo "==> done in $(secs "$start" "$(now)")s"
(cd "$bin" && ls -l -- * | awk '{ printf "    %5.1f MiB  %s\n", $5 / 1048576, $NF }')
