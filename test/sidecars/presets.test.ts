/** What each preset emits, exactly, under each strategy (the README's preset table). */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PRESET_NAMES } from "../../src/config/schema";
import { PRESETS } from "../../src/sidecars/presets";
import { messages, resourceList, runChecked, typedConfig } from "../support/resource-list";

interface Expected {
  container: string;
  image: string;
  args?: string[];
  legacyWait?: string[];
  /** Fragment of the legacy warning when there is no wait command. */
  noWait?: RegExp;
  startupProbe?: Record<string, unknown>;
}

const EXPECTED: Record<(typeof PRESET_NAMES)[number], Expected> = {
  istio: {
    container: "istio-proxy",
    image: "docker.io/istio/proxyv2:1.24.0",
    legacyWait: ["pilot-agent", "wait", "--timeoutSeconds=120"],
    startupProbe: { httpGet: { path: "/healthz/ready", port: 15021 }, periodSeconds: 1, failureThreshold: 120 },
  },
  linkerd: {
    container: "linkerd-proxy",
    image: "cr.l5d.io/linkerd/proxy:edge-24.11.8",
    legacyWait: ["/usr/lib/linkerd/linkerd-await", "--timeout=120s", "--port=4191"],
    startupProbe: { httpGet: { path: "/ready", port: 4191 }, periodSeconds: 1, failureThreshold: 120 },
  },
  kuma: {
    container: "kuma-sidecar",
    image: "docker.io/kumahq/kuma-dp:2.9.0",
    legacyWait: ["kuma-dp", "wait", "--url", "http://localhost:9902/ready", "--timeout=120s"],
    startupProbe: { httpGet: { path: "/ready", port: 9902 }, periodSeconds: 1, failureThreshold: 120 },
  },
  "cloud-sql-proxy": {
    container: "cloud-sql-proxy",
    image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1",
    args: ["--health-check", "--http-address=0.0.0.0", "p:r:i"],
    legacyWait: ["/cloud-sql-proxy", "wait", "--max", "120s"],
    startupProbe: { httpGet: { path: "/startup", port: 9090 }, periodSeconds: 1, failureThreshold: 120 },
  },
  consul: {
    container: "consul-dataplane",
    image: "hashicorp/consul-dataplane:1.6.1",
    noWait: /listens on 127\.0\.0\.1 only/,
    startupProbe: { exec: { command: ["/usr/local/bin/consul-dataplane", "-check-proxy-health"] }, periodSeconds: 1, failureThreshold: 120 },
  },
  dapr: {
    container: "daprd",
    image: "ghcr.io/dapr/daprd:1.14.4",
    noWait: /daprd has no wait command/,
    startupProbe: { httpGet: { path: "/v1.0/healthz/outbound", port: 3501 }, periodSeconds: 1, failureThreshold: 120 },
  },
  opentelemetry: {
    container: "otc-container",
    image: "otel/opentelemetry-collector-contrib:0.114.0",
    noWait: /distroless/,
    startupProbe: { httpGet: { path: "/", port: 13133 }, periodSeconds: 1, failureThreshold: 120 },
  },
  vault: {
    container: "vault-agent",
    image: "hashicorp/vault:1.18.1",
    noWait: /no wait command or readiness endpoint/,
  },
};

