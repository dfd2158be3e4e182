/**
 * Argo CD's config management plugin, run as the repo-server's plugin sidecar runs it: the
 * `generate` command from argocd/plugin.yaml, in the application's directory of a checked-out
 * repo, with the sidecar's environment plus Argo CD's build environment (ARGOCD_APP_*,
 * KUBE_VERSION, ARGOCD_ENV_*, the parameters). No Argo CD runs here: the output must be what its
 * repo server accepts, a YAML stream of objects, and nothing else.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { requireTool } from "../support/clients";

const root = resolve(__dirname, "../..");
const IMAGE_PATH = "/usr/local/lib/sidecar-order/sidecar-order.cjs"; // where the image has it (Dockerfile)
const kustomize5 = requireTool("kustomize5");

interface PluginSpec {
  spec: { discover: { fileName: string }; generate: { command: string[]; args?: string[] }; parameters: { static: { name: string }[] } };
}
const plugin = parse(readFileSync(join(root, "argocd", "plugin.yaml"), "utf8")) as PluginSpec;

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: { template: { spec: { containers: { name: string }[]; initContainers?: { name: string; restartPolicy?: string }[] } } };
}

let repo: string;

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: web:1
      - name: cloud-sql-proxy
        image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
        args: ["--health-check", "--http-address=0.0.0.0", "p:r:i"]
`;

/** The repo server's generate: plugin.yaml's command, cwd = the app's path, env = sidecar's + build env. */
function generate(app: string, buildEnv: Record<string, string>) {
  const [command, ...args] = [...plugin.spec.generate.command, ...(plugin.spec.generate.args ?? [])].map((a) => (a === IMAGE_PATH ? join(root, "dist", "sidecar-order.cjs") : a));
  const env = {
    ...process.env,
    ARGOCD_APP_NAME: "web",
    ARGOCD_APP_NAMESPACE: "shop",
    ARGOCD_APP_REVISION: "f913b6cbf58aa5ae5ca1f8a2b149477aebcbd9d8",
    ARGOCD_APP_SOURCE_PATH: `apps/${app}`,
    ARGOCD_APP_SOURCE_REPO_URL: "https://git.example.com/shop.git",
    ARGOCD_APP_SOURCE_TARGET_REVISION: "main",
    KUBE_API_VERSIONS: "v1,apps/v1,batch/v1",
    ...(kustomize5 ? { SIDECAR_ORDER_KUSTOMIZE: kustomize5 } : {}),
    ...buildEnv,
  };
  const r = spawnSync(command!, args, { cwd: join(repo, "apps", app), env, encoding: "utf8" });
  const objects = r.status === 0 ? manifests(r.stdout) : [];
  return { ...r, objects };
}

/** What the repo server does with generate's stdout: split the YAML stream into objects. */
function manifests(stdout: string): Obj[] {
  return parseAllDocuments(stdout).flatMap((d) => {
    if (Array.isArray(d)) return [];
    expect(d.errors, "generate printed valid YAML").toEqual([]);
    const o = d.toJS() as Obj | null;
    if (o === null) return [];
    expect(typeof o.apiVersion === "string" && typeof o.kind === "string", `an object: ${JSON.stringify(o)}`).toBe(true);
    return [o];
  });
}

