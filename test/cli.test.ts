/** The bundled executable, as kpt runs it: stdin in, stdout out, exit code from the results. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cli, looksLikeResourceList } from "../src/cli";
import { resourceList, typedConfig } from "./support/resource-list";

const bin = resolve(__dirname, "../dist/sidecar-order.cjs");
const run = (input: string | Buffer, args: string[] = []) => spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8" });

describe("a changed workload whose text ends in a block scalar with no line break", () => {
  it("keeps the value Go reads (no line break): the scalar is strip-chomped before lines are written after it", () => {
    const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: a\n  - name: cloud-sql-proxy\n    image: gcr.io/x/cloud-sql-proxy:2\n    args: [--health-check, --http-address=0.0.0.0]\n    env:\n    - name: TOKEN\n      value: |\n        abc";
    const dir = mkdtempSync(join(tmpdir(), "sidecar-order-eof-"));
    try {
      for (const fields of ["strategy: legacy\n", 'kubernetesVersion: "1.30"\n']) {
        const config = join(dir, "c.yaml");
        writeFileSync(config, `apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata: {name: c}\n${fields}`);
        const r = run(pod, ["--config", config, "-"]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toContain("    - name: TOKEN\n      value: |-\n        abc\n");
        type Env = { env?: { name: string; value: string }[] }[];
        const spec = (parse(r.stdout) as { spec: { containers: Env; initContainers?: Env } }).spec;
        expect([...(spec.initContainers ?? []), ...spec.containers].flatMap((c) => c.env ?? [])).toEqual([{ name: "TOKEN", value: "abc" }]);
        // Its own output changes nothing.
        expect(run(r.stdout, ["--config", config, "-"]).stdout).toBe(r.stdout);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("--format comments", () => {
  const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: app\n  - name: istio-proxy\n    image: docker.io/istio/proxyv2:1.24.0\n";
  it("writes the results after the stream as YAML comments on success, and nothing on stderr", () => {
    const r = run(pod, ["--format", "comments"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const plain = run(pod);
    expect(r.stdout).toBe(`${plain.stdout}${plain.stderr.trimEnd().split("\n").map((l) => `# sidecar-order: ${l}\n`).join("")}`);
    expect(parse(r.stdout)).toEqual(parse(plain.stdout));
  });

  it("leaves a failing run's results on stderr, and refuses --check and --in-place", () => {
    const bad = run("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: 3\n", ["--format", "comments"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^\[error\] /);
    expect(bad.stdout).not.toContain("# sidecar-order:");
    const check = run(pod, ["--format", "comments", "--check", "-"]);
    expect(check.status).toBe(2);
    expect(check.stderr).toBe("sidecar-order: --format comments writes the results after the stream: leave out --check and --in-place, which print no stream; see --help\n");
    expect(run(pod, ["--format", "yaml"]).stderr).toBe("sidecar-order: --format yaml is not a format: use text, github or comments; see --help\n");
    // A ResourceList carries its results in its own results field.
    const list = run(resourceList([pod], typedConfig("")), ["--format", "comments"]);
    expect(list.status).toBe(1);
    expect(list.stderr).toBe("sidecar-order: stdin is a ResourceList, which carries its results in its own results field: --format is for plain manifests\n");
  });
});

describe("the sidecar-order executable", () => {
  it("is built", () => expect(existsSync(bin), "run `npm run build` first").toBe(true));

  it("answers unparsable input with one line on stderr, exit 1 and no stack trace", () => {
    // (Empty input and a plain manifest are plain streams now, as Helm's post-renderer sends them.)
    for (const input of ["a: [1, 2", "kind: ResourceList\nitems: [\n", "kind: ResourceList\napiVersion: v9\n", Buffer.from([0xff, 0xfe, 0x00])]) {
      const r = run(input);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^sidecar-order: [^\n]+\n$/);
      expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+/);
    }
  });

  it("writes the ResourceList first, then exits 1 when a result is an error", () => {
    const input = resourceList([], typedConfig("strategy: sideways\n"));
    const r = run(input);
    expect(r.status).toBe(1);
    const out = parse(r.stdout) as { items: unknown[]; results: { severity: string; message: string }[] };
    expect(out.items).toHaveLength(2);
    expect(out.results[0]).toMatchObject({ severity: "error", message: expect.stringContaining("strategy must be one of") });
    // The error results on stderr too, one line each, for callers that show only stderr.
    expect(r.stderr).toMatch(/^\[error\] invalid functionConfig: strategy must be one of .*\n$/);
  });

  it("exits 0 and writes the input back when there is nothing to do", () => {
    const input = resourceList([]);
    const r = run(input);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(input);
  });

  it("prints its version and usage", () => {
    expect(run("", ["--version"]).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(run("", ["--help"]).stdout).toContain("kpt fn eval");
    const bad = run("", ["--frobnicate"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--help");
  });
});

describe("telling a ResourceList from a plain stream", () => {
  // The first 4 KiB are looked at before the whole: a line that crosses that mark (here
  // "ResourceList" ends right at it), or a key that only comes later, must be judged as if the
  // whole were read.
  const pad = (n: number) => `# ${"x".repeat(n - 3)}\n`;
  it.each([
    ["kind first", "kind: ResourceList\nitems: []\n", true],
    ["a key after 4 KiB", `${pad(5000)}kind: ResourceList\nitems: []\n`, true],
    ["a line across the mark", `${pad(4078)}kind: ResourceList\n${pad(100)}`, true],
    ["a longer kind across the mark", `${pad(4078)}kind: ResourceListing\n${pad(100)}`, false],
    ["a longer kind in the head, the real one later", `kind: ResourceListing\n${pad(5000)}apiVersion: config.kubernetes.io/v1\n`, true],
    ["a plain manifest", `apiVersion: v1\nkind: ConfigMap\n${pad(5000)}`, false],
    // Only the top level counts: a manifest may carry the words in a string or a nested map.
    ["a Helm stream with a ResourceList in a string", `apiVersion: v1\nkind: ConfigMap\ndata:\n  input.json: '{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": []}'\n---\napiVersion: apps/v1\nkind: Deployment\n`, false],
    ["an annotation that says ResourceList in flow style", `kind: Deployment\nmetadata:\n  annotations:\n    example: "{kind: ResourceList}"\n    other: {kind: ResourceList}\n`, false],
    ["JSON, kind first", `{"kind": "ResourceList", "items": []}`, true],
    ["JSON, its apiVersion after the items", `{"items": [{"kind": "ResourceList", "apiVersion": "config.kubernetes.io/v1"}], "apiVersion": "config.kubernetes.io/v1"}`, true],
    ["JSON whose only ResourceList is nested", `{"apiVersion": "v1", "items": [{"kind": "ResourceList"}], "kind": "List"}`, false],
    ["JSON with the words inside a string", `{"a": "x\\"kind\\": \\"ResourceList", "kind": "ConfigMap", "b": "{kind: ResourceList}"}`, false],
    ["a BOM before JSON", `\uFEFF{"kind":"ResourceList"}`, true],
    ["flow style after a comment and ---", `# from kpt\n---\n{kind: ResourceList, items: []}\n`, true],
    // A banner of `#`s once made the flow check try every way to split it (a hang at about 40).
    ["block style after a banner of # lines", `${"#".repeat(200)}\n# Deploy\n${"#".repeat(200)}\napiVersion: v1\nkind: ConfigMap\n`, false],
    ["flow style after a banner of # lines", `${"#".repeat(200)}\n{"kind": "ResourceList", "items": []}`, true],
    ["flow style after a CRLF --- line", `# from kpt\r\n---\r\n{"kind": "ResourceList",\r\n "items": []}\r\n`, true],
    ["flow style with an image tag before the kind", `{items: [{image: nginx:1.25}], 'kind': ResourceList}`, true],
  ])("%s", (_, text, expected) => {
    expect(looksLikeResourceList(Buffer.from(text))).toBe(expected);
  });
});

describe("the executable as a new user meets it", () => {
  it("answers an unknown option with a did-you-mean, in one balanced line", () => {
    const r = run("", ["--in-plac", "k8s/"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("sidecar-order: unknown option --in-plac; did you mean --in-place?; see --help\n");
    expect(run("", ["--confg=x.yaml"]).stderr).toBe("sidecar-order: unknown option --confg; did you mean --config?; see --help\n");
    expect(run("", ["--config"]).stderr).toBe("sidecar-order: --config needs a value: --config FILE; see --help\n");
    expect(run("", ["--check=yes", "x"]).stderr).toBe("sidecar-order: --check takes no value (got --check=yes); see --help\n");
    expect(run("", ["--check", "--in-place", "x"]).status).toBe(2);
  });

  it("says to render a chart template first instead of a YAML error", () => {
    const template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n";
    const r = run(template, ["-"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "sidecar-order: stdin is a template, not YAML yet (`{{` on line 4); render it first, e.g. `helm template RELEASE CHART | sidecar-order -`, or run sidecar-order as Helm's --post-renderer\n",
    );
    // Go templates inside a block scalar are data (an alerting template in a ConfigMap), not a chart.
    const alerts = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\ndata:\n  t: |\n    {{ define \"x\" }}{{ .Labels }}{{ end }}\n";
    expect(run(alerts, ["-"]).status).toBe(0);
  });

  it("stops writing without a word when the reader goes away (| head)", () => {
    const many = Array.from({ length: 5000 }, (_, i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  k: "${"x".repeat(200)}"\n`).join("");
    // `head -c 1` reads one byte and exits, closing the pipe long before 1 MB is written.
    const r = spawnSync("bash", ["-c", `"${process.execPath}" "${bin}" - | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`], { input: many, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("0\n");
  });

  it("reads a Helm stream as manifests when a string in it mentions a ResourceList", () => {
    const stream = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fixtures\ndata:\n  input.json: '{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": []}'\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web\n      - name: istio-proxy\n        image: docker.io/istio/proxyv2:1.24.0\n`;
    const r = run(stream);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith(stream.slice(0, stream.indexOf("---")))).toBe(true);
    expect(r.stderr).toContain("[info]");
  });

  it("reads a plain manifest stream on stdin as Helm's post-renderer sends it, keeping its comments", () => {
    const stream = `---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: web\n      - name: istio-proxy\n        image: docker.io/istio/proxyv2:1.24.0\n---\n# Source: web/templates/empty.yaml\n# (rendered nothing)\n`;
    const r = run(stream);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith("---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\n")).toBe(true);
    expect(r.stdout.endsWith("---\n# Source: web/templates/empty.yaml\n# (rendered nothing)\n")).toBe(true);
    expect(r.stdout).toContain("      initContainers:\n      - name: istio-proxy\n");
    expect(r.stderr).toMatch(/^\[info\] moved sidecar "istio-proxy"/);
  });

  it("refuses plain-manifest options on a ResourceList, which carries its own config", () => {
    const r = run(resourceList([]), ["--config", "sidecar-order.yaml"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^sidecar-order: stdin is a ResourceList, which carries its own functionConfig: --config is for plain manifests \(set the options, mode: check among them, in the functionConfig instead\)\n$/);
  });

  it("refuses --check with no PATH, the shape Helm's post-renderer calls it in (Helm would take the results for an empty release)", () => {
    const r = run("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n", ["--check"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^sidecar-order: --check needs PATH arguments: it prints results, not manifests, .*helm template REL CHART \| sidecar-order --check -`; see --help\n$/);
  });

  it("says --argocd takes no other options before anything about --check", () => {
    const r = run("", ["--argocd", "--check"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^sidecar-order: --argocd takes no paths or other options/);
  });

  it("says what it wants instead of waiting on a terminal", () => {
    let err = "";
    const code = cli([], { readStdin: () => new Uint8Array(), out: () => {}, err: (t) => (err += t), invokedAs: "sidecar-order", env: {}, stdinIsTTY: () => true });
    expect(code).toBe(2);
    expect(err).toBe("sidecar-order: nothing to read: pipe manifests or a ResourceList into it, or give PATH arguments; see --help\n");
  });
});
