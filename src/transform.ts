/**
 * Per item: find the pod template → match sidecars → plan → apply → results.
 * Items that are not workloads are never parsed beyond a glance at their `kind`.
 */
import type { Config } from "./config/schema";
import { applyPlan } from "./strategies/apply";
import { itemData, parseItem, printItem } from "./krm/print";
import type { ItemSource } from "./krm/resource-list";
import { result, type Result, type Subject } from "./krm/results";
import { getPath, readTemplate } from "./pod/read";
import { pathText, type PodTemplateView } from "./pod/types";
import { matchSidecars } from "./sidecars/match";
import { injectedMeshes, planInjected } from "./sidecars/injection";
import type { SidecarRule } from "./sidecars/rules";
import { planLegacyShutdown } from "./strategies/shutdown";
import { planLegacy, startOrder } from "./strategies/legacy";
import { planNative } from "./strategies/native";
import type { Choice } from "./strategies/choose";
import { changes, refused, targetPath, type Plan } from "./strategies/plan";
import { groupOf, workloadKind, WORKLOAD_KINDS } from "./workloads/pod-templates";

export interface ItemOutcome {
  /** New text for the item's body, when it changed. */
  replacement?: string;
  results: Result[];
  /** Identity for duplicate detection, when the item is a workload. */
  identity?: string;
}

export interface TransformContext {
  config: Config;
  /** The run-wide strategy choice. */
  choice: Choice;
  /** Sidecar rules in start order. */
  rules: readonly SidecarRule[];
  /** Whether the kubelets are known to have the preStop sleep action (1.30+). */
  sleepAction: boolean;
}

