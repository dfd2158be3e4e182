/** The library API over plain objects and yaml Documents, and the kpt-functions adapter. */
// The SDK's index loads its CLI runner, which needs a real console.Console; Configs is enough here.
import { Configs } from "kpt-functions/dist/src/types";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parseDocument, type Document } from "yaml";
import { sidecarOrder, toSdkResult } from "../../src/adapters/kpt-functions";
import { sidecarOrderConfig, transformDocuments, transformObjects } from "../../src/library";

const deployment = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop" },
  spec: { template: { spec: { containers: [{ name: "web", image: "web" }, { name: "linkerd-proxy", image: "cr.l5d.io/linkerd/proxy:stable-2.14.10" }] } } },
});
const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } };

describe("transformObjects", () => {
  it("changes workloads, returns the others as the same objects, with results", () => {
    const input = [configMap, deployment()];
    const out = transformObjects(input, sidecarOrderConfig({ kubernetesVersion: "1.30", sidecars: [{ preset: "linkerd" }] }));
    expect(out.exitCode).toBe(0);
    expect(out.objects[0]).toBe(configMap);
    expect(out.objects[1]).not.toBe(input[1]);
    const spec = (out.objects[1] as ReturnType<typeof deployment>).spec.template.spec as unknown as { containers: { name: string }[]; initContainers: { name: string; restartPolicy: string }[] };
    expect(spec.initContainers).toMatchObject([{ name: "linkerd-proxy", restartPolicy: "Always" }]);
    expect(spec.containers.map((c) => c.name)).toEqual(["web"]);
    expect(out.results).toMatchObject([{ severity: "info", resourceRef: { kind: "Deployment", name: "web", namespace: "shop" } }]);
  });

  it("reports a bad config as an error result, changing nothing", () => {
    const input = [deployment()];
    const out = transformObjects(input, sidecarOrderConfig({ strategy: "sideways" as never }));
    expect(out.exitCode).toBe(1);
    expect(out.objects[0]).toBe(input[0]);
  });

  it("reports an object that is not an object as an error, as a ResourceList run does", () => {
    const input = [42, null, ["a"], deployment()] as unknown as object[];
    const out = transformObjects(input, sidecarOrderConfig({ kubernetesVersion: "1.30" }));
    expect(out.exitCode).toBe(1);
    expect(out.results.filter((r) => r.severity === "error").map((r) => r.message)).toEqual([0, 1, 2].map((i) => `objects[${i}] is not an object; it was left as it is`));
    expect(out.objects.slice(0, 3)).toEqual([42, null, ["a"]]);
    const docs = transformDocuments([parseDocument("- a\n"), parseDocument("just text\n")]);
    expect(docs.results.map((r) => r.message)).toEqual(["objects[0] is not an object; it was left as it is", "objects[1] is not an object; it was left as it is"]);
    // An empty document (a trailing ---, a Helm template that rendered nothing) is no error, as in the CLI.
    const stream = transformDocuments(parseAllDocuments("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# nothing rendered\n---\n") as Document[]);
    expect(stream.results).toEqual([]);
    expect(stream.exitCode).toBe(0);
    // A Document with YAML errors: an error result that names it, every document as it came, no exception.
    const broken = parseAllDocuments("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: app, image: a}\n  - {name: istio-proxy, image: docker.io/istio/proxyv2:1.24.0}\n---\nmetadata: {name: p\n") as Document[];
    const bad = transformDocuments(broken);
    expect(bad.exitCode).toBe(1);
    expect(bad.results.map((r) => [r.severity, r.message])).toEqual([["error", expect.stringMatching(/^objects\[1\] is not valid YAML: .*; nothing was changed$/)]]);
    expect(bad.objects).toEqual(broken);
    expect(bad.objects[0]).toBe(broken[0]);
  });
});

