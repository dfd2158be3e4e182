import { describe, expect, it } from "vitest";
import { loadConfig, nearest } from "../../src/config/load";

const typed = (body: Record<string, unknown>) => ({ apiVersion: "fn.sidecar-order.dev/v1alpha1", kind: "SidecarOrder", metadata: { name: "cfg" }, ...body });

describe("loadConfig", () => {
  it("no config and kpt's empty function-input ConfigMap both mean the defaults", () => {
    const defaults = loadConfig(undefined);
    expect(defaults.results).toEqual([]);
    expect(defaults.config).toEqual({
      mode: "apply",
      checkSeverity: "error",
      selectors: [],
      exclude: [],
      podTemplatePaths: [],
      strategy: "auto",
      nativeMinVersion: "1.29",
      allowLegacyJobs: false,
      meshes: [],
      shutdown: { appSeconds: 15, marginSeconds: 5, raiseGracePeriod: false },
      explain: false,
      onConflict: "keep",
    });
    const empty = loadConfig({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "function-input" }, data: {} });
    expect(empty.config).toEqual(defaults.config);
  });

  it("reads `kpt fn eval -- k=v` pairs", () => {
    const cm = loadConfig({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "function-input" }, data: { strategy: "legacy", sidecars: "a, istio", onConflict: "replace", kubernetesVersion: "v1.27.3", allowLegacyJobs: "true", meshes: "linkerd" } });
    expect(cm.results).toEqual([]);
    expect(cm.config).toEqual({
      mode: "apply",
      checkSeverity: "error",
      selectors: [],
      exclude: [],
      podTemplatePaths: [],
      strategy: "legacy",
      sidecars: [{ name: "a" }, { preset: "istio" }],
      meshes: ["linkerd"],
      shutdown: { appSeconds: 15, marginSeconds: 5, raiseGracePeriod: false },
      explain: false,
      onConflict: "replace",
      kubernetesVersion: "v1.27.3",
      nativeMinVersion: "1.29",
      allowLegacyJobs: true,
    });
  });

  it("reads the typed form with options at the top level", () => {
    const cfg = loadConfig(typed({ sidecars: [{ image: "*/proxy:*", wait: { exec: ["/w"] } }] }));
    expect(cfg.results).toEqual([]);
    expect(cfg.config?.sidecars).toEqual([{ image: "*/proxy:*", wait: { exec: ["/w"] } }]);
  });

  it.each([
    [typed({ stratgy: "legacy" }), "stratgy", "unknown field `stratgy`; did you mean `strategy`?"],
    [typed({ sidecars: [{ name: "a", wiat: {} }] }), "sidecars[0].wiat", "unknown field `sidecars[0].wiat`; did you mean `wait`?"],
    [typed({ strategy: "sideways" }), "strategy", 'strategy must be one of "auto", "native", "legacy"'],
    [typed({ kubernetesVersion: "latest" }), "kubernetesVersion", '"latest" is not a Kubernetes version; write it like "1.30"'],
    // Implausible versions are refused with the fix, instead of quietly choosing legacy.
    [typed({ kubernetesVersion: "1.3" }), "kubernetesVersion", 'if you meant 1.30, quote it: "1.30"'],
    [typed({ kubeletVersion: "1.9" }), "kubeletVersion", '"1.9" is not a plausible target: Kubernetes 1.9 is from before 2018'],
    [typed({ kubernetesVersion: "2.0" }), "kubernetesVersion", "there is no Kubernetes 2.x"],
    [typed({ nativeMinVersion: "v1.290" }), "nativeMinVersion", "not a plausible Kubernetes version"],
    [typed({ meshVersions: { linkerd: "2.x" } }), "meshVersions.linkerd", 'a Linkerd release such as "2.18"'],
    [typed({ meshVersions: { istio: "1.24", consul: "1.2" } }), "meshVersions.consul", "unknown field `meshVersions.consul`"],
    [typed({ sidecars: [{ name: "a", startupProbe: { periodSeconds: 1 } }] }), "sidecars[0].startupProbe", "exactly one handler"],
    [typed({ sidecars: "a" }), "sidecars", "sidecars must be an array"],
    [typed({ sidecars: [{ wait: { exec: ["/w"] } }] }), "sidecars[0]", "a sidecar needs a `preset`, a `name` or an `image`"],
    [typed({ spec: { strategy: "legacy" } }), "spec", "not under `spec:`"],
    [{ ...typed({}), apiVersion: "fn.sidecar-order.dev/v2" }, "apiVersion", "apiVersion \"fn.sidecar-order.dev/v2\" is not supported"],
    [{ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } }, "kind", 'kind "Secret" is not supported'],
    [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "function-input" }, data: { sidecar: "a" } }, "data.sidecar", "unknown ConfigMap data key `sidecar`; did you mean `sidecars`?"],
    // An unquoted 1.30 in a ConfigMap file is the number 1.3: refuse it rather than read "1.3".
    [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { kubernetesVersion: 1.3 } }, "data.kubernetesVersion", 'ConfigMap data values are strings; quote the version, e.g. kubernetesVersion: "1.30"'],
    [typed({ kubernetesVersion: 1.3 }), "kubernetesVersion", 'kubernetesVersion must be a string; quote the version, e.g. kubernetesVersion: "1.30"'],
    [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { allowLegacyJobs: "yes" } }, "data.allowLegacyJobs", 'data.allowLegacyJobs must be "true" or "false"'],
    // One pod template per object, reached through maps: a list index would crash the edit, a second path for the same kind would be ignored.
    [typed({ podTemplatePaths: [{ group: "ray.io", kind: "RayCluster", path: "spec/workerGroupSpecs/0/template/spec" }] }), "podTemplatePaths[0].path", "with no index or *"],
    [typed({ podTemplatePaths: [{ group: "ray.io", kind: "RayCluster", path: "spec.workerGroupSpecs.*.template.spec" }] }), "podTemplatePaths[0].path", "name the field and the rest of the path is followed in every entry"],
    // An empty value is null to YAML: quoting "null" would not be what was meant.
    [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { strategy: null } }, "data.strategy", "strategy has no value (YAML reads an empty value or ~ as null): give it one, or leave strategy out"],
    // A ConfigMap's options are read from data only: anything beside it is said, not ignored.
    [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, strategy: "legacy" }, "strategy", "at the ConfigMap's top level, where it is not read"],
    [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, Date: { strategy: "legacy" } }, "Date", "is it a misspelt data?"],
  ])("reports a bad config as an error result on the config object (%#)", (fc, path, message) => {
    const cfg = loadConfig(fc);
    expect(cfg.config).toBeUndefined();
    expect(cfg.results[0]?.severity).toBe("error");
    expect(cfg.results[0]?.message).toContain(message);
    expect(cfg.results[0]?.field?.path ?? "").toContain(path);
    expect(cfg.results[0]?.resourceRef?.name).toBeDefined();
  });

  it("reports every problem of a ConfigMap at once, not only the value YAML did not read as a string", () => {
    const cfg = loadConfig({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { kubernetesVersion: 1.3, strategy: "Native", allowLegacyJobs: "yes" } });
    expect(cfg.results.map((r) => r.field?.path)).toEqual(["data.kubernetesVersion", "data.strategy", "data.allowLegacyJobs"]);
  });

  it("takes one path per version of a kind, and a ConfigMap's immutable and binaryData fields", () => {
    const paths = [{ group: "x.io", version: "v1", kind: "Dual", path: "spec/a/spec" }, { group: "x.io", version: "v2", kind: "Dual", path: "spec/b/spec" }];
    expect(loadConfig(typed({ podTemplatePaths: paths })).results).toEqual([]);
    expect(loadConfig({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, immutable: true, binaryData: {}, data: { strategy: "legacy" } }).results).toEqual([]);
  });

  it.each(["1.33.4", "v1.30.2", "1.30.2-gke.1587003", "1.29.3+k3s1", "1.10", "v1.35.0-rc.1"])("accepts the Kubernetes version %s", (version) => {
    const cfg = loadConfig(typed({ kubernetesVersion: version, kubeletVersion: version }));
    expect(cfg.results).toEqual([]);
  });

  it("suggests only near names", () => {
    expect(nearest("sidcars", ["sidecars", "strategy"])).toBe("sidecars");
    expect(nearest("xyz", ["sidecars", "strategy"])).toBeUndefined();
    // Every letter replaced is no near miss: a sidecars entry named "db" is not the app "web".
    expect(nearest("db", ["web", "istio-proxy", "cloud-sql-proxy"])).toBeUndefined();
    expect(nearest("dbb", ["db"])).toBe("db");
  });
});
