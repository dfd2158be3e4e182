/**
 * The API server accepts every output (issue 12, item 8), and the property suite's hand-written
 * API rules say what the real kube-apiserver says (issue 12, item 8; issue 14: resizePolicy).
 *
 * Every object goes to the test cluster's kube-apiserver v1.34 as a create with dryRun=All and
 * fieldValidation=Strict (one HTTPS request each, eight in flight), and "accepted" means taken as
 * written: not rejected, and no field the object had missing or changed in what the server would
 * store (a server with a feature gate off drops that feature's fields silently). Outputs for targets
 * below 1.32 also go to a second kube-apiserver, the same binary with --emulated-version=1.31 (1.31's
 * feature gates and APIs; the oldest it emulates). Workloads of kinds the server does not serve (Argo
 * Rollout, OpenKruise CloneSet) are judged by their pod template, sent as a Pod.
 *
 * Needs the cluster up (test/cluster/global-setup.ts sets SIDECAR_ORDER_CLUSTER=up), kpt and a built
 * dist/bin/sidecar-order (`npm run test:cluster` builds it).
 */
import fc from "fast-check";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runResourceList } from "../../src/run";
import { resourceListText } from "../properties/generators";
import { API_RULES, apiRuleViolations, ownRuleViolations, targetOf, type Target } from "../properties/schema";
import { ApiServer, lostFields, mapLimit } from "./apiserver/client";
import { changingListText } from "./apiserver/lists";
import { startEmulatedApiServer, type Emulated } from "./apiserver/emulated";
import { describe as name, exampleNames, examplesDir, listedTemplatesAsPods, namespaces, readCrds, readObjects, runExample, templateAsPod, type Sent } from "./apiserver/objects";

type Plain = Record<string, unknown>;

const up = process.env["SIDECAR_ORDER_CLUSTER"] === "up";
if (!up) console.warn("SKIPPED: test/cluster/apiserver.cluster.test.ts needs the test cluster (npm run test:cluster brings it up)");

/** Generated lists: a fixed seed, so a failure is found again by the same run. */
const SEED = 12_008;
const LISTS = 400;
const CHANGING = 300;
/** The oldest minor kube-apiserver 1.34 emulates. */
const OLD_MINOR = 31;
const BUILT_IN = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "PodTemplate"];
/** Custom kinds whose CRDs the test installs (pod templates in lists). */
const CRD_KINDS = ["JobSet", "RayCluster"];

type Outcome = "accepted" | "rejected" | "dropped";
interface Verdict {
  outcome: Outcome;
  detail: string;
  /** Paths of the fields the server left out or changed (outcome "dropped"). */
  lost: string[];
  /** The server's Warning headers. */
  warnings: string[];
}

async function judge(server: ApiServer, obj: Plain): Promise<Verdict> {
  const a = await server.dryRunCreate(obj);
  const warnings = a.warnings;
  if (!a.accepted) return { outcome: "rejected", detail: `HTTP ${a.status}: ${a.causes?.join("; ") || a.message}`, lost: [], warnings };
  const lost = lostFields(obj, a.object);
  return lost.length ? { outcome: "dropped", detail: `the server left out ${lost.join(", ")}`, lost, warnings } : { outcome: "accepted", detail: "", lost, warnings };
}

/** Every pod spec of an item, whatever its kind. */
function podSpecsOf(node: unknown, depth = 0): Plain[] {
  if (depth > 8 || typeof node !== "object" || node === null || Array.isArray(node)) return [];
  const o = node as Plain;
  if (Array.isArray(o["containers"])) return [o];
  return Object.values(o).flatMap((v) => podSpecsOf(v, depth + 1));
}

/** Every init container of an item, whatever its kind. */
function initContainers(node: unknown, depth = 0): Plain[] {
  if (depth > 8 || typeof node !== "object" || node === null) return [];
  const o = node as Plain;
  return Object.entries(o).flatMap(([k, v]) => (k === "initContainers" && Array.isArray(v) ? (v as Plain[]) : initContainers(v, depth + 1)));
}

