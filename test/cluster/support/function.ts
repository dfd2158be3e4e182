/**
 * For the real-kubelet scenarios (test/cluster/*.cluster.test.ts): run the built function on a
 * scenario's workload, run the result on the test cluster with the harness, and read its
 * timeline. Nothing here writes pods by hand: every pod that runs is the function's output (or
 * the unmodified input, to show what the function changes).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, "../../..");
export const scenarios = join(here, "../scenarios");
const cli = join(repo, "dist/sidecar-order.cjs");
const harness = join(repo, "test/cluster/harness.mjs");

/** Set by global-setup.ts once the cluster is up; without it the scenarios are skipped (under CI=true: fail). */
export const clusterUp = process.env["SIDECAR_ORDER_CLUSTER"] === "up";
if (!clusterUp) {
  const why = "the test cluster is not up (npm run test:cluster brings it up, as root on Linux)";
  if (process.env["CI"] === "true") throw new Error(`${why}, and CI=true`);
  console.warn(`SKIPPED: these cluster scenarios: ${why}`);
}

let outDir: string | undefined;
const out = () => (outDir ??= mkdtempSync(join(tmpdir(), "sidecar-order-cluster-")));

export interface FunctionRun {
  /** The output file (multi-document YAML), in a temporary directory. */
  file: string;
  stdout: string;
  /** The results, one line each. */
  stderr: string;
  status: number | null;
}

let runs = 0;

/**
 * Runs `sidecar-order --config CONFIG WORKLOAD` (relative paths are under scenarios/; WORKLOAD may
 * be an earlier run's output file); fails unless it exits 0.
 */