/** A pod with an app and the preset's sidecar; `more` are other fields of the sidecar (env, envFrom), in flow style. */
function pod(e: Expected & { more?: Record<string, unknown> }): string {
  const args = e.args ? `\n    args: ${JSON.stringify(e.args)}` : "";
  const more = Object.entries(e.more ?? {}).map(([k, v]) => `\n    ${k}: ${JSON.stringify(v)}`).join("");
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    kubectl.kubernetes.io/default-container: app\nspec:\n  containers:\n  - name: app\n    image: app\n  - name: ${e.container}\n    image: ${e.image}${args}${more}\n`;
}

type PodOut = { spec: { containers: Record<string, unknown>[]; initContainers?: Record<string, unknown>[] } };

describe("presets", () => {
  it("exist for every preset name in the schema, in the same order", () => {
    expect(PRESETS.map((p) => p.name).sort()).toEqual([...PRESET_NAMES].sort());
  });

  describe.each(Object.entries(EXPECTED))("%s", (name, e) => {
    it("legacy: ordered first, with exactly this wait hook (or a warning, never a useless hook)", () => {
      const out = runChecked(resourceList([pod(e)], typedConfig(`strategy: legacy\nsidecars:\n- preset: ${name}\n  stopAfterApp: false\n`)));
      const item = parse(out.bodies[1]!) as PodOut;
      expect(item.spec.containers.map((c) => c["name"])).toEqual([e.container, "app"]);
      const lifecycle = item.spec.containers[0]!["lifecycle"] as { postStart?: unknown } | undefined;
      if (e.legacyWait) {
        expect(lifecycle?.postStart).toEqual({ exec: { command: e.legacyWait } });
        expect(messages(out.results, "warning")).toEqual([]);
      } else {
        expect(lifecycle).toBeUndefined();
        expect(messages(out.results, "warning")).toEqual([expect.stringMatching(e.noWait!)]);
        // Native sidecars are advised only where the preset has a startupProbe to give them (not Vault's agent).
        expect(messages(out.results, "warning")[0]).toMatch(e.startupProbe ? /; use native sidecars \(Kubernetes 1\.29 or later\), which gate on a startupProbe instead$/ : /; add wait\.exec \(a command in its image that blocks until it is ready and times out\) to its sidecars entry$/);
      }
    });

    it("native: a restartable init container with exactly this startupProbe", () => {
      const out = runChecked(resourceList([pod(e)], typedConfig(`strategy: native\nsidecars:\n- preset: ${name}\n`)));
      const item = parse(out.bodies[1]!) as PodOut;
      const sidecar = item.spec.initContainers![0]!;
      expect(sidecar["name"]).toBe(e.container);
      expect(sidecar["restartPolicy"]).toBe("Always");
      expect(sidecar["startupProbe"]).toEqual(e.startupProbe);
      if (!e.startupProbe) expect(messages(out.results, "warning")).toEqual([expect.stringMatching(/has no startupProbe, readinessProbe or wait command/)]);
    });

    it("is found with no config at all (every preset active), and says so", () => {
      const out = runChecked(resourceList([pod(e)]));
      const item = parse(out.bodies[1]!) as PodOut;
      expect(item.spec.initContainers?.[0]?.["name"]).toBe(e.container);
      expect(messages(out.results, "info")).toContainEqual(expect.stringMatching(/^no sidecars were configured, so every preset was used \(istio, linkerd/));
    });
  });

  it("a custom admin port reaches both the wait command and the probe", () => {
    const cfg = (strategy: string) => typedConfig(`strategy: ${strategy}\nsidecars:\n- preset: istio\n  adminPort: 15999\n  timeoutSeconds: 45\n`);
    const legacy = parse(runChecked(resourceList([pod(EXPECTED.istio)], cfg("legacy"))).bodies[1]!) as PodOut;
    expect((legacy.spec.containers[0]!["lifecycle"] as { postStart: unknown }).postStart).toEqual({
      exec: { command: ["pilot-agent", "wait", "--timeoutSeconds=45", "--url=http://localhost:15999/healthz/ready"] },
    });
    const native = parse(runChecked(resourceList([pod(EXPECTED.istio)], cfg("native"))).bodies[1]!) as PodOut;
    expect(native.spec.initContainers![0]!["startupProbe"]).toEqual({ httpGet: { path: "/healthz/ready", port: 15999 }, periodSeconds: 1, failureThreshold: 45 });
  });

  it("an entry's own wait, probe, name and image override the preset's", () => {
    const cfg = typedConfig(`strategy: legacy\nsidecars:\n- preset: linkerd\n  name: mesh\n  stopAfterApp: false\n  wait: {exec: [/custom-wait]}\n`);
    const input = pod({ ...EXPECTED.linkerd, container: "mesh" });
    const out = parse(runChecked(resourceList([input], cfg)).bodies[1]!) as PodOut;
    expect(out.spec.containers[0]).toMatchObject({ name: "mesh", lifecycle: { postStart: { exec: { command: ["/custom-wait"] } } } });
    const other = runChecked(resourceList([pod(EXPECTED.linkerd)], cfg));
    expect(other.bodies[1]).toBe(pod(EXPECTED.linkerd));
  });

  it("cloud-sql-proxy without --health-check gets no probe or wait that could never succeed, and one warning that says what to add", () => {
    // A /startup probe or `cloud-sql-proxy wait` on a proxy that serves no /startup would fail
    // forever, and the pod would never start: the sidecar is ordered without them, and told why.
    const out = runChecked(resourceList([pod({ ...EXPECTED["cloud-sql-proxy"], args: ["p:r:i"] })], typedConfig("strategy: native\nsidecars:\n- preset: cloud-sql-proxy\n")));
    const sidecar = (parse(out.bodies[1]!) as PodOut).spec.initContainers![0]!;
    expect(sidecar["startupProbe"]).toBeUndefined();
    expect(sidecar["lifecycle"]).toBeUndefined();
    expect(messages(out.results, "warning")).toEqual([
      expect.stringMatching(
        /has no startupProbe, readinessProbe or wait command \(Cloud SQL Auth Proxy gives none: it is not started with --health-check.*; add --health-check and --http-address=0\.0\.0\.0 to its args \(or CSQL_PROXY_HEALTH_CHECK and CSQL_PROXY_HTTP_ADDRESS to its env\), or give it a startupProbe/,
      ),
    ]);
    // Said again on every run of the output (the sidecar is native already), with the same fix.
    const again = runChecked(resourceList([out.bodies[1]!], typedConfig("strategy: native\nsidecars:\n- preset: cloud-sql-proxy\n")));
    expect(again.bodies[1]).toBe(out.bodies[1]);
    expect(messages(again.results, "warning")).toEqual([expect.stringMatching(/^native sidecar "cloud-sql-proxy" has no startupProbe or postStart hook \(Cloud SQL Auth Proxy gives none: .*; add --health-check and --http-address=0\.0\.0\.0 to its args .*, or give it a startupProbe in the workload/)]);
    const legacy = runChecked(resourceList([pod({ ...EXPECTED["cloud-sql-proxy"], args: ["p:r:i"] })], typedConfig("strategy: legacy\nsidecars:\n- preset: cloud-sql-proxy\n")));
    expect((parse(legacy.bodies[1]!) as PodOut).spec.containers[0]!["lifecycle"]).toBeUndefined();
    expect(messages(legacy.results, "warning")).toEqual([expect.stringMatching(/has no wait command, .*it is not started with --health-check, so it serves no \/startup to ask; add --health-check and --http-address=0\.0\.0\.0 to its args .*, or add wait\.exec/)]);
    // A wait of the user's own in the entry: nothing to warn of (the old check said "gives it no wait command" even then).
    const own = runChecked(resourceList([pod({ ...EXPECTED["cloud-sql-proxy"], args: ["p:r:i"] })], typedConfig("strategy: legacy\nsidecars:\n- preset: cloud-sql-proxy\n  wait: {exec: [/bin/my-wait, --timeout=60s]}\n")));
    expect(messages(own.results, "warning")).toEqual([]);
  });

  it("cloud-sql-proxy set up by its CSQL_PROXY_ variables, as upstream's Kubernetes example does, is probed where they say", () => {
    const env = [
      { name: "CSQL_PROXY_HEALTH_CHECK", value: "true" },
      { name: "CSQL_PROXY_HTTP_PORT", value: "9801" },
      { name: "CSQL_PROXY_HTTP_ADDRESS", value: "0.0.0.0" },
    ];
    const native = (more: Record<string, unknown>, args = ["p:r:i"]) => runChecked(resourceList([pod({ ...EXPECTED["cloud-sql-proxy"], args, more })], typedConfig("strategy: native\nsidecars:\n- preset: cloud-sql-proxy\n")));
    const byEnv = native({ env });
    expect(messages(byEnv.results, "warning")).toEqual([]);
    expect((parse(byEnv.bodies[1]!) as PodOut).spec.initContainers![0]!["startupProbe"]).toMatchObject({ httpGet: { path: "/startup", port: 9801 } });
    // A flag wins over its variable; settings from a ConfigMap (envFrom, valueFrom) cannot be read: trusted, and said.
    const flagWins = native({ env }, ["--http-address=127.0.0.1", "p:r:i"]);
    expect(messages(flagWins.results, "warning")).toEqual([expect.stringMatching(/serves \/startup on localhost only/)]);
    // Booleans as the proxy reads them (Go's ParseBool); a bare flag is true whatever follows it.
    expect(messages(native({ env: [{ name: "CSQL_PROXY_HEALTH_CHECK", value: "1" }, env[2]] }).results, "warning")).toEqual([]);
    expect(messages(native({}, ["--health-check", "false", "--http-address=0.0.0.0"]).results, "warning")).toEqual([]);
    // A port from elsewhere matters only with health checks on: without them nothing is assumed.
    expect(messages(native({ env: [{ name: "CSQL_PROXY_HTTP_PORT", valueFrom: { configMapKeyRef: { name: "p", key: "port" } } }] }).results, "warning")).toEqual([
      expect.stringMatching(/has no startupProbe, readinessProbe or wait command .*is not started with --health-check/),
    ]);
    // A port from elsewhere and an address given as localhost: both said, the address as it is.
    expect(messages(native({ envFrom: [{ configMapRef: { name: "p" } }] }, ["--health-check", "--http-address=127.0.0.1", "p:r:i"]).results, "warning")).toEqual([
      expect.stringMatching(/may take --http-port from env .* assumed health checks on localhost, port 9090/),
      expect.stringMatching(/serves \/startup on localhost only/),
    ]);
    const fromConfigMap = native({ envFrom: [{ configMapRef: { name: "proxy-settings" } }] });
    expect(messages(fromConfigMap.results, "warning")).toEqual([expect.stringMatching(/may take --health-check, --http-address, --http-port from env that sidecar-order cannot read .* assumed health checks on 0\.0\.0\.0, port 9090/)]);
    expect((parse(fromConfigMap.bodies[1]!) as PodOut).spec.initContainers![0]!["startupProbe"]).toMatchObject({ httpGet: { path: "/startup", port: 9090 } });
  });

  it("cloud-sql-proxy: the wait command and startupProbe follow --http-port in its args", () => {
    const args = ["--health-check", "--http-address=0.0.0.0", "--http-port=9191", "p:r:i"];
    const legacy = parse(runChecked(resourceList([pod({ ...EXPECTED["cloud-sql-proxy"], args })], typedConfig("strategy: legacy\nsidecars:\n- preset: cloud-sql-proxy\n"))).bodies[1]!) as PodOut;
    expect(legacy.spec.containers[0]).toMatchObject({ lifecycle: { postStart: { exec: { command: ["/cloud-sql-proxy", "wait", "--max", "120s", "--http-port=9191"] } } } });
    const split = ["--health-check", "--http-address=0.0.0.0", "--http-port", "9191", "p:r:i"];
    const native = parse(runChecked(resourceList([pod({ ...EXPECTED["cloud-sql-proxy"], args: split })], typedConfig("strategy: native\nsidecars:\n- preset: cloud-sql-proxy\n"))).bodies[1]!) as PodOut;
    expect(native.spec.initContainers![0]!["startupProbe"]).toMatchObject({ httpGet: { path: "/startup", port: 9191 } });
    // A config adminPort wins over the args (README: the args count only when adminPort is not set).
    const configured = parse(runChecked(resourceList([pod({ ...EXPECTED["cloud-sql-proxy"], args })], typedConfig("strategy: native\nsidecars:\n- preset: cloud-sql-proxy\n  adminPort: 9292\n"))).bodies[1]!) as PodOut;
    expect(configured.spec.initContainers![0]!["startupProbe"]).toMatchObject({ httpGet: { path: "/startup", port: 9292 } });
  });

  it("cloud-sql-proxy under legacy: its wait runs inside the container, so localhost-only health checks are fine", () => {
    const out = runChecked(resourceList([pod({ ...EXPECTED["cloud-sql-proxy"], args: ["--health-check", "p:r:i"] })], typedConfig("strategy: legacy\nsidecars:\n- preset: cloud-sql-proxy\n")));
    expect(messages(out.results, "warning")).toEqual([]);
    // Native: the kubelet could not reach a /startup probe, so the same wait holds the app instead.
    const native = runChecked(resourceList([pod({ ...EXPECTED["cloud-sql-proxy"], args: ["--health-check", "p:r:i"] })], typedConfig("strategy: native\nsidecars:\n- preset: cloud-sql-proxy\n")));
    expect(messages(native.results, "warning")).toEqual([expect.stringMatching(/serves \/startup on localhost only, where the kubelet cannot probe it, so its wait command holds/)]);
    const sidecar = (parse(native.bodies[1]!) as PodOut).spec.initContainers![0]!;
    expect(sidecar["startupProbe"]).toBeUndefined();
    expect(sidecar).toMatchObject({ lifecycle: { postStart: { exec: { command: ["/cloud-sql-proxy", "wait", "--max", "120s"] } } } });
  });

  it("leaves the sidecar's own workload alone (every container matches a preset)", () => {
    const collector = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: collector\nspec:\n  template:\n    spec:\n      containers:\n      - name: otc-container\n        image: otel/opentelemetry-collector:0.114.0\n";
    const out = runChecked(resourceList([collector]));
    expect(out.bodies[1]).toBe(collector);
    expect(out.results).toEqual([]);
  });
});
