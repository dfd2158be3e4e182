/**
 * `explain: true`: one info result per pod template of a workload with its predicted timeline, describing the
 * workload as sidecar-order leaves it. The facts are gathered here; the timeline itself, and the
 * kubelet model it runs, are loaded only now (see ./load.ts): a plain run has no use for them.
 */
import { parse } from "yaml";
import type { ItemSource } from "../krm/resource-list";
import { result, type Result } from "../krm/results";
import { dedent } from "../krm/text";
import { isPlain, valueAt, type Plain } from "../plain";
import { readTemplate } from "../pod/read";
import { pathText, type Container, type PodTemplateView } from "../pod/types";
import { matchSidecars } from "../sidecars/match";
import { drainSeconds } from "../strategies/drain";
import { DEFAULT_GRACE_SECONDS, preStopSleepSeconds } from "../strategies/shutdown";
import { subjectOf, type ItemOutcome, type TransformContext } from "../transform";
import { podTemplatesOf, workloadKind, type WorkloadKind } from "../workloads/pod-templates";
import { loadTimeline } from "./load";

/** The tag that marks an explanation among the results (`--explain` prints only these). */
export const EXPLAIN_TAG = "sidecar-order.dev/explain";

/** The explanation of one item, one per pod template, when it is a workload whose pods can be read. */
export function explainItem(item: ItemSource, outcome: ItemOutcome, ctx: TransformContext): Result[] {
  if (outcome.identity === undefined) return [];
  const before = read(item.body);
  const after = outcome.replacement !== undefined ? read(dedent(outcome.replacement, item.column)) : before;
  if (!isPlain(after)) return [];
  const wk = workloadKind(after["apiVersion"], after["kind"], ctx.kinds);
  if (!wk) return [];
  const paths = podTemplatesOf(after, wk);
  return paths.flatMap((path) => {
    const r = explainTemplate(item, outcome, ctx, before, after, { ...wk, templatePath: path }, paths.length > 1);
    return r ? [r] : [];
  });
}

function explainTemplate(item: ItemSource, outcome: ItemOutcome, ctx: TransformContext, before: unknown, after: Plain, wk: Omit<WorkloadKind, "templatePath"> & { templatePath: readonly (string | number)[] }, several: boolean): Result | undefined {
  const view = templateView(after, wk.templatePath);
  if (!view) return undefined;
  const meta = isPlain(after["metadata"]) ? after["metadata"] : {};
  const subject = subjectOf(after, meta, isPlain(meta["annotations"]) ? meta["annotations"] : {});
  if (!subject.file && item.file) subject.file = item.file;
  const matched = matchSidecars(view, ctx.rules).sidecars;
  const sidecarStop = new Map<string, { seconds: number; why: string }>();
  for (const s of matched) {
    // What the sidecar takes after SIGTERM (its preStop, which the model counts, runs earlier).
    const d = drainSeconds(s, view);
    if (d.seconds > 0) sidecarStop.set(s.container.name, d);
  }
  const ns = typeof meta["namespace"] === "string" && meta["namespace"] ? `${meta["namespace"]}/` : "";
  const changed = isPlain(before) && outcome.replacement !== undefined ? changes(templateView(before, wk.templatePath), view) : undefined;
  const text = loadTimeline().explain({
    title: `${String(after["kind"])} ${ns}${String(meta["name"] ?? "(no name)")}${several ? ` ${pathText(wk.templatePath)}` : ""}${subject.file ? ` (${subject.file.path})` : ""}`,
    spec: view.spec,
    graceSeconds: view.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS,
    preStopSeconds: new Map([...view.spec.initContainers, ...view.spec.containers].map((c) => [c.name, preStopSleepSeconds(c)])),
    runsToCompletion: wk.runsToCompletion || view.spec.restartPolicy === "Never" || view.spec.restartPolicy === "OnFailure",
    legacySidecars: matched.filter((s) => s.list === "containers").map((s) => s.container.name),
    sidecarStop,
    appSeconds: ctx.config.shutdown.appSeconds,
    marginSeconds: ctx.config.shutdown.marginSeconds,
    ...(changed ? { changed } : {}),
  });
  const r = result("info", text, subject, { path: pathText([...wk.templatePath, "spec"]) });
  r.tags = { [EXPLAIN_TAG]: "timeline" };
  return r;
}

function read(text: string): unknown {
  try {
    return parse(text, { prettyErrors: false, merge: true, maxAliasCount: 1000 });
  } catch {
    return undefined;
  }
}

function templateView(data: unknown, path: readonly (string | number)[]): PodTemplateView | undefined {
  const r = readTemplate(valueAt(data, path), pathText(path));
  return r.ok ? r.view : undefined;
}

const WATCHED = [
  ["restartPolicy"],
  ["startupProbe"],
  ["lifecycle", "postStart"],
  ["lifecycle", "preStop"],
] as const;

/** What sidecar-order changed in the pod, in a few words. */
function changes(before: PodTemplateView | undefined, after: PodTemplateView): string | undefined {
  if (!before) return undefined;
  const said: string[] = [];
  const was = new Map<string, { c: Container; init: boolean }>();
  for (const c of before.spec.initContainers) was.set(c.name, { c, init: true });
  for (const c of before.spec.containers) was.set(c.name, { c, init: false });
  const moved = after.spec.initContainers.filter((c) => was.get(c.name)?.init === false).map((c) => c.name);
  if (moved.length) said.push(`moved ${moved.join(", ")} to initContainers as ${moved.length === 1 ? "a native sidecar" : "native sidecars"}`);
  for (const list of ["initContainers", "containers"] as const) {
    const names = (v: PodTemplateView) => v.spec[list].map((c) => c.name).filter((n) => !moved.includes(n));
    if (names(before).join("\0") !== names(after).join("\0")) said.push(`reordered ${list}`);
  }
  const touched = new Map<string, string[]>();
  for (const c of [...after.spec.initContainers, ...after.spec.containers]) {
    const old = was.get(c.name)?.c;
    for (const path of WATCHED) {
      const [was0, now] = [valueAt(old, [...path]), valueAt(c, [...path])];
      if (JSON.stringify(was0) === JSON.stringify(now) || (path[0] === "restartPolicy" && moved.includes(c.name))) continue;
      const key = `${was0 === undefined ? "added" : now === undefined ? "removed" : "changed"} ${path.join(".")}`;
      touched.set(key, [...(touched.get(key) ?? []), c.name]);
    }
  }
  for (const [field, names] of touched) said.push(`${field} on ${names.join(", ")}`);
  const g0 = before.spec.terminationGracePeriodSeconds;
  const g1 = after.spec.terminationGracePeriodSeconds;
  if (g0 !== g1) said.push(`terminationGracePeriodSeconds ${g0 ?? "unset"} → ${g1 ?? "unset"}`);
  if (JSON.stringify(before.annotations) !== JSON.stringify(after.annotations)) said.push("pod-template annotations");
  return said.length ? said.join("; ") : undefined;
}