export function sidecarOrder(config: string, workload: string, { allowFailure = false } = {}): FunctionRun {
  const r = spawnSync(process.execPath, [cli, "--config", resolve(scenarios, config), resolve(scenarios, workload)], { encoding: "utf8" });
  const file = join(out(), `${++runs}-${config.replace(/[/.]/g, "_")}.yaml`);
  writeFileSync(file, r.stdout);
  if (r.status !== 0 && !allowFailure) throw new Error(`sidecar-order --config ${config} ${workload}: exit ${r.status}\n${r.stderr}`);
  return { file, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

export interface Container {
  name: string;
  restartPolicy?: string;
  startupProbe?: Record<string, unknown>;
  readinessProbe?: unknown;
  lifecycle?: { postStart?: Record<string, unknown>; preStop?: Record<string, unknown> };
  [k: string]: unknown;
}

export interface PodSpec {
  initContainers?: Container[];
  containers: Container[];
  restartPolicy?: "Always" | "OnFailure" | "Never";
  terminationGracePeriodSeconds?: number;
  [k: string]: unknown;
}

/** The pod spec of the first workload in FILE (a Deployment's or Job's template, or a Pod's spec). */
export function podSpecOf(file: string): PodSpec {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const o = doc.toJS() as { kind?: string; spec?: { template?: { spec?: PodSpec } } & PodSpec };
    if (o?.kind === "Pod") return o.spec as PodSpec;
    if (o?.spec?.template?.spec) return o.spec.template.spec;
  }
  throw new Error(`no pod template in ${file}`);
}

/** Names of a pod spec's containers, init containers first. */
export const containerNames = (spec: PodSpec) => [...(spec.initContainers ?? []), ...spec.containers].map((c) => c.name);

// ---- the harness's JSON (test/cluster/README.md, "run's JSON") ----

export interface ClusterEvent {
  /** Nanoseconds since the harness wrote the pod's manifest. */
  t: number;
  container: string;
  type: "created" | "started" | "postStartDone" | "startupProbeSucceeded" | "ready" | "preStop" | "preStopDone" | "stopping" | "exited";
  source: string;
  exitCode?: number;
  restart?: number;
  gracePeriod?: number;
  timedOut?: boolean;
}

export interface LogLine {
  t: number;
  stream: string;
  text: string;
}

export interface ClusterPod {
  name: string;
  workload: string;
  phase: string;
  events: ClusterEvent[];
  logs: Record<string, string>;
  logLines: Record<string, LogLine[]>;
  deletedAt: number;
  changes?: string[];
  notes?: string[];
  error?: string;
}

export interface RunOptions {
  /** Seconds a pod may take to settle (default 60). */
  timeout?: number;
  /** Seconds a settled pod keeps running before it is deleted (default 2). */
  settle?: number;
  /** Pods run at once (default: all of them). */
  parallel?: number;
}

/**
 * Runs FILES on the test cluster (one pod per workload, in order) and returns the pods. Pods
 * that did not settle carry an `error`; that is for the caller to judge.
 */
export function runOnCluster(files: string[], opts: RunOptions = {}): ClusterPod[] {
  const args = [harness, "run", `--parallel=${opts.parallel ?? files.length}`];
  if (opts.timeout !== undefined) args.push(`--timeout=${opts.timeout}`);
  if (opts.settle !== undefined) args.push(`--settle=${opts.settle}`);
  const r = spawnSync(process.execPath, [...args, ...files], { encoding: "utf8", maxBuffer: 64 << 20, cwd: repo });
  if (r.status !== 0 && r.status !== 1) throw new Error(`cluster run ${files.join(" ")}: exit ${r.status ?? r.signal}\n${r.stderr}`);
  const pods = (JSON.parse(r.stdout) as { pods: ClusterPod[] }).pods;
  if (process.env["SIDECAR_ORDER_CLUSTER_VERBOSE"]) for (const p of pods) console.log(timeline(p));
  const keep = process.env["SIDECAR_ORDER_CLUSTER_KEEP"];
  if (keep) writeFileSync(join(keep, `${pods.map((p) => p.workload.replace(/\W+/g, "-")).join("+")}.json`), r.stdout);
  return pods;
}

// ---- questions about one pod's timeline ----

export interface Which {
  /** 0 (default): the container's first instance; n: its n-th restart. */
  restart?: number;
  exitCode?: number;
}

/** The first TYPE event of CONTAINER (its first instance unless `restart` says otherwise). */
export function event(pod: ClusterPod, container: string, type: ClusterEvent["type"], which: Which = {}): ClusterEvent | undefined {
  return pod.events.find(
    (e) =>
      e.container === container &&
      e.type === type &&
      (e.restart ?? 0) === (which.restart ?? 0) &&
      (which.exitCode === undefined || e.exitCode === which.exitCode),
  );
}

/** Time (ns) of the first TYPE event of CONTAINER; throws, with the timeline, when there is none. */
export function at(pod: ClusterPod, container: string, type: ClusterEvent["type"], which: Which = {}): number {
  const e = event(pod, container, type, which);
  if (!e) throw new Error(`${pod.workload}: no "${type}" event for ${container}${which.restart ? ` (restart ${which.restart})` : ""}\n${timeline(pod)}`);
  return e.t;
}

/** Time (ns) containerd read the first line of CONTAINER's output equal to TEXT, or undefined. */
export function logged(pod: ClusterPod, container: string, text: string): number | undefined {
  return pod.logLines[container]?.find((l) => l.text === text)?.t;
}

/** Like `logged`, but throws (with the timeline) when the line never came. */
export function loggedAt(pod: ClusterPod, container: string, text: string): number {
  const t = logged(pod, container, text);
  if (t === undefined) throw new Error(`${pod.workload}: ${container} never logged "${text}"\n${timeline(pod)}`);
  return t;
}

/** How many times CONTAINER was started (1 + its restarts). */
export const instances = (pod: ClusterPod, container: string) => pod.events.filter((e) => e.container === container && e.type === "started").length;

const secs = (ns: number) => (ns / 1e9).toFixed(3).padStart(7);

/** The pod's events and log lines as readable lines (for failure messages and the README). */
export function timeline(pod: ClusterPod, { logs = true } = {}): string {
  const rows: [number, string][] = pod.events.map((e) => {
    const extra = [
      e.exitCode !== undefined ? `exitCode=${e.exitCode}` : "",
      e.restart ? `restart=${e.restart}` : "",
      e.gracePeriod !== undefined ? `gracePeriod=${e.gracePeriod}` : "",
      e.timedOut ? "timedOut" : "",
    ].filter(Boolean);
    return [e.t, `${e.container.padEnd(9)} ${e.type}${extra.length ? ` ${extra.join(" ")}` : ""}`];
  });
  if (logs) for (const [c, lines] of Object.entries(pod.logLines)) for (const l of lines) rows.push([l.t, `${c.padEnd(9)} | ${l.text}`]);
  rows.push([pod.deletedAt, "(pod deleted)"]);
  rows.sort((a, b) => a[0] - b[0]);
  const head = `${pod.workload} ${pod.phase}${pod.error ? ` (${pod.error})` : ""}`;
  return [head, ...rows.map(([t, s]) => `${secs(t)}  ${s}`)].join("\n");
}