const LOCAL_CONFIG = "config.kubernetes.io/local-config";
const KIND_LINE = /^kind:[ \t]*["']?([A-Za-z0-9]+)/m;

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether an item may hold a pod template, judged from its text alone. */
export function mayBeWorkload(body: string): boolean {
  const kind = KIND_LINE.exec(body)?.[1];
  // A kind we cannot see cheaply (flow style, odd quoting) gets the careful look.
  return kind === undefined || WORKLOAD_KINDS.has(kind);
}

export function transformItem(item: ItemSource, ctx: TransformContext): ItemOutcome {
  const { config, choice } = ctx;
  if (item.frozen === "the item is not an object" || item.frozen === "the item is empty") {
    return { results: [{ message: `items[${item.index}] is not an object; it was left as it is`, severity: "error", field: { path: `items[${item.index}]` } }] };
  }
  if (!mayBeWorkload(item.body)) return { results: [] };
  const doc = parseItem(item);
  if (!doc) {
    return { results: [{ message: `items[${item.index}] cannot be read on its own (it uses a YAML alias defined elsewhere); it was left as it is`, severity: "warning", field: { path: `items[${item.index}]` } }] };
  }
  let data: unknown;
  try {
    data = itemData(doc);
  } catch (e) {
    return { results: [{ message: `items[${item.index}] cannot be read: ${(e as Error).message}; it was left as it is`, severity: "error", field: { path: `items[${item.index}]` } }] };
  }
  if (!isPlain(data)) return { results: [] };
  const wk = workloadKind(data["apiVersion"], data["kind"]);
  if (!wk) return { results: [] };
  const meta = isPlain(data["metadata"]) ? data["metadata"] : {};
  const annotations = isPlain(meta["annotations"]) ? meta["annotations"] : {};
  if (annotations[LOCAL_CONFIG] === "true") return { results: [] };

  const subject = subjectOf(data, meta, annotations);
  const identity = `${groupOf(String(data["apiVersion"]))}/${wk.kind}/${String(meta["namespace"] ?? "")}/${String(meta["name"] ?? "")}`;
  const where = wk.templatePath.join(".");
  const read = readTemplate(getPath(data, wk.templatePath), where);
  if (!read.ok) {
    return { identity, results: [result("error", `${read.problem}; the workload was left as it is`, subject, { path: read.field })] };
  }
  const view = read.view;
  const matched = matchSidecars(view, ctx.rules);
  const results: Result[] = [];
  const tpl = (path: (string | number)[]) => pathText([...wk.templatePath, ...path]);
  for (const name of matched.unknownNames) {
    results.push(result("warning", `the sidecar-order.dev/sidecars annotation names "${name}", but the pod has no container of that name`, subject, { path: tpl(["metadata", "annotations"]) }));
  }
  // A mesh whose proxy is in the package is ordered directly; only injected ones need their switch.
  const meshes = injectedMeshes(view, config.meshes).filter((p) => !matched.sidecars.some((s) => s.settings.preset === p));
  if (matched.sidecars.length === 0 && meshes.length === 0) return { identity, results };

  const toOrder = matched.sidecars.filter((s) => s.list === "containers");
  if (toOrder.length > 0 && toOrder.length === view.spec.containers.length) {
    // Every container is a "sidecar": this is the sidecar's own workload (say, a collector Deployment).
    if (toOrder.some((s) => !s.rule || s.rule.index >= 0)) {
      results.push(result("warning", "every container of this pod matches a sidecars entry, so there is no app to hold back; nothing was changed", subject, { path: tpl(["spec", "containers"]) }));
    }
    return { identity, results };
  }
  if (choice.strategy === "legacy" && runsToCompletion(wk.runsToCompletion, view) && (toOrder.length > 0 || meshes.length > 0)) {
    const names = [...toOrder.map((s) => `"${s.container.name}"`), ...meshes.map((p) => `the injected ${p.title}`)].join(", ");
    const recipes = [
      ...toOrder.flatMap((s) => (s.settings.jobExit ? [`for "${s.container.name}", ${s.settings.jobExit}`] : [])),
      ...meshes.map((p) => `for the ${p.title}, ${p.jobExit}`),
    ];
    const message =
      `legacy sidecar ${names} would keep this ${wk.kind}'s pod running after the app exits, so it would never complete (${choice.reason}); ` +
      `use native sidecars (Kubernetes 1.29 or later: raise kubernetesVersion, or strategy: native), or make the app stop the sidecar when it is done` +
      (recipes.length ? ` (${recipes.join("; ")})` : "");
    if (toOrder.length > 0 && !config.allowLegacyJobs) {
      results.push(result("error", `${message}, then set allowLegacyJobs: true; the workload was left as it is`, subject, { path: tpl(["spec", "containers"]) }));
      return { identity, results };
    }
    results.push(result("warning", `${message}${config.allowLegacyJobs ? " (accepted: allowLegacyJobs is true)" : ""}`, subject, { path: tpl(["spec", "containers"]) }));
  }
  const options = { onConflict: config.onConflict };
  const plan = choice.strategy === "native" ? planNative(view, matched.sidecars, options) : planLegacy(view, matched.sidecars, options);
  if (choice.strategy === "legacy") {
    planLegacyShutdown(plan, view, startOrder(toOrder), { ...config.shutdown, sleepAction: ctx.sleepAction, onConflict: config.onConflict });
  }
  planInjected(plan, view, meshes, choice.strategy);
  for (const s of matched.sidecars) {
    const list = choice.strategy === "native" ? "initContainers" : s.list;
    for (const check of s.settings.checks) plan.notes.push({ severity: "warning", target: { list, name: s.container.name }, message: `sidecar "${s.container.name}" ${check}` });
  }
  if (choice.strategy === "native" && meshes.length > 0 && view.annotations["vault.hashicorp.com/agent-init-first"] === "true") {
    plan.notes.push({
      severity: "warning",
      target: "template",
      path: ["metadata", "annotations", "vault.hashicorp.com/agent-init-first"],
      message: "vault.hashicorp.com/agent-init-first puts vault-agent-init ahead of every other init container, so it runs before the native mesh proxy and has no network; remove that annotation",
    });
  }
  for (const note of plan.notes) {
    const field = { path: tpl(note.target ? targetPath(view, plan, note.target, note.path) : note.path ?? []) } as Result["field"] & object;
    if (note.proposedValue !== undefined) field.proposedValue = note.proposedValue;
    results.push(result(note.severity, note.message, subject, field));
  }
  if (refused(plan) || !changes(plan)) return { identity, results };

  applyPlan(doc, wk.templatePath, plan);
  const replacement = printItem(doc, item);
  results.unshift(summary(view, plan, subject, tpl));
  return replacement === item.body ? { identity, results } : { identity, replacement, results };
}

/** Jobs, CronJobs and bare pods that do not restart run to completion: a sidecar must not outlive the app. */
function runsToCompletion(kindDoes: boolean, view: PodTemplateView): boolean {
  return kindDoes || view.spec.restartPolicy === "Never" || view.spec.restartPolicy === "OnFailure";
}

/** One info result for the workload: every change it got, pointing at the main field. */
function summary(view: PodTemplateView, plan: Plan, subject: Subject, tpl: (p: (string | number)[]) => string): Result {
  const said = [...plan.remarks, ...plan.edits.map((e) => e.says)].filter((s) => s !== "");
  const containersPath = plan.order && plan.order.initContainers.some((s) => s.from === "containers") ? ["spec", "initContainers"] : ["spec", "containers"];
  const first = plan.edits[0];
  let field: Result["field"];
  if (plan.order) {
    field = { path: tpl(containersPath) };
  } else if (first) {
    field = { path: tpl(targetPath(view, plan, first.target, first.path)) };
    if (said.length === 1) field.proposedValue = first.value;
  }
  return result("info", said.join("; "), subject, field);
}

function subjectOf(data: Plain, meta: Plain, annotations: Plain): Subject {
  const subject: Subject = {};
  if (typeof meta["name"] === "string") {
    subject.resourceRef = { apiVersion: String(data["apiVersion"]), kind: String(data["kind"]), name: meta["name"] };
    if (typeof meta["namespace"] === "string" && meta["namespace"] !== "") subject.resourceRef.namespace = meta["namespace"];
  }
  const path = annotations["config.kubernetes.io/path"] ?? annotations["internal.config.kubernetes.io/path"];
  const index = annotations["config.kubernetes.io/index"] ?? annotations["internal.config.kubernetes.io/index"];
  if (typeof path === "string") {
    subject.file = { path };
    const n = Number(index);
    if (typeof index === "string" && Number.isInteger(n)) subject.file.index = n;
  }
  return subject;
}