describe("transformDocuments", () => {
  it("keeps comments of the documents it changes", () => {
    const doc = parseDocument("# web\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app # the app\n    image: app\n  - name: istio-proxy\n    image: docker.io/istio/proxyv2:1.24.0\n");
    const out = transformDocuments([doc], sidecarOrderConfig({ strategy: "legacy", sidecars: [{ preset: "istio", stopAfterApp: false }] }));
    const text = out.objects[0]!.toString();
    expect(text.startsWith("# web\n")).toBe(true);
    expect(text).toContain("- name: app # the app");
    expect(text.indexOf("istio-proxy")).toBeLessThan(text.indexOf("name: app"));
  });
});

describe("kpt-functions adapter", () => {
  it("runs as a KptFunc over the SDK's Configs", async () => {
    const configs = new Configs([deployment() as never], sidecarOrderConfig({ kubernetesVersion: "1.30" }) as never);
    await sidecarOrder(configs);
    const [d] = configs.getAll() as unknown as ReturnType<typeof deployment>[];
    expect((d!.spec.template.spec as { initContainers?: unknown[] }).initContainers).toHaveLength(1);
    expect(configs.getResults().map((r) => r.severity)).toEqual(["info", "info"]);
    expect(sidecarOrder.usage).toMatch(/sidecar-order makes the sidecars/);
  });

  it("maps results to the SDK's names (warn, suggestedValue)", () => {
    expect(toSdkResult({ message: "m", severity: "warning", resourceRef: { apiVersion: "v1", kind: "Pod", name: "p" }, field: { path: "spec", proposedValue: 1 } })).toEqual({
      message: "m",
      severity: "warn",
      resourceRef: { apiVersion: "v1", kind: "Pod", name: "p", namespace: "" },
      field: { path: "spec", suggestedValue: 1 },
    });
  });
});

describe("the built package, as a project loads it", () => {
  // By its own name, through package.json's exports: require() for CommonJS projects, import for ESM.
  const script = (load: string) => `${load}
const out = lib.transformObjects([{ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "app", image: "a" }, { name: "linkerd-proxy", image: "cr.l5d.io/linkerd/proxy:stable-2.14.10" }] } }], lib.sidecarOrderConfig({ kubernetesVersion: "1.30" }));
process.stdout.write(out.objects[0].spec.initContainers[0].name);`;
  it.each([
    ["require", ["-e", script('const lib = require("sidecar-order");')]],
    ["import", ["--input-type=module", "-e", script('const lib = await import("sidecar-order");')]],
  ])("loads with %s", (_, args) => {
    const r = spawnSync(process.execPath, args as string[], { cwd: resolve(__dirname, "../.."), encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("linkerd-proxy");
  });
});

describe("the package's types, as a TypeScript project resolves them (node16)", () => {
  const root = resolve(__dirname, "../..");
  it.each(["commonjs", "module"])("type-check in a %s project, the whole declaration graph included", (type) => {
    const dir = mkdtempSync(join(tmpdir(), "sidecar-order-types-"));
    try {
      mkdirSync(join(dir, "node_modules"));
      symlinkSync(root, join(dir, "node_modules", "sidecar-order"));
      writeFileSync(join(dir, "package.json"), JSON.stringify({ type }));
      writeFileSync(
        join(dir, "use.ts"),
        'import { transformObjects, sidecarOrderConfig } from "sidecar-order";\nimport { sidecarOrder } from "sidecar-order/kpt-functions";\nconst code: 0 | 1 = transformObjects([], sidecarOrderConfig({ kubernetesVersion: "1.30" })).exitCode;\nexport { code, sidecarOrder };\n',
      );
      const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
      const args = ["--module", "node16", "--moduleResolution", "node16", "--strict", "--noEmit", "--skipLibCheck", "false", "--types", "node", "--typeRoots", join(root, "node_modules", "@types"), "use.ts"];
      const r = spawnSync(process.execPath, [tsc, ...args], { cwd: dir, encoding: "utf8" });
      expect(r.stdout + r.stderr).toBe("");
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
