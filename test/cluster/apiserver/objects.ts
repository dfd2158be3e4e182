/**
 * What goes to the API server: the function's output as objects. Each example package is run
 * through the real kpt (as test/e2e/kpt-examples.test.ts runs it) and its files read back; a
 * generated ResourceList goes through runResourceList. Workloads of kinds the server does not
 * serve (Argo Rollouts, OpenKruise CloneSets: CRDs) are judged by their pod template, sent as a Pod.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative, resolve } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { targetOf, type Target } from "../../properties/schema";

type Plain = Record<string, unknown>;

const root = resolve(__dirname, "../../..");
export const examplesDir = join(root, "examples");
const binDir = join(root, "dist", "bin");

/** One object to send, with where it came from. */
export interface Sent {
  /** "example/file.yaml: Deployment shop/api", "list 17 item 2: Job default/w". */
  where: string;
  obj: Plain;
  /** Set when obj is a Pod made from a custom kind's pod template. */
  from?: string;
}

const isLocalConfig = (o: Plain) => ((o["metadata"] as Plain | undefined)?.["annotations"] as Plain | undefined)?.["config.kubernetes.io/local-config"] === "true";

/** Read as kubectl reads it: every document, merge keys honoured. */
export function readObjects(text: string): Plain[] {
  return parseAllDocuments(text, { merge: true })
    .map((d) => d.toJS({ maxAliasCount: -1 }) as unknown)
    .filter((o): o is Plain => typeof o === "object" && o !== null && !Array.isArray(o) && typeof (o as Plain)["kind"] === "string");
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

export interface ExampleRun {
  name: string;
  exitCode: number;
  stderr: string;
  /** The API server version the example's config names. */
  target: Target | undefined;
  objects: Sent[];
}

export const exampleNames = (): string[] =>
  existsSync(examplesDir) ? readdirSync(examplesDir).filter((d) => existsSync(join(examplesDir, d, ".expected", "config.yaml"))).sort() : [];

/** Run one example package through kpt as its .expected/config.yaml says, and read what it left. */
export function runExample(name: string): ExampleRun {
  const src = join(examplesDir, name);
  const cfg = parse(readFileSync(join(src, ".expected", "config.yaml"), "utf8")) as { testType: "eval" | "render"; args?: Record<string, string>; fnConfig?: string };
  const work = mkdtempSync(join(tmpdir(), `sidecar-order-apiserver-${name}-`));
  try {
    const pkg = join(work, "pkg");
    cpSync(src, pkg, { recursive: true });
    rmSync(join(pkg, ".expected"), { recursive: true });
    const args =
      cfg.testType === "render"
        ? ["fn", "render", "pkg", "--allow-exec", "--truncate-output=false"]
        : [
            "fn", "eval", "pkg", "--exec", "sidecar-order", "--truncate-output=false",
            ...(cfg.fnConfig ? ["--fn-config", join("pkg", cfg.fnConfig)] : []),
            ...(cfg.args ? ["--", ...Object.entries(cfg.args).map(([k, v]) => `${k}=${v}`)] : []),
          ];
    const r = spawnSync("kpt", args, { cwd: work, encoding: "utf8", env: { ...process.env, PATH: `${binDir}${delimiter}${process.env["PATH"]}` } });
    const objects: Sent[] = [];
    let target = cfg.args?.["kubernetesVersion"] ? targetOf({ kubernetesVersion: cfg.args["kubernetesVersion"] }) : undefined;
    for (const file of yamlFiles(pkg)) {
      for (const obj of readObjects(readFileSync(file, "utf8"))) {
        if (obj["kind"] === "SidecarOrder") target = targetOf(obj) ?? target;
        if (obj["kind"] === "Kptfile" || isLocalConfig(obj)) continue;
        objects.push({ where: `${name}/${relative(pkg, file)}: ${describe(obj)}`, obj });
      }
    }
    return { name, exitCode: r.status ?? -1, stderr: r.stderr, target, objects };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function describe(obj: Plain): string {
  const m = (obj["metadata"] as Plain | undefined) ?? {};
  return `${String(obj["kind"])} ${String(m["namespace"] ?? "default")}/${String(m["name"])}`;
}

/** Directory of the CRDs test/cluster/build.sh fetches (JobSet, RayCluster). */
export const crdsDir = join(__dirname, "..", ".crds");

/** The CRDs build.sh fetched, as objects. */
export function readCrds(): Plain[] {
  return existsSync(crdsDir) ? readdirSync(crdsDir).filter((f) => f.endsWith(".yaml")).sort().flatMap((f) => readObjects(readFileSync(join(crdsDir, f), "utf8"))) : [];
}

/**
 * Every pod template of an object of a custom kind whose templates sit in lists (a JobSet's
 * replicated jobs, a RayCluster's head and worker groups), each as a Pod, so the server's pod
 * validation judges them too (a CRD's schema checks shapes only).
 */
export function listedTemplatesAsPods(obj: Plain): { where: string; pod: Plain }[] {
  const spec = (obj["spec"] as Plain | undefined) ?? {};
  const found: { where: string; template: Plain }[] = [];
  const entries = (v: unknown) => (Array.isArray(v) ? (v as Plain[]) : []);
  entries(spec["replicatedJobs"]).forEach((j, i) => found.push({ where: `spec.replicatedJobs[${i}]`, template: ((j["template"] as Plain | undefined)?.["spec"] as Plain | undefined)?.["template"] as Plain }));
  if (spec["headGroupSpec"]) found.push({ where: "spec.headGroupSpec", template: (spec["headGroupSpec"] as Plain)["template"] as Plain });
  entries(spec["workerGroupSpecs"]).forEach((g, i) => found.push({ where: `spec.workerGroupSpecs[${i}]`, template: g["template"] as Plain }));
  const m = (obj["metadata"] as Plain | undefined) ?? {};
  return found
    .filter((f) => Array.isArray((f.template?.["spec"] as Plain | undefined)?.["containers"]))
    .map((f, i) => ({
      where: f.where,
      pod: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { ...((f.template["metadata"] as Plain | undefined) ?? {}), name: `${String(obj["kind"]).toLowerCase()}-${String(m["name"])}-${i}`, ...(m["namespace"] ? { namespace: m["namespace"] } : {}) },
        spec: f.template["spec"] as Plain,
      },
    }));
}

/** The pod template of a workload of a kind the server does not serve, as a Pod; undefined when there is none. */
export function templateAsPod(obj: Plain): Plain | undefined {
  const spec = obj["spec"] as Plain | undefined;
  const job = (spec?.["jobTemplate"] as Plain | undefined)?.["spec"] as Plain | undefined;
  const t = (spec?.["template"] ?? job?.["template"]) as Plain | undefined;
  const podSpec = t?.["spec"] as Plain | undefined;
  if (!podSpec || !Array.isArray(podSpec["containers"])) return undefined;
  const m = (obj["metadata"] as Plain | undefined) ?? {};
  const tm = (t?.["metadata"] as Plain | undefined) ?? {};
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { ...tm, name: `${String(obj["kind"]).toLowerCase()}-${String(m["name"])}`, ...(m["namespace"] ? { namespace: m["namespace"] } : {}) },
    spec: podSpec,
  };
}

/** Every namespace the objects name ("default" exists). */
export function namespaces(objects: Sent[]): string[] {
  const ns = new Set<string>();
  for (const { obj } of objects) {
    const n = (obj["metadata"] as Plain | undefined)?.["namespace"];
    if (typeof n === "string" && n !== "default") ns.add(n);
  }
  return [...ns].sort();
}