const order = (o: Obj | undefined) => ({ init: o?.spec?.template.spec.initContainers?.map((c) => c.name) ?? [], containers: o?.spec?.template.spec.containers.map((c) => c.name) });

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "sidecar-order-argocd-"));
  const app = (name: string, files: Record<string, string>) => {
    mkdirSync(join(repo, "apps", name, "sub"), { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(repo, "apps", name, f), text);
  };
  app("plain", {
    "deploy.yaml": DEPLOY,
    "sub/cm.yml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n",
    Kptfile: "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: plain\n",
  });
  app("configured", {
    "deploy.yaml": DEPLOY,
    ".sidecar-order.yaml": 'apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: order\nkubernetesVersion: "1.27"\n',
  });
  app("kustomized", {
    "deploy.yaml": DEPLOY,
    "kustomization.yaml": "resources: [deploy.yaml]\nnamespace: shop\ncommonLabels:\n  team: shop\n",
    ".sidecar-order.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: order\ndata:\n  sidecars: cloud-sql-proxy\n",
  });
  app("job", {
    "job.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: export\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: export\n        image: export:1\n      - name: cloud-sql-proxy\n        image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1\n        args: [\"--health-check\", \"--http-address=0.0.0.0\", \"p:r:i\"]\n",
  });
  app("bad-config", { "deploy.yaml": DEPLOY, ".sidecar-order.yaml": "apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: order\nstratgy: legacy\n" });
  cpSync(join(repo, "apps", "plain"), join(repo, "apps", "other"), { recursive: true });
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("argocd/plugin.yaml", () => {
  it("is a ConfigManagementPlugin whose generate runs sidecar-order --argocd from the image", () => {
    expect(plugin.spec.generate.command).toEqual(["node", IMAGE_PATH, "--argocd"]);
    expect(readFileSync(join(root, "Dockerfile"), "utf8")).toContain(`/usr/local/lib/sidecar-order/`);
    expect(plugin.spec.parameters.static.map((p) => p.name)).toEqual(["kubernetesVersion", "kubeletVersion", "strategy", "sidecars", "mode", "config"]);
  });

  it("discovers applications that have a .sidecar-order.yaml (filepath.Glob of fileName in the app path)", () => {
    expect(plugin.spec.discover.fileName).toBe(".sidecar-order.yaml");
    expect(existsSync(join(repo, "apps", "configured", plugin.spec.discover.fileName))).toBe(true);
    expect(existsSync(join(repo, "apps", "plain", plugin.spec.discover.fileName))).toBe(false);
  });
});

describe("generate, as the repo server runs it", () => {
  it("orders a plain manifest directory for the destination's KUBE_VERSION, YAML only on stdout, nothing on stderr", () => {
    const r = generate("plain", { KUBE_VERSION: "v1.33.2+k3s1" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    // Every YAML file below the app (sub/ too), but not the Kptfile.
    expect(r.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Deployment/web", "ConfigMap/settings"]);
    expect(order(r.objects[0])).toEqual({ init: ["cloud-sql-proxy"], containers: ["web"] });
    // The results ride along as comments, which the repo server's YAML splitter drops.
    expect(r.stdout).toMatch(/^# sidecar-order: \[info\] moved sidecar "cloud-sql-proxy"/m);
  });

  it("takes KUBE_VERSION as it is: 1.27.9 is below native sidecars, so legacy; a patch level past a known defect's fix counts", () => {
    const r = generate("plain", { KUBE_VERSION: "1.27.9" });
    expect(r.status, r.stderr).toBe(0);
    expect(order(r.objects[0])).toEqual({ init: [], containers: ["cloud-sql-proxy", "web"] });
    // kubernetes#123709 was fixed in 1.29.3: 1.29.9 is past it, 1.29 alone is not known to be.
    const job = (v: string) => generate("job", { KUBE_VERSION: v }).stdout.includes("kubernetes#123709");
    expect(job("v1.29.9")).toBe(false);
    expect(job("v1.29")).toBe(true);
  });

  it("lets the app's .sidecar-order.yaml version win over KUBE_VERSION", () => {
    const r = generate("configured", { KUBE_VERSION: "1.33.2" });
    expect(r.status, r.stderr).toBe(0);
    expect(order(r.objects[0])).toEqual({ init: [], containers: ["cloud-sql-proxy", "web"] });
  });

  it("reads ARGOCD_ENV_* from the Application's plugin env", () => {
    const r = generate("plain", { KUBE_VERSION: "1.33.2", ARGOCD_ENV_KUBERNETES_VERSION: "1.28", ARGOCD_ENV_STRATEGY: "legacy" });
    expect(r.status, r.stderr).toBe(0);
    expect(order(r.objects[0])).toEqual({ init: [], containers: ["cloud-sql-proxy", "web"] });
  });

  it("reads the plugin parameters (ARGOCD_APP_PARAMETERS, with the PARAM_* Argo CD sets beside it)", () => {
    const params = [
      { name: "strategy", string: "legacy" },
      { name: "sidecars", array: ["cloud-sql-proxy"] },
    ];
    const r = generate("plain", { KUBE_VERSION: "1.33.2", ARGOCD_APP_PARAMETERS: JSON.stringify(params), PARAM_STRATEGY: "legacy", PARAM_SIDECARS_0: "cloud-sql-proxy" });
    expect(r.status, r.stderr).toBe(0);
    expect(order(r.objects[0])).toEqual({ init: [], containers: ["cloud-sql-proxy", "web"] });
    const typo = generate("plain", { ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: "stratgy", string: "legacy" }]) });
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain('unknown plugin parameter "stratgy"; did you mean "strategy"?');
  });

  it("names a bad value by the variable or parameter that set it, and takes an empty variable for an unset one", () => {
    const bad = generate("plain", { KUBE_VERSION: "1.27.9", ARGOCD_ENV_STRATEGY: "Legacy" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('sidecar-order: ARGOCD_ENV_STRATEGY: strategy must be one of "auto", "native", "legacy"\n');
    const param = generate("plain", { KUBE_VERSION: "1.27.9", ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: "kubernetesVersion", string: "latest" }]) });
    expect(param.status).toBe(1);
    expect(param.stderr).toMatch(/^sidecar-order: the kubernetesVersion parameter: "latest" is not a Kubernetes version/);
    // A parameter is a string already: no advice to quote it.
    const short = generate("plain", { KUBE_VERSION: "1.27.9", ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: "kubeletVersion", string: "1.2" }]) });
    expect(short.stderr).not.toContain("quote it");
    const empty = generate("plain", { KUBE_VERSION: "1.27.9", ARGOCD_ENV_KUBERNETES_VERSION: "" });
    expect(empty.status, empty.stderr).toBe(0);
    expect(empty.stdout).not.toContain("ConfigMap sidecar-order-options");
    expect(order(empty.objects[0]).containers?.[0]).toBe("cloud-sql-proxy");
  });

  it("keeps a block scalar's value in the last file when the results follow it as comments", () => {
    writeFileSync(join(repo, "apps", "plain", "z-cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: z\ndata:\n  k: |\n    foo");
    const r = generate("plain", { KUBE_VERSION: "1.33.2" });
    rmSync(join(repo, "apps", "plain", "z-cm.yaml"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/  k: \|-\n    foo\n# sidecar-order: \[info\]/);
  });

  it("names the config file only on results about what the file set, not on what a variable laid over it", () => {
    writeFileSync(join(repo, "apps", "plain", "so.yaml"), "apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: so\nsidecars:\n- preset: cloud-sql-proxy\n- preset: istio\n");
    const param = JSON.stringify([{ name: "config", string: "so.yaml" }]);
    const fromFile = generate("plain", { KUBE_VERSION: "1.33.2", ARGOCD_APP_PARAMETERS: param });
    const fromEnv = generate("plain", { KUBE_VERSION: "1.33.2", ARGOCD_APP_PARAMETERS: param, ARGOCD_ENV_SIDECARS: "cloud-sql-proxy,linkerd" });
    rmSync(join(repo, "apps", "plain", "so.yaml"));
    expect(fromFile.stdout).toMatch(/# sidecar-order: \[warning\] sidecars\[1\] \(the istio preset\) matches no container.*\(SidecarOrder so, sidecars\[1\], so.yaml\)$/m);
    expect(fromEnv.stdout).toMatch(/# sidecar-order: \[warning\] sidecars\[1\] \(the linkerd preset\) matches no container.*\(SidecarOrder so, sidecars\[1\]\)$/m);
  });

  it("reads the config parameter's file only inside the repository", () => {
    const param = (file: string) => ({ KUBE_VERSION: "1.33.2", ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: "config", string: file }]) });
    const outside = generate("plain", param("../../../outside.yaml"));
    expect(outside.status).toBe(1);
    expect(outside.stderr).toBe('sidecar-order: the config parameter "../../../outside.yaml" leads outside the repository; give a file inside it\n');
    // A file name that starts with two dots is inside.
    writeFileSync(join(repo, "apps", "plain", "..order.yaml"), "apiVersion: fn.sidecar-order.dev/v1alpha1\nkind: SidecarOrder\nmetadata:\n  name: o\nstrategy: legacy\n");
    const dots = generate("plain", param("..order.yaml"));
    rmSync(join(repo, "apps", "plain", "..order.yaml"));
    expect(dots.status, dots.stderr).toBe(0);
    expect(order(dots.objects[0]).containers?.[0]).toBe("cloud-sql-proxy");
    // A link inside that leads out is outside; an empty parameter is unset.
    writeFileSync(join(repo, "..", "outside-order.yaml"), "apiVersion: v1\nkind: ConfigMap\ndata:\n  db_password: x\n");
    symlinkSync(join(repo, "..", "outside-order.yaml"), join(repo, "apps", "plain", "linked.yaml"));
    const linked = generate("plain", param("linked.yaml"));
    rmSync(join(repo, "apps", "plain", "linked.yaml"));
    expect(linked.status).toBe(1);
    expect(linked.stderr).toBe('sidecar-order: the config parameter "linked.yaml" leads outside the repository; give a file inside it\n');
    expect(generate("plain", param("")).status).toBe(0);
    expect(generate("plain", param("missing.yaml")).stderr).toMatch(/^sidecar-order: the config parameter's file .*missing\.yaml: no such file\n$/);
    const absolute = generate("plain", param("/etc/passwd"));
    expect(absolute.status).toBe(1);
    expect(absolute.stderr).toMatch(/^sidecar-order: the config parameter "\/etc\/passwd" is an absolute path; give the file's path relative to the app directory/);
  });

  it("refuses an ARGOCD_ENV_ variable that misspells an option, and leaves other tools' variables alone", () => {
    const typo = generate("plain", { KUBE_VERSION: "1.33.2", ARGOCD_ENV_STRATEGIE: "legacy" });
    expect(typo.status).toBe(1);
    expect(typo.stderr).toBe("sidecar-order: ARGOCD_ENV_STRATEGIE is not an option sidecar-order knows; did you mean ARGOCD_ENV_STRATEGY?\n");
    expect(generate("plain", { KUBE_VERSION: "1.33.2", ARGOCD_ENV_KUBERNETS_VERSION: "1.30" }).stderr).toContain("did you mean ARGOCD_ENV_KUBERNETES_VERSION?");
    // Everyday names a letter or two from a short option (NODE, ZONE: mode), or from a long one (KUBE_VERSION), are other tools'.
    const other = generate("plain", { KUBE_VERSION: "1.33.2", ARGOCD_ENV_HELM_ARGS: "--skip-tests", ARGOCD_ENV_NODE: "n1", ARGOCD_ENV_ZONE: "eu", ARGOCD_ENV_MODEL: "m", ARGOCD_ENV_KUBE_VERSION: "1.33", ARGOCD_ENV_DB_CONFIG: "x", ARGOCD_ENV_STRATEGY_V2: "y", ARGOCD_ENV_STRATEGY: "legacy" });
    expect(other.status, other.stderr).toBe(0);
    expect(order(other.objects[0]).containers?.[0]).toBe("cloud-sql-proxy");
  });

  it("mode=check fails the sync and names the workload and sidecar", () => {
    const r = generate("other", { KUBE_VERSION: "1.31.0", ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: "mode", string: "check" }]) });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\[error\] .*"cloud-sql-proxy".*\(Deployment web, /m);
  });

  it("fails with the config's error on stderr, for Argo CD to show", () => {
    const r = generate("bad-config", {});
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown field `stratgy`; did you mean `strategy`?");
  });

  it.runIf(kustomize5)("builds a kustomize directory with kustomize first", () => {
    const r = generate("kustomized", { KUBE_VERSION: "1.33.2" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.objects).toHaveLength(1);
    expect(r.objects[0]).toMatchObject({ metadata: { name: "web", namespace: "shop", labels: { team: "shop" } } });
    expect(order(r.objects[0])).toEqual({ init: ["cloud-sql-proxy"], containers: ["web"] });
  });

  it("says where kustomize is missing", () => {
    const r = generate("kustomized", { SIDECAR_ORDER_KUSTOMIZE: "no-such-kustomize" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("`no-such-kustomize` was not found; put kustomize on the sidecar's PATH or set SIDECAR_ORDER_KUSTOMIZE");
  });
});

describe.runIf(kustomize5)("argocd/ as a kustomize component of an Argo CD install", () => {
  it("adds the plugin sidecar and the plugin.yaml ConfigMap to argocd-repo-server", () => {
    const install = join(repo, "install");
    mkdirSync(install, { recursive: true });
    // The parts of Argo CD's own repo-server Deployment the patch builds on.
    writeFileSync(
      join(install, "repo-server.yaml"),
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: argocd-repo-server\nspec:\n  template:\n    spec:\n      containers:\n      - name: argocd-repo-server\n        image: quay.io/argoproj/argocd:v3.1.0\n      volumes:\n      - name: var-files\n        emptyDir: {}\n      - name: plugins\n        emptyDir: {}\n",
    );
    // kustomize takes components by relative path only.
    writeFileSync(join(install, "kustomization.yaml"), `resources: [repo-server.yaml]\ncomponents: [${relative(install, join(root, "argocd"))}]\n`);
    const r = spawnSync(kustomize5!, ["build", install], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const objs = parseAllDocuments(r.stdout).map((d) => (Array.isArray(d) ? null : d.toJS())) as { kind: string; data?: Record<string, string>; spec?: { template: { spec: { containers: { name: string; volumeMounts?: { mountPath: string; subPath?: string }[] }[]; volumes: { name: string }[] } } } }[];
    const cm = objs.find((o) => o.kind === "ConfigMap")!;
    expect(cm.data!["plugin.yaml"]).toBe(readFileSync(join(root, "argocd", "plugin.yaml"), "utf8"));
    const pod = objs.find((o) => o.kind === "Deployment")!.spec!.template.spec;
    expect(pod.containers.map((c) => c.name).sort()).toEqual(["argocd-repo-server", "sidecar-order"]);
    expect(pod.containers.find((c) => c.name === "sidecar-order")!.volumeMounts).toContainEqual({ name: "sidecar-order-cmp", mountPath: "/home/argocd/cmp-server/config/plugin.yaml", subPath: "plugin.yaml" });
    expect(pod.volumes.map((v) => v.name)).toEqual(expect.arrayContaining(["var-files", "plugins", "sidecar-order-cmp", "sidecar-order-tmp", "sidecar-order-tools"]));
  });
});
