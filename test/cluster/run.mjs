// `run FILE...`: one static pod per workload, run on the standalone kubelet, then deleted; prints
// one JSON document on stdout: {"pods": [{name, workload, namespace, phase, events, logs, ...}]}
// in input order. See README.md for the fields and timeline.mjs for where each event comes from.
import { mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { CtrWatcher, LogFollower, nowNs, parseContainerdLine, parseKlogLine } from "./events.mjs";
import { PodLogs } from "./podlogs.mjs";
import { env, kubeletPodsUrl, paths } from "./paths.mjs";
import { InputError, podName, readWorkloads, toStaticPod, unsupportedImages } from "./pods.mjs";
import { podTimeline } from "./timeline.mjs";

const usage = `usage: npm run cluster -- run [--timeout=SECONDS] [--settle=SECONDS] [--parallel=N] FILE...
  FILE        multi-document YAML or a kpt ResourceList; one pod per workload in it
  --timeout   how long a pod may take to settle: every app container started (restartPolicy
              Always) or the pod completed (Never/OnFailure); default 60
  --settle    how long a settled pod keeps running before it is deleted; default 2
  --parallel  how many pods run at once; default 1 (timings are least disturbed)`;

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { timeout: 60, settle: 2, parallel: 1, files: [] };
  for (const a of argv) {
    const m = /^--(timeout|settle|parallel)=(\d+(?:\.\d+)?)$/.exec(a);
    if (m) opts[m[1]] = Number(m[2]);
    else if (a === "-h" || a === "--help") throw new UsageError(usage);
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}\n${usage}`);
    else opts.files.push(a);
  }
  if (!opts.files.length) throw new UsageError(usage);
  if (opts.parallel < 1) throw new UsageError("--parallel must be at least 1");
  return opts;
}

async function kubeletPods() {
  const res = await fetch(kubeletPodsUrl, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`kubelet /pods: HTTP ${res.status}`);
  return (await res.json()).items ?? [];
}

/** Runs the workloads in ARGV's files; returns the process exit code. */
export async function run(argv) {
  let opts, workloads;
  try {
    opts = parseArgs(argv);
    workloads = readWorkloads(opts.files);
    if (!workloads.length) throw new InputError(`no workload (Pod, Deployment, Job, ...) in ${opts.files.join(" ")}`);
    const bad = unsupportedImages(workloads);
    if (bad.length) {
      throw new InputError(
        `only busybox images run on this cluster (it pulls nothing; any busybox reference runs the local ${env.BUSYBOX_IMAGE}):\n  ${bad.join("\n  ")}`,
      );
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      process.stderr.write(`cluster run: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    await kubeletPods();
    if (!existsSync(paths.containerdSock)) throw new Error("no containerd socket");
  } catch (e) {
    process.stderr.write(`cluster run: the cluster is not up (${e.message}): npm run cluster -- up\n`);
    return 2;
  }

  mkdirSync(paths.manifests, { recursive: true });
  const runId = Math.random().toString(36).slice(2, 6);
  const watcher = new CtrWatcher();
  try {
    await watcher.subscribed();
  } catch (e) {
    await watcher.stop();
    process.stderr.write(`cluster run: ${e.message}\n`);
    return 2;
  }
  const kubeletLog = new LogFollower(paths.kubeletLog, parseKlogLine);
  const containerdLog = new LogFollower(paths.containerdLog, parseContainerdLine);
  const written = new Set();
  const pump = setInterval(() => {
    kubeletLog.poll();
    containerdLog.poll();
  }, 100);
  const ctx = { opts, runId, watcher, kubeletLog, containerdLog, written };
  const onSignal = () => {
    for (const f of written) rmSync(f, { force: true });
    watcher.stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const results = new Array(workloads.length);
  try {
    let next = 0;
    const worker = async () => {
      while (next < workloads.length) {
        const i = next++;
        results[i] = await runOne(ctx, workloads[i], i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.parallel, workloads.length) }, worker));
  } finally {
    clearInterval(pump);
    for (const f of written) rmSync(f, { force: true });
    await watcher.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  process.stdout.write(`${JSON.stringify({ pods: results }, null, 2)}\n`);
  return results.some((r) => r.error) ? 1 : 0;
}