/** A lost field's path with each container named instead of numbered: `spec.containers[1].resizePolicy` → `container "proxy".resizePolicy`. */
function byName(obj: Plain, path: string): string {
  const m = /^(.*?)(?:^|\.)(initContainers|containers)\[(\d+)\](.*)$/.exec(path.replace(/ \(sent.*$/, ""));
  if (!m) return path;
  let node: unknown = obj;
  for (const k of m[1]!.split(".").filter(Boolean)) node = (node as Plain | undefined)?.[k];
  const c = ((node as Plain | undefined)?.[m[2]!] as Plain[] | undefined)?.[Number(m[3])];
  return `${m[1]} container "${String(c?.["name"])}"${m[4]}`;
}

/** Whether outputs for this target go to the emulated old server too: its minor is at most OLD_MINOR (or not given). */
const forOld = (t: Target | undefined) => t === undefined || (t.major === 1 && t.minor <= OLD_MINOR);

describe.runIf(up)("the real kube-apiserver (server-side dry run)", () => {
  let api: ApiServer;
  let old: Emulated;

  beforeAll(async () => {
    api = new ApiServer();
    const deadline = Date.now() + 60_000;
    while (!(await api.ready())) {
      if (Date.now() > deadline) throw new Error("the test cluster's kube-apiserver is not ready (npm run cluster -- status)");
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await api.version()).toMatch(/^v1\.34\./);
    // JobSet and RayCluster, for the examples that hold them (build.sh fetches them; CI needs them).
    const crds = readCrds();
    expect(crds.map((c) => (c["spec"] as { names: { kind: string } }).names.kind).sort(), "test/cluster/build.sh fetches the CRDs into test/cluster/.crds").toEqual(CRD_KINDS);
    for (const crd of crds) await api.ensureCrd(crd);
    old = await startEmulatedApiServer(OLD_MINOR);
  });

  afterAll(async () => {
    await old?.stop();
    api?.close();
  });

  /** Send each object to v1.34 (and, where `old` says so, to the emulated old server); every one not taken as written. */
  async function send(objects: (Sent & { old: boolean })[]): Promise<string[]> {
    const ns = namespaces(objects);
    for (const n of ns) await api.ensureNamespace(n);
    for (const n of namespaces(objects.filter((o) => o.old))) await old.api.ensureNamespace(n);
    const problems = await mapLimit(objects, 8, async (o) => {
      const out: string[] = [];
      const v = await judge(api, o.obj);
      if (v.outcome !== "accepted") out.push(`${o.where} on v1.34: ${v.outcome}: ${v.detail}`);
      if (o.old) {
        const w = await judge(old.api, o.obj);
        if (w.outcome !== "accepted") out.push(`${o.where} on v1.34 emulating 1.${OLD_MINOR}: ${w.outcome}: ${w.detail}`);
      }
      return out;
    });
    return problems.flat();
  }

  it("takes every example's output as written (kpt runs the function on each package; outputs for targets up to 1.31 also on 1.31)", async () => {
    expect(existsSync(join(__dirname, "../../dist/bin/sidecar-order")), "run `npm run build` first").toBe(true);
    const names = exampleNames();
    expect(names.length).toBeGreaterThan(0);
    const objects: (Sent & { old: boolean })[] = [];
    const summary: string[] = [];
    for (const n of names) {
      const run = runExample(n);
      const expected = (parse(readFileSync(join(examplesDir, n, ".expected", "config.yaml"), "utf8")) as { exitCode?: number }).exitCode ?? 0;
      expect(run.exitCode, `kpt on examples/${n} exited ${run.exitCode}, expected ${expected}\n${run.stderr}`).toBe(expected);
      const workloads = run.objects.filter((o) => [...BUILT_IN, ...CRD_KINDS].includes(String(o.obj["kind"])));
      expect(workloads.length, `examples/${n} has no workload`).toBeGreaterThan(0);
      for (const o of run.objects) {
        // Custom kinds go to v1.34 only (their CRDs are installed there), with each pod template as a Pod too.
        const custom = CRD_KINDS.includes(String(o.obj["kind"]));
        objects.push({ ...o, old: !custom && forOld(run.target) });
        if (custom) for (const t of listedTemplatesAsPods(o.obj)) objects.push({ where: `${o.where} ${t.where} (as a Pod)`, obj: t.pod, old: false });
      }
      summary.push(`${n}: ${run.objects.length} objects${forOld(run.target) ? "" : " (v1.34 only)"}`);
    }
    const problems = await send(objects);
    console.log(`examples: ${names.length} packages, ${objects.length} objects sent, ${objects.filter((o) => o.old).length} also to 1.${OLD_MINOR}; rejected or changed: ${problems.length}\n  ${summary.join("\n  ")}`);
    expect(problems, problems.join("\n")).toEqual([]);
  });

  /**
   * Run the function on each list and send every output object. An output must be taken as
   * written by v1.34; on the emulated old server it may lose only what its input loses there too
   * (a regular container's resizePolicy, which 1.31 drops: the user's field, left alone).
   */
  async function checkLists(label: string, inputs: string[]): Promise<{ changed: number; natives: number; holds: number; keptResize: number }> {
    const objects: (Sent & { old: boolean; input: Plain })[] = [];
    const kinds = new Map<string, number>();
    const stats = { changed: 0, natives: 0, holds: 0, keptResize: 0, asPods: 0 };
    const count = (x: unknown, re: RegExp) => JSON.stringify(x).match(re)?.length ?? 0;
    for (const [l, input] of inputs.entries()) {
      const out = runResourceList(input);
      const before = (parse(input, { merge: true }) as { items: Plain[] }).items;
      const doc = parse(out.text, { merge: true }) as { items: Plain[]; functionConfig?: unknown };
      const target = targetOf(doc.functionConfig);
      for (const [i, item] of doc.items.entries()) {
        const kind = String(item["kind"]);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        const was = before[i]!;
        if (JSON.stringify(was) !== JSON.stringify(item)) stats.changed++;
        stats.natives += count(item, /"restartPolicy":"Always"/g) - count(was, /"restartPolicy":"Always"/g);
        stats.holds += count(item, /"postStart":\{"exec"/g) - count(was, /"postStart":\{"exec"/g);
        stats.keptResize += initContainers(item).filter((c) => c["restartPolicy"] === "Always" && c["resizePolicy"] !== undefined).length;
        const where = `list ${l} item ${i}: ${name(item)}`;
        if (await api.serves(String(item["apiVersion"]), kind)) objects.push({ where, obj: item, old: forOld(target), input: was });
        else {
          const pod = templateAsPod(item);
          if (!pod) continue;
          stats.asPods++;
          objects.push({ where: `${where} (its pod template as a Pod)`, obj: pod, from: kind, old: forOld(target), input: templateAsPod(was) ?? was });
        }
      }
    }
    for (const n of namespaces(objects)) await api.ensureNamespace(n);
    for (const n of namespaces(objects.filter((o) => o.old))) await old.api.ensureNamespace(n);
    const warnings = new Map<string, number>();
    const problems = (
      await mapLimit(objects, 8, async (o) => {
        const out: string[] = [];
        const v = await judge(api, o.obj);
        for (const w of v.warnings) warnings.set(w, (warnings.get(w) ?? 0) + 1);
        if (v.outcome !== "accepted") {
          const w = await judge(api, o.input);
          out.push(`${o.where} on v1.34: ${v.outcome}: ${v.detail}\n    its input: ${w.outcome}${w.detail ? ` (${w.detail})` : ""}`);
        } else {
          // What the server takes, the hand-written rules take too (for a 1.34 target).
          const ours = podSpecsOf(o.obj).flatMap((spec) => apiRuleViolations(spec, { major: 1, minor: 34 }));
          if (ours.length) out.push(`${o.where}: v1.34 takes it, but the API rules say ${ours.join("; ")}`);
        }
        if (o.old) {
          const v = await judge(old.api, o.obj);
          const w = v.outcome === "accepted" ? undefined : await judge(old.api, o.input);
          const lostToo = new Set(w?.lost.map((p) => byName(o.input, p)));
          const lost = v.lost.filter((p) => !lostToo.has(byName(o.obj, p)));
          if (v.outcome === "rejected" || lost.length) out.push(`${o.where} on v1.34 emulating 1.${OLD_MINOR}: ${v.outcome}: ${v.outcome === "rejected" ? v.detail : `the server left out ${lost.join(", ")}`}\n    its input: ${w?.outcome}${w?.detail ? ` (${w.detail})` : ""}`);
        }
        return out;
      })
    ).flat();
    const byKind = [...kinds].sort().map(([k, n]) => `${k} ${n}`).join(", ");
    console.log(
      `${label}: ${inputs.length} lists, items by kind: ${byKind}; ${stats.changed} items changed by the function, ${stats.natives} sidecars made native ` +
        `(${stats.keptResize} keeping a resizePolicy), ${stats.holds} hold hooks added; ${objects.length} objects sent (${stats.asPods} custom-kind pod templates as Pods), ` +
        `${objects.filter((o) => o.old).length} also to 1.${OLD_MINOR}; rejected or changed: ${problems.length}; v1.34's warnings: ${warnings.size ? [...warnings].map(([w, n]) => `${n}× ${w}`).join("; ") : "none"}`,
    );
    expect(problems, problems.join("\n")).toEqual([]);
    for (const k of BUILT_IN) expect(kinds.get(k) ?? 0, `no generated ${k}`).toBeGreaterThan(10);
    return stats;
  }

  it(`takes the function's output for ${LISTS} ResourceLists from the property suite's generator as written (seed ${SEED}; every built-in kind; also on 1.${OLD_MINOR} for targets up to 1.${OLD_MINOR}): zero rejections`, async () => {
    await checkLists(`resourceListText, seed ${SEED}`, fc.sample(resourceListText, { seed: SEED, numRuns: LISTS }));
  });

  it(`takes the function's output for ${CHANGING} ResourceLists that configure every sidecar, targets 1.29 to 1.34, as written (seed ${SEED}; every built-in kind): zero rejections`, async () => {
    const stats = await checkLists(`changingListText, seed ${SEED}`, fc.sample(changingListText, { seed: SEED, numRuns: CHANGING }));
    // These lists are here to exercise what the function emits: make sure they do.
    expect(stats.natives).toBeGreaterThan(200);
    expect(stats.keptResize).toBeGreaterThan(20);
    expect(stats.holds).toBeGreaterThan(20);
  });

  describe("each hand-written API rule (test/properties/schema.ts) says what the server says", () => {
    const app = { name: "app", image: "busybox" };
    const sidecar = (more: Plain = {}) => ({ name: "proxy", image: "busybox", restartPolicy: "Always", ...more });
    const plainInit = (more: Plain = {}) => ({ name: "migrate", image: "busybox", ...more });
    const exec = { exec: { command: ["true"] } };
    const resize = [
      { resourceName: "cpu", restartPolicy: "NotRequired" },
      { resourceName: "memory", restartPolicy: "RestartContainer" },
    ];
    interface Case {
      rule: string;
      what: string;
      spec: Plain;
      /** The server's minor: 34 (the real v1.34), or OLD_MINOR (v1.34 emulating it). */
      server: number;
      says: Outcome;
    }
    const at34 = (rule: string, what: string, says: Outcome, spec: Plain): Case => ({ rule, what, spec, server: 34, says });
    const atOld = (rule: string, what: string, says: Outcome, spec: Plain): Case => ({ rule, what, spec, server: OLD_MINOR, says });
    const CASES: Case[] = [
      at34("unique-names", "a native sidecar named like an app container", "rejected", { initContainers: [sidecar({ name: "app" })], containers: [app] }),
      at34("unique-names", "distinct names", "accepted", { initContainers: [sidecar()], containers: [app] }),
      at34("containers-required", "only a native sidecar", "rejected", { initContainers: [sidecar()], containers: [] }),
      at34("containers-required", "one container", "accepted", { containers: [app] }),
      at34("no-restartPolicy-on-containers", "restartPolicy: Always on an app container", "dropped", { containers: [{ ...app, restartPolicy: "Always" }] }),
      at34("no-restartPolicy-on-containers", "no restartPolicy on the app container", "accepted", { containers: [app] }),
      at34("init-restartPolicy-Always", "an init container with restartPolicy: OnFailure", "dropped", { initContainers: [plainInit({ restartPolicy: "OnFailure" })], containers: [app] }),
      at34("init-restartPolicy-Always", "an init container with restartPolicy: Never", "dropped", { initContainers: [plainInit({ restartPolicy: "Never" })], containers: [app] }),
      at34("init-restartPolicy-Always", "an init container with restartPolicy: Always", "accepted", { initContainers: [plainInit({ restartPolicy: "Always" })], containers: [app] }),
      at34("plain-init-no-lifecycle-or-probes", "a postStart hook on a plain init container", "rejected", { initContainers: [plainInit({ lifecycle: { postStart: exec } })], containers: [app] }),
      at34("plain-init-no-lifecycle-or-probes", "a preStop hook on a plain init container", "rejected", { initContainers: [plainInit({ lifecycle: { preStop: exec } })], containers: [app] }),
      at34("plain-init-no-lifecycle-or-probes", "a startupProbe on a plain init container", "rejected", { initContainers: [plainInit({ startupProbe: exec })], containers: [app] }),
      at34("plain-init-no-lifecycle-or-probes", "a readinessProbe on a plain init container", "rejected", { initContainers: [plainInit({ readinessProbe: exec })], containers: [app] }),
      at34("plain-init-no-lifecycle-or-probes", "a livenessProbe on a plain init container", "rejected", { initContainers: [plainInit({ livenessProbe: exec })], containers: [app] }),
      at34("plain-init-no-lifecycle-or-probes", "hooks and all three probes on a native sidecar", "accepted", {
        initContainers: [sidecar({ lifecycle: { postStart: exec, preStop: { sleep: { seconds: 5 } } }, startupProbe: exec, readinessProbe: exec, livenessProbe: exec })],
        containers: [app],
      }),
      at34("init-resizePolicy-from-1.33", "resizePolicy on a native sidecar, 1.34", "accepted", { initContainers: [sidecar({ resizePolicy: resize })], containers: [app] }),
      at34("init-resizePolicy-from-1.33", "resizePolicy on a plain init container, 1.34", "accepted", { initContainers: [plainInit({ resizePolicy: resize })], containers: [app] }),
      atOld("init-resizePolicy-from-1.33", `resizePolicy on a native sidecar, 1.${OLD_MINOR}`, "dropped", { initContainers: [sidecar({ resizePolicy: resize })], containers: [app] }),
      atOld("init-resizePolicy-from-1.33", `resizePolicy on a plain init container, 1.${OLD_MINOR}`, "dropped", { initContainers: [plainInit({ resizePolicy: resize })], containers: [app] }),
      atOld("init-resizePolicy-from-1.33", `a native sidecar without resizePolicy, 1.${OLD_MINOR}`, "accepted", { initContainers: [sidecar()], containers: [app] }),
      at34("successThreshold-1", "a startupProbe with successThreshold 2", "rejected", { initContainers: [sidecar({ startupProbe: { ...exec, successThreshold: 2 } })], containers: [app] }),
      at34("successThreshold-1", "a livenessProbe with successThreshold 2", "rejected", { containers: [{ ...app, livenessProbe: { ...exec, successThreshold: 2 } }] }),
      at34("successThreshold-1", "a readinessProbe with successThreshold 2", "accepted", { containers: [{ ...app, readinessProbe: { ...exec, successThreshold: 2 } }] }),
      at34("successThreshold-1", "a startupProbe with successThreshold 0 (unset: defaulted to 1)", "accepted", { initContainers: [sidecar({ startupProbe: { ...exec, successThreshold: 0 } })], containers: [app] }),
      at34("successThreshold-1", "a startupProbe with successThreshold 1", "accepted", { initContainers: [sidecar({ startupProbe: { ...exec, successThreshold: 1 } })], containers: [app] }),
      at34("one-handler", "a preStop with exec and sleep", "rejected", { initContainers: [sidecar({ lifecycle: { preStop: { ...exec, sleep: { seconds: 5 } } } })], containers: [app] }),
      at34("one-handler", "a startupProbe with httpGet and tcpSocket", "rejected", { initContainers: [sidecar({ startupProbe: { httpGet: { path: "/ready", port: 15021 }, tcpSocket: { port: 15021 } } })], containers: [app] }),
      at34("one-handler", "a postStart with no handler", "rejected", { initContainers: [sidecar({ lifecycle: { postStart: {} } })], containers: [app] }),
      at34("one-handler", "a postStart exec with an empty command", "rejected", { containers: [{ ...app, lifecycle: { postStart: { exec: { command: [] } } } }] }),
      at34("one-handler", "one handler each", "accepted", { initContainers: [sidecar({ lifecycle: { postStart: exec, preStop: { sleep: { seconds: 5 } } }, startupProbe: { httpGet: { path: "/ready", port: 15021 } } })], containers: [app] }),
      at34("probe-numbers", "a startupProbe with failureThreshold -1", "rejected", { initContainers: [sidecar({ startupProbe: { ...exec, failureThreshold: -1 } })], containers: [app] }),
      at34("probe-numbers", "a startupProbe with periodSeconds -1", "rejected", { initContainers: [sidecar({ startupProbe: { ...exec, periodSeconds: -1 } })], containers: [app] }),
      at34("probe-numbers", "a startupProbe with terminationGracePeriodSeconds 0", "rejected", { initContainers: [sidecar({ startupProbe: { ...exec, terminationGracePeriodSeconds: 0 } })], containers: [app] }),
      at34("probe-numbers", "a startupProbe polling every second for 10 minutes", "accepted", { initContainers: [sidecar({ startupProbe: { ...exec, periodSeconds: 1, failureThreshold: 600, timeoutSeconds: 1 } })], containers: [app] }),
      at34("sleep-within-grace", "a 31 s preStop sleep, grace period unset (30)", "rejected", { initContainers: [sidecar({ lifecycle: { preStop: { sleep: { seconds: 31 } } } })], containers: [app] }),
      at34("sleep-within-grace", "a 30 s preStop sleep, grace period unset (30)", "accepted", { initContainers: [sidecar({ lifecycle: { preStop: { sleep: { seconds: 30 } } } })], containers: [app] }),
      at34("sleep-within-grace", "an 11 s preStop sleep, grace period 10", "rejected", { terminationGracePeriodSeconds: 10, containers: [{ ...app, lifecycle: { preStop: { sleep: { seconds: 11 } } } }] }),
      at34("sleep-within-grace", "a 45 s preStop sleep, grace period 60", "accepted", { terminationGracePeriodSeconds: 60, containers: [{ ...app, lifecycle: { preStop: { sleep: { seconds: 45 } } } }] }),
      at34("sleep-within-grace", "a 0 s preStop sleep, 1.34", "accepted", { containers: [{ ...app, lifecycle: { preStop: { sleep: { seconds: 0 } } } }] }),
      atOld("sleep-within-grace", `a 0 s preStop sleep, 1.${OLD_MINOR}`, "rejected", { containers: [{ ...app, lifecycle: { preStop: { sleep: { seconds: 0 } } } }] }),
      atOld("sleep-within-grace", `a 5 s preStop sleep, 1.${OLD_MINOR}`, "accepted", { containers: [{ ...app, lifecycle: { preStop: { sleep: { seconds: 5 } } } }] }),
    ];

    it("covers every rule with a case the server refuses (or alters) and one it takes", () => {
      for (const r of API_RULES) {
        const cases = CASES.filter((c) => c.rule === r.id);
        expect(cases.some((c) => c.says !== "accepted"), `${r.id}: no breaking case`).toBe(true);
        expect(cases.some((c) => c.says === "accepted"), `${r.id}: no keeping case`).toBe(true);
      }
    });

    it.each(CASES.map((c) => [`${c.rule}: ${c.what} → ${c.says}`, c] as const))("%s", async (_, c) => {
      const server = c.server === 34 ? api : old.api;
      const spec = c.spec;
      const v = await judge(server, { apiVersion: "v1", kind: "Pod", metadata: { name: "rule" }, spec });
      expect(v.outcome, `the server (1.${c.server}) said ${v.outcome}: ${v.detail}`).toBe(c.says);
      const target = { major: 1, minor: c.server };
      const ours = apiRuleViolations(spec, target);
      if (c.says === "accepted") expect(ours, "our rules refuse what the server takes").toEqual([]);
      else expect(ours.filter((m) => m.startsWith(`${c.rule}: `)), `our rule ${c.rule} does not see what the server refuses: ${v.detail}`).not.toEqual([]);
    });

    it("the function's own rules are not API rules: the server takes an httpGet postStart and a startupProbe on an app container", async () => {
      const spec = { containers: [{ ...app, lifecycle: { postStart: { httpGet: { path: "/ready", port: 8080 } } }, startupProbe: exec }] };
      const v = await judge(api, { apiVersion: "v1", kind: "Pod", metadata: { name: "own" }, spec });
      expect(v.outcome, v.detail).toBe("accepted");
      expect(apiRuleViolations(spec, { major: 1, minor: 34 })).toEqual([]);
      expect(ownRuleViolations(undefined, spec)).toHaveLength(2);
    });
  });

  it("issue 14: a sidecar's resizePolicy through the function: kept for 1.34 and taken as written; removed for 1.31 and older or no version", async () => {
    const deployment = (version?: string) => `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    selector:
      matchLabels: {app: web}
    template:
      metadata:
        labels: {app: web}
      spec:
        containers:
        - name: app
          image: busybox
        - name: istio-proxy
          image: docker.io/istio/proxyv2:1.24.0
          resizePolicy:
          - {resourceName: cpu, restartPolicy: NotRequired}
          - {resourceName: memory, restartPolicy: RestartContainer}
functionConfig:
  apiVersion: fn.sidecar-order.dev/v1alpha1
  kind: SidecarOrder
  metadata: {name: cfg}
  strategy: native
${version ? `  kubernetesVersion: "${version}"\n` : ""}  sidecars: [{preset: istio}]
`;
    const sidecarOf = (text: string) => {
      const item = (readObjects(text)[0]!["items"] as Plain[])[0]!;
      const spec = ((item["spec"] as Plain)["template"] as Plain)["spec"] as Plain;
      return { item, sidecar: ((spec["initContainers"] as Plain[] | undefined) ?? []).find((c) => c["name"] === "istio-proxy") };
    };
    const at134 = sidecarOf(runResourceList(deployment("1.34")).text);
    expect(at134.sidecar?.["restartPolicy"]).toBe("Always");
    expect(at134.sidecar?.["resizePolicy"]).toHaveLength(2);
    expect((await judge(api, at134.item)).outcome).toBe("accepted");
    for (const version of ["1.31", "1.29", undefined]) {
      const out = sidecarOf(runResourceList(deployment(version)).text);
      expect(out.sidecar?.["restartPolicy"], `version ${version}`).toBe("Always");
      expect(out.sidecar?.["resizePolicy"], `version ${version}`).toBeUndefined();
      for (const server of [api, old.api]) {
        const v = await judge(server, out.item);
        expect(v.outcome, v.detail).toBe("accepted");
      }
    }
  });
});
