#!/usr/bin/env bash
# Builds the real tools the front-door tests run, into test/tools/.bin/, each
# from its own Go module (their dependency graphs conflict):
#   helm3/go.mod       helm      helm.sh/helm/v3           -> .bin/helm3
#   helm4/go.mod       helm      helm.sh/helm/v4           -> .bin/helm4
#   kustomize5/go.mod  kustomize sigs.k8s.io/kustomize/... -> .bin/kustomize5
# and pre-commit from PyPI into a venv at .venv/ (its version pinned below).
# go build decides what is out of date: with nothing changed a run only
# re-checks the caches. Cold build times are in the README (How this is tested).
#
#   TOOLS="helm3 kustomize5" test/tools/build.sh   build only some
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
bin="$PWD/.bin"
mkdir -p "$bin"
PRE_COMMIT_VERSION=4.3.0

# Static, reproducible, path-independent binaries; -buildvcs=false keeps this
# repo's git state out of the link so edits elsewhere never force a relink.
export CGO_ENABLED=0
goflags=(-trimpath -buildvcs=false)

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# build DIR OUT PKG LDFLAGS
build() {
	local dir=$1 out=$2 pkg=$3 ldflags=$4 t0 before
	# go build touches an up-to-date binary, so compare contents, not times.
	before=$({ cksum <"$bin/$out"; } 2>/dev/null || true)
	t0=$(now)
	(cd "$dir" && go build "${goflags[@]}" -ldflags="-s -w $ldflags" -o "$bin/$out" "$pkg")
	if [[ $(cksum <"$bin/$out") != "$before" ]]; then
		echo "    built $out in $(secs "$t0" "$(now)")s"
	else
		echo "    $out unchanged ($(secs "$t0" "$(now)")s)"
	fi
}

# The version a module pins, for the binaries' own --version.
pinned() { (cd "$1" && go list -m -f '{{.Version}}' "$2"); }

wanted() { [[ " ${TOOLS:-helm3 helm4 kustomize5 pre-commit} " == *" $1 "* ]]; }

start=$(now)
echo "$(go version); output in test/tools/.bin/"
if wanted helm3; then
	v=$(pinned helm3 helm.sh/helm/v3)
	build helm3 helm3 helm.sh/helm/v3/cmd/helm "-X helm.sh/helm/v3/internal/version.version=$v"
fi
if wanted helm4; then
	v=$(pinned helm4 helm.sh/helm/v4)
	build helm4 helm4 helm.sh/helm/v4/cmd/helm "-X helm.sh/helm/v4/internal/version.version=$v"
fi
if wanted kustomize5; then
	# kustomize finds its own version in the build info.
	build kustomize5 kustomize5 sigs.k8s.io/kustomize/kustomize/v5 ""
fi
if wanted pre-commit; then
	t0=$(now)
	if [[ $(.venv/bin/pre-commit --version 2>/dev/null) == "pre-commit $PRE_COMMIT_VERSION" ]]; then
		echo "    pre-commit up to date"
	else
		# ensurepip has failed once here on a loaded machine and then worked: try twice.
		rm -rf .venv
		python3 -m venv .venv || { rm -rf .venv && python3 -m venv .venv; }
		.venv/bin/pip install --quiet --disable-pip-version-check "pre-commit==$PRE_COMMIT_VERSION"
		echo "    installed pre-commit $PRE_COMMIT_VERSION in $(secs "$t0" "$(now)")s"
	fi
	ln -sf ../.venv/bin/pre-commit "$bin/pre-commit"
fi
echo "tools ready in $(secs "$start" "$(now)")s"