async function runOne(ctx, w, index) {
  const { opts, runId, watcher, kubeletLog, containerdLog, written } = ctx;
  const name = podName(w, runId, index);
  const { pod, changes } = toStaticPod(w, { name, busyboxImage: env.BUSYBOX_IMAGE, runLabel: { "sidecar-order.test/run": runId } });
  const namespace = pod.metadata.namespace;
  const kubeletName = `${name}-${env.NODE_NAME.toLowerCase()}`;
  const kubeletPod = `${namespace}/${kubeletName}`;
  const file = join(paths.manifests, `${name}.yaml`);
  const tmp = join(paths.manifests, `.${name}.yaml.tmp`); // the kubelet skips dot files

  writeFileSync(tmp, stringify(pod));
  const t0 = nowNs();
  renameSync(tmp, file);
  written.add(file);
  const logs = new PodLogs(namespace, kubeletName);
  const always = pod.spec.restartPolicy === "Always";
  const appNames = (pod.spec.containers ?? []).map((c) => c.name);

  let status = null;
  let error;
  let rejected = false;
  const deadline = Date.now() + opts.timeout * 1000;
  const pollOnce = async () => {
    logs.poll();
    try {
      const p = (await kubeletPods()).find((x) => x.metadata?.name === kubeletName && x.metadata?.namespace === namespace);
      if (p?.status) status = p.status;
    } catch {
      /* a missed poll */
    }
  };
  for (;;) {
    await sleep(100);
    await pollOnce();
    const rejection = kubeletLog.lines.find((l) => l.msg === "Could not process manifest file" && l.kv.path === file);
    if (rejection) {
      rejected = true;
      error = `the kubelet rejected the manifest: ${rejection.kv.err ?? "(no reason logged)"}`;
      break;
    }
    const phase = status?.phase;
    if (phase === "Succeeded" || phase === "Failed") break;
    if (always && status) {
      const st = new Map((status.containerStatuses ?? []).map((c) => [c.name, c]));
      if (appNames.every((n) => st.get(n)?.started === true || st.get(n)?.state?.terminated)) break;
    }
    if (Date.now() > deadline) {
      error = `did not settle within ${opts.timeout}s (${always ? "not every app container started" : "the pod did not complete"})`;
      break;
    }
  }
  if (!rejected && !error && always) {
    const until = Date.now() + opts.settle * 1000;
    while (Date.now() < until) {
      await sleep(100);
      await pollOnce();
    }
  }
  if (status?.phase === "Failed" && !error && status.reason) error = `${status.reason}: ${status.message ?? ""}`.trim();

  // Delete it and wait for every container and sandbox it had to stop.
  const deletedAt = nowNs();
  rmSync(file, { force: true });
  written.delete(file);
  let stopError;
  if (!rejected) {
    const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
    const stopDeadline = Date.now() + (grace + 30) * 1000;
    for (;;) {
      await sleep(100);
      logs.poll();
      await watcher.settled();
      const { containers, sandboxes } = watcher.idsOf(kubeletName, namespace);
      const ids = [...containers.keys(), ...sandboxes];
      const startedIds = ids.filter((id) => watcher.events.some((e) => e.topic === "/tasks/start" && e.payload.container_id === id));
      const exited = (id) => watcher.events.some((e) => e.topic === "/tasks/exit" && e.payload.container_id === id && (!e.payload.id || e.payload.id === id));
      if (ids.length && startedIds.every(exited)) break;
      if (!ids.length && Date.now() > stopDeadline - grace * 1000) break; // it never ran anything
      if (Date.now() > stopDeadline) {
        stopError = `containers still running ${grace + 30}s after the pod was deleted`;
        break;
      }
    }
  }
  logs.close();
  kubeletLog.poll();
  containerdLog.poll();
  await watcher.settled();

  const { containers } = watcher.idsOf(kubeletName, namespace);
  const { events, notes } = podTimeline({
    pod,
    kubeletPod,
    ids: containers,
    ctrEvents: watcher.events,
    kubeletLines: kubeletLog.lines,
    containerdLines: containerdLog.lines,
    t0,
    deletedAt,
  });
  const result = {
    name: kubeletName,
    workload: `${w.kind}/${w.name}`,
    namespace,
    phase: rejected ? "Failed" : status?.phase ?? "Pending",
    events,
    logs: logs.text(),
    logLines: logs.lines(t0),
    deletedAt: Number(deletedAt - t0),
  };
  if (changes.length) result.changes = changes;
  if (notes.length) result.notes = notes;
  const errors = [error, stopError].filter(Boolean);
  if (errors.length) result.error = errors.join("; ");
  return result;
}
