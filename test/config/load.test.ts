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
    [typed({ kubernetesVersion: "latest" }), "kubernetesVersion", 'a Kubernetes version such as "1.30"'],
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

  it("suggests only near names", () => {
    expect(nearest("sidcars", ["sidecars", "strategy"])).toBe("sidecars");
    expect(nearest("xyz", ["sidecars", "strategy"])).toBeUndefined();
  });
});
