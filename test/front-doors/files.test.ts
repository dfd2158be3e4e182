/** Plain files: `sidecar-order [--config FILE] [--in-place] PATH...`, through the built executable. */
import { spawnSync } from "node:child_process";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const bin = resolve(__dirname, "../../dist/sidecar-order.cjs");
let dir: string;
const run = (args: string[], input = "") => spawnSync(process.execPath, [bin, ...args], { cwd: dir, input, encoding: "utf8" });

const DEPLOY = `# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web   # wide lists, odd spacing
          image: web
        - name: cloud-sql-proxy
          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
          args: ["--health-check", "--http-address=0.0.0.0", "p:r:i"]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: untouched
data: {a: "1"}
`;
const SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n";
const CONFIG = 'apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: c\nkubernetesVersion: "1.27"\nsidecars:\n- preset: cloud-sql-proxy\n';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sidecar-order-files-"));
  mkdirSync(join(dir, "app"));
  writeFileSync(join(dir, "app", "deploy.yaml"), DEPLOY);
  writeFileSync(join(dir, "app", "service.yml"), SERVICE);
  writeFileSync(join(dir, "config.yaml"), CONFIG);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("plain files", () => {
  it("prints the transformed stream of a directory, results on stderr", () => {
    const r = run(["--config", "config.yaml", "app"]);
    expect(r.status, r.stderr).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => (Array.isArray(d) ? null : d.toJS()));
    expect(docs.map((d) => d.metadata.name)).toEqual(["web", "untouched", "web"]);
    expect(docs[0].spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(["cloud-sql-proxy", "web"]);
    // Untouched text stays as it was: the head comment, the ConfigMap, the Service; the changed
    // Deployment keeps its wide lists (its odd comment spacing is normalized: it was re-printed).
    expect(r.stdout.startsWith("# the web tier\n")).toBe(true);
    expect(r.stdout).toContain("        - name: web # wide lists, odd spacing\n");
    expect(r.stdout).toContain('---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: untouched\ndata: {a: "1"}\n---\n' + SERVICE);
    expect(r.stderr).toMatch(/^\[info\] moved sidecar "cloud-sql-proxy" to the front of spec.containers.*\(Deployment web, spec.template.spec.containers, app\/deploy.yaml\)$/m);
  });

  it("says that a SidecarOrder among the manifests (a kpt package's own) is passed through, not used, and how to use it", () => {
    writeFileSync(join(dir, "app", "sidecar-order.yaml"), CONFIG);
    const r = run(["--check", "app"]);
    expect(r.stderr).toContain(
      "[warning] this SidecarOrder is among the manifests, where it is only passed through: plain files take their config from --config FILE (or .sidecar-order.yaml), and no --config was given and there is no .sidecar-order.yaml, so the defaults were used; to order these manifests by it, run with --config app/sidecar-order.yaml (app/sidecar-order.yaml)\n",
    );
    const other = run(["--config", "config.yaml", "--check", "app"]);
    expect(other.stderr).toMatch(/\[warning\] this SidecarOrder is among the manifests, .*and the config in use is config.yaml; to order these manifests by it, run with --config app\/sidecar-order.yaml/);
    // The config file itself is not among the manifests: nothing to say.
    expect(run(["--config", "app/sidecar-order.yaml", "--check", "app"]).stderr).not.toContain("among the manifests");
  });

  it("warns when the paths hold no Kubernetes object (a gate pointed at the wrong directory), exit 0", () => {
    mkdirSync(join(dir, "empty"));
    writeFileSync(join(dir, "empty", "notes.txt"), "not a manifest\n");
    const r = run(["--check", "empty"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("[warning] no Kubernetes objects were found in empty (a directory is read for its .yaml, .yml and .json files, its subdirectories too), so nothing was checked\n");
    expect(run(["--check", "app"]).stderr).not.toContain("no Kubernetes objects");
  });

  it("rewrites only the changed files with --in-place, keeping their formatting", () => {
    const r = run(["--config", "config.yaml", "--in-place", "app"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    const after = readFileSync(join(dir, "app", "deploy.yaml"), "utf8");
    expect(after).toContain("        - name: cloud-sql-proxy\n          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1\n");
    expect(after).toContain("          lifecycle:\n            postStart:\n              exec:\n                command:\n                  - /cloud-sql-proxy\n");
    expect(after.endsWith('---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: untouched\ndata: {a: "1"}\n')).toBe(true);
    expect(readFileSync(join(dir, "app", "service.yml"), "utf8")).toBe(SERVICE);
    const again = run(["--config", "config.yaml", "--in-place", "app"]);
    expect(again.status).toBe(0);
    expect(readFileSync(join(dir, "app", "deploy.yaml"), "utf8")).toBe(after);
  });

  it("keeps a JSON manifest valid JSON, in its own layout, when it changes it", () => {
    const manifest = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api" },
      spec: { template: { spec: { containers: [{ name: "api", image: "api:1" }, { name: "cloud-sql-proxy", image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1", args: ["--health-check", "--http-address=0.0.0.0", "p:r:i"] }] } } },
    };
    writeFileSync(join(dir, "app", "api.json"), JSON.stringify(manifest, null, 2) + "\n");
    writeFileSync(join(dir, "app", "one-line.json"), JSON.stringify({ ...manifest, metadata: { name: "one" } }));
    // Directories are read for *.yaml and *.yml (as kpt reads them); JSON files are named.
    const files = ["app/api.json", "app/one-line.json"];
    const r = run(["--config", "config.yaml", "--in-place", ...files]);
    expect(r.status, r.stderr).toBe(0);
    const pretty = readFileSync(join(dir, "app", "api.json"), "utf8");
    const data = JSON.parse(pretty) as typeof manifest;
    expect(data.spec.template.spec.containers.map((c) => c.name)).toEqual(["cloud-sql-proxy", "api"]);
    expect(pretty).toBe(JSON.stringify(data, null, 2) + "\n");
    const oneLine = readFileSync(join(dir, "app", "one-line.json"), "utf8");
    expect(oneLine).toBe(JSON.stringify(JSON.parse(oneLine)));
    const again = run(["--config", "config.yaml", "--in-place", ...files]);
    expect(again.status).toBe(0);
    expect(readFileSync(join(dir, "app", "api.json"), "utf8")).toBe(pretty);
  });

  it("keeps a JSON manifest's key order (number-like keys too) and tab indentation", () => {
    const manifest = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "tabs" },
      spec: { template: { spec: { containers: [{ name: "api", image: "api:1" }, { name: "cloud-sql-proxy", image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1", args: ["--health-check", "--http-address=0.0.0.0", "p:r:i"] }] } } },
    };
    // JSON.stringify would put "10" and "2" first; the file has them last.
    const text = JSON.stringify(manifest, null, "\t").replace('"name": "tabs"', '"name": "tabs",\n\t\t"annotations": {"a": "x", "10": "y", "2": "z"}');
    writeFileSync(join(dir, "tabs.json"), text + "\n");
    const r = run(["--config", "config.yaml", "--in-place", "tabs.json"]);
    expect(r.status, r.stderr).toBe(0);
    const after = readFileSync(join(dir, "tabs.json"), "utf8");
    expect(after).toContain('\t\t"annotations": {\n\t\t\t"a": "x",\n\t\t\t"10": "y",\n\t\t\t"2": "z"\n\t\t}');
    expect((JSON.parse(after) as typeof manifest).spec.template.spec.containers.map((c) => c.name)).toEqual(["cloud-sql-proxy", "api"]);
  });

  it("reads `-` from stdin and writes nothing in place on an error", () => {
    const viaStdin = run(["--config", "config.yaml", "-"], DEPLOY);
    expect(viaStdin.status).toBe(0);
    expect(viaStdin.stdout).toContain("- name: cloud-sql-proxy");
    writeFileSync(join(dir, "bad.yaml"), CONFIG.replace("1.27", "latest"));
    const bad = run(["--config", "bad.yaml", "--in-place", "app"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^\[error\] invalid config in bad.yaml: kubernetesVersion/m);
    // An error that stops the run before any item is said to have written nothing too.
    expect(bad.stderr).toMatch(/\[error\] nothing was written: --in-place writes no file while any result is an error; fix the errors and run again\n$/);
    expect(readFileSync(join(dir, "app", "deploy.yaml"), "utf8")).toBe(DEPLOY);
  });

  it("says, on an error, that --in-place wrote nothing the results above say it changed", () => {
    writeFileSync(join(dir, "app", "job.yaml"), "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      containers:\n      - name: j\n        image: j\n      - name: cloud-sql-proxy\n        image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1\n");
    const r = run(["--config", "config.yaml", "--in-place", "app"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\[info\] moved sidecar "cloud-sql-proxy"/m);
    expect(r.stderr).toMatch(/\[error\] nothing was written: --in-place writes no file while any result is an error; fix the errors and run again\n$/);
    expect(readFileSync(join(dir, "app", "deploy.yaml"), "utf8")).toBe(DEPLOY);
  });

  it("reads a directory's .json manifests as kubectl and Argo CD do, and leaves out a .json file that is no Kubernetes object, saying so", () => {
    const json = '{\n  "apiVersion": "v1",\n  "kind": "Service",\n  "metadata": {"name": "api"}\n}\n';
    writeFileSync(join(dir, "app", "api.json"), json);
    writeFileSync(join(dir, "app", "package.json"), '{"name": "tooling", "private": true}\n');
    const r = run(["--config", "config.yaml", "app"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith(json + "---\n# the web tier\n")).toBe(true);
    expect(r.stdout).not.toContain("tooling");
    expect(r.stderr).toMatch(/^\[warning\] app\/package.json is a JSON file but not a Kubernetes object \(no apiVersion and kind\), so it was left out/m);
    // Objects one after another (kubectl reads them) are not read here: an error, not a silent loss.
    writeFileSync(join(dir, "app", "two.json"), json + json.replace('"api"', '"api2"'));
    const two = run(["--config", "config.yaml", "app"]);
    expect(two.status).toBe(1);
    expect(two.stderr).toMatch(/^\[error\] app\/two.json is not one JSON value \(several objects one after another, or JSON with comments\), which sidecar-order does not read \(kubectl reads one object, a List, or YAML documents\), so nothing was changed/m);
    // An array of objects too; --explain sorts .json files alike.
    rmSync(join(dir, "app", "two.json"));
    writeFileSync(join(dir, "app", "arr.json"), `[${json}]`);
    const arr = run(["--config", "config.yaml", "app"]);
    expect(arr.status).toBe(1);
    expect(arr.stderr).toMatch(/^\[error\] app\/arr.json is a JSON array, not an object, which sidecar-order does not read/m);
    const explained = run(["--config", "config.yaml", "--explain", "app"]);
    expect(explained.stderr).toMatch(/^\[error\] app\/arr.json is a JSON array/m);
    expect(explained.stderr).not.toContain("no workloads to explain");
  });

  it("writes back a stream that mixes CRLF and LF files as it read it, and a changed CRLF item in CRLF", () => {
    const crlf = DEPLOY.split("---")[0]!.replace(/\n/g, "\r\n");
    const input = `${crlf}---\n${SERVICE}`;
    const r = run(["--config", "config.yaml", "-"], input);
    expect(r.status, r.stderr).toBe(0);
    const [first, second] = r.stdout.split("---\n");
    expect(first).toMatch(/- name: cloud-sql-proxy\r\n/);
    expect(first!.replace(/\r\n/g, "")).not.toContain("\n");
    expect(second).toBe(SERVICE);
    const again = run(["--config", "config.yaml", "-"], r.stdout);
    expect(again.stdout).toBe(r.stdout);
  });

  it("passes a null document through, as kubectl and Argo CD skip it (Helm renders one for an unset value)", () => {
    const input = `${DEPLOY}---\nnull\n---\n~\n`;
    const r = run(["--config", "config.yaml", "-"], input);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("- name: cloud-sql-proxy");
    expect(r.stdout.endsWith("---\nnull\n---\n~\n")).toBe(true);
    // A string is no object: an error, and nothing changes.
    const str = run(["--config", "config.yaml", "-"], `${DEPLOY}---\n"a string"\n`);
    expect(str.status).toBe(1);
    expect(str.stdout).toBe(`${DEPLOY}---\n"a string"\n`);
    expect(str.stderr).toMatch(/stdin document 3 is not an object \(Kubernetes takes only objects\), so nothing was changed; remove it or make it an object/);
  });

  it("never reads the config as a manifest, whatever path names it (a link), and refuses a config link whose target is gone", () => {
    mkdirSync(join(dir, "pkg"));
    writeFileSync(join(dir, "pkg", "order.yaml"), CONFIG);
    writeFileSync(join(dir, "pkg", "svc.yaml"), SERVICE);
    symlinkSync(join("pkg", "order.yaml"), join(dir, "cfg-link.yaml"));
    const r = run(["--config", "cfg-link.yaml", "pkg"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(SERVICE);
    symlinkSync(join("..", "shared", "gone.yaml"), join(dir, "app", ".sidecar-order.yaml"));
    const gone = spawnSync(process.execPath, [bin, "deploy.yaml"], { cwd: join(dir, "app"), encoding: "utf8" });
    expect(gone.status).toBe(1);
    expect(gone.stdout).toBe("");
    expect(gone.stderr).toMatch(/the config file .*\.sidecar-order\.yaml: it is a symbolic link to \.\.\/shared\/gone\.yaml, which does not exist/);
  });

  it("refuses --in-place when the config sets mode: check, which changes nothing, and names its file when it is wrong", () => {
    writeFileSync(join(dir, "app", ".sidecar-order.yaml"), CONFIG + "mode: check\n");
    const r = spawnSync(process.execPath, [bin, "--in-place", "deploy.yaml"], { cwd: join(dir, "app"), encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/sets mode: check, which changes nothing, and --in-place asks to rewrite the files/);
    expect(readFileSync(join(dir, "app", "deploy.yaml"), "utf8")).toBe(DEPLOY);
    writeFileSync(join(dir, "app", ".sidecar-order.yaml"), "strategy: legacy\n");
    const kindless = spawnSync(process.execPath, [bin, "deploy.yaml"], { cwd: join(dir, "app"), encoding: "utf8" });
    expect(kindless.status).toBe(1);
    expect(kindless.stderr).toMatch(/^\[error\] invalid config in \.sidecar-order\.yaml: the config has no kind; begin it with apiVersion: fn\.sidecar-order\.dev\/v1alpha1 and kind: SidecarOrder/m);
    // A config error that is not a schema one names the file too.
    writeFileSync(join(dir, "app", ".sidecar-order.yaml"), CONFIG.replace('"1.27"', '"1.26"') + "strategy: native\n");
    const native = spawnSync(process.execPath, [bin, "deploy.yaml"], { cwd: join(dir, "app"), encoding: "utf8" });
    expect(native.status).toBe(1);
    expect(native.stderr).toMatch(/^\[error\] strategy: native makes native sidecars, .*\(SidecarOrder c, kubernetesVersion, \.sidecar-order\.yaml\)$/m);
    writeFileSync(join(dir, "app", ".sidecar-order.yaml"), "strategy: legacy\n");
    // A carriage return alone in the config would hide what follows it on the line: refused.
    writeFileSync(join(dir, "app", ".sidecar-order.yaml"), "# dry run\rsidecars: [istio]\n");
    const cr = spawnSync(process.execPath, [bin, "deploy.yaml"], { cwd: join(dir, "app"), encoding: "utf8" });
    expect(cr.status).toBe(1);
    expect(cr.stderr).toMatch(/^sidecar-order: the config file .*\.sidecar-order\.yaml has a carriage return that is not part of a CRLF line break, on line 1/);
    writeFileSync(join(dir, "app", ".sidecar-order.yaml"), "strategy: legacy\n");
    // --explain says so too.
    const explained = spawnSync(process.execPath, [bin, "--explain", "deploy.yaml"], { cwd: join(dir, "app"), encoding: "utf8" });
    expect(explained.stderr).toMatch(/^\[error\] invalid config in \.sidecar-order\.yaml: the config has no kind/m);
  });

  it("keeps a block scalar's value when a file that ends in it, with no line break, is joined to the next (Go's YAML reads it without one)", () => {
    mkdirSync(join(dir, "cm"));
    writeFileSync(join(dir, "cm", "1.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: |\n    line");
    writeFileSync(join(dir, "cm", "2.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: |2+\n    line");
    writeFileSync(join(dir, "cm", "3.yaml"), SERVICE);
    const r = run(["cm"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: |-\n    line\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: |-2\n    line\n---\n" + SERVICE);
    // Alone, or last, it is written as it was.
    expect(run(["cm/1.yaml"]).stdout).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: |\n    line");
    // A last line of spaces past the indentation is content; a lone CR is a line break.
    writeFileSync(join(dir, "cm", "2.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: |\n    foo\n\n      ");
    expect(run(["cm/2.yaml", "cm/3.yaml"]).stdout).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: |-\n    foo\n\n      \n---\n" + SERVICE);
    // Indicators in either order: `|+2` keeps its last line of spaces past the indentation as content.
    writeFileSync(join(dir, "cm", "2.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: |+2\n    one\n     ");
    expect(run(["cm/2.yaml", "cm/3.yaml"]).stdout).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: |-2\n    one\n     \n---\n" + SERVICE);
    // A carriage return that ends no CRLF line break is a line break to YAML and Go, not to the reader: refused.
    writeFileSync(join(dir, "cm", "2.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: |\n    foo\r");
    const cr = run(["cm/2.yaml", "cm/3.yaml"]);
    expect(cr.status).toBe(1);
    expect(cr.stdout).toBe("");
    expect(cr.stderr).toBe("sidecar-order: cm/2.yaml has a carriage return that is not part of a CRLF line break, on line 7; YAML reads it as a line break, which sidecar-order does not: give the file LF or CRLF line breaks (dos2unix, or your editor's line-ending setting)\n");
    // Keep-chomped with a last line of spaces (fewer than the indentation): its line break is the value's, the spaces go.
    writeFileSync(join(dir, "cm", "2.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: |+\n    hello\n  ");
    expect(run(["cm/2.yaml", "cm/3.yaml"]).stdout).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: |+\n    hello\n---\n" + SERVICE);
    // Keep-chomped with a last line of spaces: its line break is the value's, the spaces go.
    writeFileSync(join(dir, "cm", "2.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: |+\n    hello\n    ");
    expect(run(["cm/2.yaml", "cm/3.yaml"]).stdout).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: |+\n    hello\n---\n" + SERVICE);
    // A byte order mark and no final line break, between two files: the separator stays whole.
    writeFileSync(join(dir, "cm", "2.yaml"), "\uFEFFapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b");
    writeFileSync(join(dir, "cm", "4.yaml"), SERVICE.replace("web", "web2"));
    expect(run(["cm/3.yaml", "cm/2.yaml", "cm/4.yaml"]).stdout).toBe(`${SERVICE}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\n${SERVICE.replace("web", "web2")}`);
  });

  it("says clearly when a path does not exist or a file is not YAML", () => {
    const missing = run(["nope.yaml"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe("sidecar-order: nope.yaml: no such file or directory\n");
    writeFileSync(join(dir, "broken.yaml"), "a: [1, 2\n");
    const broken = run(["broken.yaml"]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/^sidecar-order: broken.yaml is not valid YAML/);
  });

  it("leaves every file as it was when a write fails partway (here, a file size limit)", () => {
    // The second file is bigger than the limit, so its new text cannot be written in full: the
    // first file, which could be, must not be rewritten either. A real limit (ulimit -f, 1 KiB
    // blocks), so the write fails inside the operating system as it would on a full disk.
    const big = DEPLOY.replace("# the web tier\n", `# the web tier\n${`# ${"x".repeat(77)}\n`.repeat(60)}`).replace("name: web\n", "name: big\n").replace("name: untouched", "name: big-settings");
    writeFileSync(join(dir, "app", "big.yaml"), big);
    const files = ["app/deploy.yaml", "app/big.yaml"];
    const r = spawnSync("bash", ["-c", `ulimit -f 4 && exec "${process.execPath}" "${bin}" --config config.yaml --in-place ${files.join(" ")}`], { cwd: dir, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("sidecar-order: could not write app/big.yaml: file too large; no file was changed\n");
    expect(readFileSync(join(dir, "app", "deploy.yaml"), "utf8")).toBe(DEPLOY);
    expect(readFileSync(join(dir, "app", "big.yaml"), "utf8")).toBe(big);
    expect(readdirSync(join(dir, "app")).sort()).toEqual(["big.yaml", "deploy.yaml", "service.yml"]);
    // Without the limit the same run rewrites both, keeping each file's mode.
    execFileSync("chmod", ["640", join(dir, "app", "big.yaml")]);
    const ok = run(["--config", "config.yaml", "--in-place", ...files]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(readFileSync(join(dir, "app", "big.yaml"), "utf8")).not.toBe(big);
    expect(statSync(join(dir, "app", "big.yaml")).mode & 0o777).toBe(0o640);
    expect(readdirSync(join(dir, "app")).sort()).toEqual(["big.yaml", "deploy.yaml", "service.yml"]);
  });

  it("puts a file overwritten in place back as it was when the write fails (here, a file size limit)", () => {
    // A hard link is overwritten in place; its new text is over the limit, its old one under it.
    const near = DEPLOY.replace("# the web tier\n", `# the web tier\n${`# ${"x".repeat(77)}\n`.repeat(45)}`);
    writeFileSync(join(dir, "app", "deploy.yaml"), near);
    execFileSync("ln", [join(dir, "app", "deploy.yaml"), join(dir, "deploy-link.yaml")]);
    expect(near.length).toBeLessThan(4096);
    const r = spawnSync("bash", ["-c", `ulimit -f 4 && exec "${process.execPath}" "${bin}" --config config.yaml --in-place app/deploy.yaml`], { cwd: dir, encoding: "utf8" });
    expect(r.stderr).toBe("sidecar-order: could not write app/deploy.yaml: file too large; it was put back as it was; no other file was changed\n");
    expect(readFileSync(join(dir, "app", "deploy.yaml"), "utf8")).toBe(near);
  });

  it("reads a hard-linked file once, and names a symbolic link on the command line that leads back to itself", () => {
    execFileSync("ln", [join(dir, "app", "deploy.yaml"), join(dir, "app", "again.yaml")]);
    const r = run(["--config", "config.yaml", "--check", "app"]);
    expect(r.stderr).not.toMatch(/repeats/);
    symlinkSync("self.yaml", join(dir, "self.yaml"));
    expect(run(["self.yaml"]).stderr).toBe("sidecar-order: self.yaml is a symbolic link that leads back to itself\n");
  });

  it("overwrites a hard-linked file in place, so every name of it sees the change", () => {
    execFileSync("ln", [join(dir, "app", "deploy.yaml"), join(dir, "deploy-link.yaml")]);
    const before = statSync(join(dir, "app", "deploy.yaml")).ino;
    const r = run(["--config", "config.yaml", "--in-place", "app/deploy.yaml"]);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(dir, "app", "deploy.yaml")).ino).toBe(before);
    expect(readFileSync(join(dir, "deploy-link.yaml"), "utf8")).toBe(readFileSync(join(dir, "app", "deploy.yaml"), "utf8"));
    expect(readFileSync(join(dir, "deploy-link.yaml"), "utf8")).toContain("postStart:");
  });

  // As another user: root may write anywhere, so the case needs a user who may not (CI runs as root).
  it.runIf(process.getuid?.() === 0)("overwrites a file in place when its directory takes no new file, keeping its owner", () => {
    const shared = join(dir, "shared-dir");
    mkdirSync(shared);
    writeFileSync(join(shared, "deploy.yaml"), DEPLOY);
    execFileSync("chmod", ["755", dir, shared]);
    execFileSync("chmod", ["666", join(shared, "deploy.yaml")]);
    writeFileSync(join(dir, "config.yaml"), CONFIG);
    execFileSync("chmod", ["644", join(dir, "config.yaml")]);
    const r = spawnSync("runuser", ["-u", "nobody", "--", process.execPath, bin, "--config", "config.yaml", "--in-place", "shared-dir"], { cwd: dir, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(shared, "deploy.yaml"), "utf8")).toContain("postStart:");
    expect(statSync(join(shared, "deploy.yaml")).uid).toBe(0);
    expect(readdirSync(shared)).toEqual(["deploy.yaml"]);
  });

  it("reads a file once however often it is reached, and follows symbolic links below a directory", () => {
    // The same file named twice, and through a link: one workload, not a duplicate of itself.
    symlinkSync("deploy.yaml", join(dir, "app", "link.yaml"));
    const twice = run(["--config", "config.yaml", "--in-place", "app/deploy.yaml", "./app/deploy.yaml", "app"]);
    expect(twice.status, twice.stderr).toBe(0);
    expect(twice.stderr).not.toMatch(/repeats/);
    expect(statSync(join(dir, "app", "link.yaml")).isFile()).toBe(true);
    expect(readFileSync(join(dir, "app", "link.yaml"), "utf8")).toContain("postStart:");
    // A linked directory (a shared base) is read like any other, a link back up the tree once.
    mkdirSync(join(dir, "overlay"));
    symlinkSync("../shared", join(dir, "overlay", "base"));
    symlinkSync("..", join(dir, "overlay", "up"));
    mkdirSync(join(dir, "shared"));
    writeFileSync(join(dir, "shared", "deploy.yaml"), DEPLOY.replace("name: web\n", "name: shared\n"));
    const linked = run(["--config", "config.yaml", "--check", "overlay"]);
    expect(linked.status).toBe(1);
    expect(linked.stderr).toMatch(/Deployment shared, .*overlay\/base\/deploy.yaml/);
    // A link to nothing is named; a FIFO named *.yaml below a directory is not read (it would block).
    execFileSync("mkfifo", [join(dir, "shared", "pipe.yaml")]);
    expect(run(["--check", "shared"]).stderr).not.toMatch(/pipe/);
    // A loop of links that is no manifest is passed over; one that is, is named.
    symlinkSync("loop-b", join(dir, "shared", "loop-a"));
    symlinkSync("loop-a", join(dir, "shared", "loop-b"));
    expect(run(["--check", "shared"]).stderr).not.toMatch(/internal error/);
    symlinkSync("self.yaml", join(dir, "shared", "self.yaml"));
    expect(run(["--check", "shared"]).stderr).toBe("sidecar-order: shared/self.yaml is a symbolic link that leads back to itself; remove the link or restore its target\n");
    rmSync(join(dir, "shared", "self.yaml"));
    symlinkSync("gone.yaml", join(dir, "shared", "dangling.yaml"));
    const dangling = run(["--check", "shared"]);
    expect(dangling.status).toBe(1);
    expect(dangling.stderr).toBe("sidecar-order: shared/dangling.yaml is a symbolic link to gone.yaml, which does not exist; remove the link or restore its target\n");
  });

  it("joins several files into one stream that reads back as their documents", () => {
    writeFileSync(join(dir, "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a");
    writeFileSync(join(dir, "b.yaml"), "# b\n\n%YAML 1.2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n");
    writeFileSync(join(dir, "c.yaml"), "\uFEFF---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
    const r = run(["a.yaml", "b.yaml", "c.yaml"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n...\n# b\n\n%YAML 1.2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
    const docs = parseAllDocuments(r.stdout);
    expect(docs.flatMap((d) => d.errors)).toEqual([]);
    expect(docs.map((d) => (d.toJS() as { metadata: { name: string } }).metadata.name)).toEqual(["a", "b", "c"]);
    // And the stream goes through sidecar-order again unchanged.
    expect(run(["-"], r.stdout).stdout).toBe(r.stdout);
  });

  it("joins a file that opens with many CRLF comment lines at once (no regex to backtrack through them)", () => {
    writeFileSync(join(dir, "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
    writeFileSync(join(dir, "b.yaml"), `${"# Licensed under the Apache License\r\n".repeat(40)}apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: b\r\n`);
    const r = spawnSync(process.execPath, [bin, "a.yaml", "b.yaml"], { cwd: dir, encoding: "utf8", timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("---\n# Licensed under the Apache License");
  });

  it("says plainly when the --config file is not one config", () => {
    writeFileSync(join(dir, "two.yaml"), `${CONFIG}---\n${CONFIG}---\n# nothing more\n`);
    const two = run(["--config", "two.yaml", "app"]);
    expect(two.status).toBe(1);
    expect(two.stderr).toBe("sidecar-order: --config two.yaml holds 2 YAML documents; a config file holds one (kind SidecarOrder, or a ConfigMap)\n");
    writeFileSync(join(dir, "bad.yaml"), "kind: SidecarOrder\nkind: again\n");
    expect(run(["--config", "bad.yaml", "app"]).stderr).toMatch(/^sidecar-order: --config bad.yaml is not valid YAML: Map keys must be unique/);
    // One document after a `---`, with comments around it, is one config.
    writeFileSync(join(dir, "one.yaml"), `# ours\n---\n${CONFIG}---\n`);
    expect(run(["--config", "one.yaml", "app"]).status).toBe(0);
  });

  it("names the file that is not UTF-8", () => {
    writeFileSync(join(dir, "app", "latin1.yaml"), Buffer.from("a: \xc3\x28\n", "latin1"));
    const r = run(["app"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("sidecar-order: app/latin1.yaml is not valid UTF-8; KRM functions read UTF-8 YAML or JSON\n");
  });

  it("--help is the usage kpt fn doc shows", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/kpt fn eval DIR --exec sidecar-order/);
    expect(r.stdout).toMatch(/sidecar-order \[--config FILE\] \[--in-place \| --check\] PATH\.\.\./);
  });
});
