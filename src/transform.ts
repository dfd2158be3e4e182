/**
 * Per item: find the pod template → match sidecars → plan → apply → results.
 * Items that are not workloads are never parsed beyond a glance at their `kind`.
 */
import { visit, type Document } from "yaml";
import type { Config } from "./config/schema";
import { applyPlan } from "./strategies/apply";
import { blockEndJoinable } from "./krm/stream";
import { itemData, keepDashLineComments, keepKeyLineComments, keepEntryLeadComments, keepNullValueComments, parseItem, printItem } from "./krm/print";
import type { ItemSource } from "./krm/resource-list";
import { isPlain, stringEntries, valueAt, type Plain } from "./plain";
import { lightItemDataIf } from "./krm/scan";
import { editItem } from "./krm/edit";
import { result, type Result, type Subject } from "./krm/results";
import { readTemplate } from "./pod/read";
import { pathText, type PodTemplateView } from "./pod/types";
import { hasContainerOf, matchSidecars, unlistedMeshProxies, type MatchedSidecar } from "./sidecars/match";
import type { Preset } from "./sidecars/presets";
import { injectedMeshes, planInjected } from "./sidecars/injection";
import type { SidecarRule } from "./sidecars/rules";
import { planLegacyShutdown } from "./strategies/shutdown";
import { planLegacy, startOrder } from "./strategies/legacy";
import { planNative } from "./strategies/native";
import { planNativeShutdown } from "./strategies/native-shutdown";
import { resourceNotes } from "./pod/resource-report";
import { atLeast, parseVersion, type Choice } from "./strategies/choose";
import { targetVersions, type TargetVersions } from "./facts/versions";
import { newUsage, recordUsage, type Usage } from "./sidecars/usage";
import { planVersionRisks } from "./strategies/risks";
import { mayHoldPodSpec, unknownKindNote } from "./workloads/unknown-kinds";
import { changes, emptyPlan, refused, targetPath, type Plan, type Target } from "./strategies/plan";
import { BUILT_IN, customKinds, identityOf, isFieldPath, podTemplatesOf, workloadKind, type WorkloadKind } from "./workloads/pod-templates";
import { ALLOW_LEGACY_JOB_ANNOTATION, SKIP_ANNOTATION, legacyJobAllowed, skipReason, type ObjectFacts } from "./workloads/select";
import { explainItem } from "./explain/item";
import { dedent } from "./krm/text";

export interface ItemOutcome {
  /** New text for the item's body, when it changed. */
  replacement?: string;
  results: Result[];
  /** Identity for duplicate detection, when the item is a workload. */
  identity?: string;
  /** mode: check: the results say what mode: apply would change (so their errors are no refusal). */
  proposed?: true;
}

export interface TransformContext {
  config: Config;
  /** The run-wide strategy choice. */
  choice: Choice;
  /** Sidecar rules in start order. */
  rules: readonly SidecarRule[];
  /** Whether the kubelets are known to have the preStop sleep action (1.30+). */
  sleepAction: boolean;
  /** Built-in kinds plus the config's podTemplatePaths. */
  kinds: readonly WorkloadKind[];
  /** Their names, for a glance at an item's text. */
  kindNames: ReadonlySet<string>;
  /** The target's versions, where the config gives them. */
  target: TargetVersions;
  /** Which configured sidecars matched anything, for the no-op warning after the run. */
  usage: Usage;
}

const LOCAL_CONFIG = "config.kubernetes.io/local-config";
/** A `kind:` line whose whole value is a simple name (quoted or not); anything else gets the careful look. */
const KIND_LINE = /^kind:[ \t]*(["']?)([A-Za-z0-9]+)\1[ \t]*(?:#.*)?$/m;


/** Whether an item may hold a pod template, judged from its text alone. */
export function mayBeWorkload(body: string, kindNames: ReadonlySet<string>): boolean {
  const kind = KIND_LINE.exec(body)?.[2];
  // A kind we cannot see cheaply (flow style, odd quoting) gets the careful look.
  return kind === undefined || kindNames.has(kind);
}

/** How messages name an item. */
export function itemLabel(item: ItemSource): string {
  return item.label ?? `items[${item.index}]`;
}

/** A result about an item as a whole (before we know what it is). */
function itemProblem(item: ItemSource, severity: Result["severity"], message: string): Result {
  return { message: `${itemLabel(item)} ${message}`, severity, ...(item.file ? { file: item.file } : { field: { path: `items[${item.index}]` } }) };
}

/** The preStop sleep action is on from 1.30 (beta); only trust it when both versions say so. */
function hasSleepAction(config: Config): boolean {
  const api = config.kubernetesVersion;
  const kubelet = config.kubeletVersion ?? api;
  const v130 = { major: 1, minor: 30 };
  return api !== undefined && kubelet !== undefined && atLeast(parseVersion(api), v130) && atLeast(parseVersion(kubelet), v130);
}

export function transformContext(config: Config, choice: Choice, rules: readonly SidecarRule[]): TransformContext {
  const kinds = [...BUILT_IN, ...customKinds(config.podTemplatePaths)];
  return { config, choice, rules, sleepAction: hasSleepAction(config), kinds, kindNames: new Set(kinds.map((k) => k.kind)), target: targetVersions(config), usage: newUsage() };
}

export function transformItem(item: ItemSource, ctx: TransformContext): ItemOutcome {
  const out = transformOne(item, ctx);
  // explain: true adds the workload's timeline (the kubelet model loads only then).
  const explained = ctx.config.explain && out.identity !== undefined ? explainItem(item, out, ctx) : [];
  return explained.length > 0 ? { ...out, results: [...out.results, ...explained] } : out;
}

function transformOne(item: ItemSource, ctx: TransformContext): ItemOutcome {
  if (item.frozen === "the item is not an object" || item.frozen === "the item is empty") {
    return { results: [itemProblem(item, "error", "is not an object; it was left as it is")] };
  }
  // The fast reader hands over plain data; otherwise parse (and only workloads are worth it).
  let doc: Document.Parsed | undefined;
  let data: unknown;
  if (item.light) {
    // Plain data only for workloads (and objects that mention containers: see below); any other
    // item is only checked, building nothing.
    const read = lightItemDataIf(item, (apiVersion, kind, text) => workloadKind(apiVersion, kind, ctx.kinds) !== undefined || text.includes("containers"));
    if (read === undefined) return { results: [] };
    data = read;
  } else {
    // An unknown kind is read only when it may hold a pod spec (to say so if it holds a sidecar).
    const knownKind = mayBeWorkload(item.body, ctx.kindNames);
    if (!knownKind && !mayHoldPodSpec(item.body)) return { results: [] };
    doc = parseItem(item);
    // An item looked at only for the unknown-kind warning gets nothing said about its YAML.
    if (!knownKind && (!doc || item.foreignAliases)) return { results: [] };
    if (!doc) {
      return { results: [itemProblem(item, "warning", "cannot be read on its own (it uses a YAML alias defined elsewhere); it was left as it is")] };
    }
    if (item.foreignAliases) {
      const names = item.foreignAliases.map((a) => `*${a}`).join(", ");
      return { results: [itemProblem(item, "warning", `uses the YAML alias ${names} defined in an earlier item, so it cannot be read or changed on its own; it was left as it is (spell the alias out to have it ordered)`)] };
    }
    try {
      data = itemData(doc);
    } catch (e) {
      if (!knownKind) return { results: [] };
      return { results: [itemProblem(item, "error", `cannot be read: ${(e as Error).message}; it was left as it is`)] };
    }
  }
  if (!isPlain(data)) return { results: [] };
  const wk = workloadKind(data["apiVersion"], data["kind"], ctx.kinds);
  if (!wk) {
    const note = mayHoldPodSpec(item.body) ? unknownKindNote(data, ctx.rules) : undefined;
    if (!note) return { results: [] };
    const meta = isPlain(data["metadata"]) ? data["metadata"] : {};
    const subject = subjectOf(data, meta, isPlain(meta["annotations"]) ? meta["annotations"] : {});
    if (!subject.file && item.file) subject.file = item.file;
    return { results: [result("warning", note.message, subject, { path: note.path })] };
  }
  const meta = isPlain(data["metadata"]) ? data["metadata"] : {};
  const annotations = isPlain(meta["annotations"]) ? meta["annotations"] : {};
  if (annotations[LOCAL_CONFIG] === "true") return { results: [] };

  const subject = subjectOf(data, meta, annotations);
  if (!subject.file && item.file) subject.file = item.file;
  // An object with no name (generateName: the API server names each one it creates) is no copy
  // of another: its identity is its place in the input.
  const named = typeof meta["name"] === "string" && meta["name"] !== "";
  const identity = identityOf(wk, String(meta["namespace"] ?? ""), named ? String(meta["name"]) : `\0item ${item.index}`);
  // A skip annotation whose value is not "true" does not skip: said, whatever else is said (the
  // pod templates' own, in templateOutcome).
  const oddSkips = oddSkipValue(annotations, "metadata.annotations", subject);
  const out = workloadOutcome({ item, data, meta, wk, subject, identity, doc }, ctx);
  return oddSkips.length === 0 ? out : { ...out, results: [...oddSkips, ...out.results] };
}

/** A workload as transformOne has read it. */
interface ReadWorkload {
  item: ItemSource;
  data: Plain;
  meta: Plain;
  wk: WorkloadKind;
  subject: Subject;
  identity: string;
  /** The item's yaml Document, when the careful path parsed it. */
  doc: Document.Parsed | undefined;
}

/** The plan for each of a workload's pod templates, carried out on its text (or said, in check mode). */
function workloadOutcome(w: ReadWorkload, ctx: TransformContext): ItemOutcome {
  const { data, wk, subject, identity } = w;
  if (wk.templateElsewhere && valueAt(data, wk.templateElsewhere.field) != null) {
    return { identity, results: [result("info", `left alone: ${wk.templateElsewhere.why}`, subject, { path: wk.templateElsewhere.field.join(".") })] };
  }
  const paths = podTemplatesOf(data, wk);
  // One object is one workload, however many pod templates it has: counted once any is read.
  const readBefore = ctx.usage.templates;
  const counted = (out: ItemOutcome): ItemOutcome => {
    if (ctx.usage.templates > readBefore) ctx.usage.workloads++;
    return out;
  };
  if (paths.length === 1) return counted(templateOutcome(w, paths[0]!, ctx));
  // Pod templates in a list (JobSet's replicatedJobs): each in turn, on the text the one before left.
  // An error in one leaves the whole object as it was (as its message says): what was said of the
  // changes before it is taken back (only errors stay), and the templates after it are only
  // judged, each on the object as read, for their errors.
  // mode: check says the same: a refusal's errors, not what would change in the other templates.
  const errorsOnly = (rs: readonly Result[]) => rs.filter((r) => r.severity === "error");
  const refusal = (out: ItemOutcome) => (out.proposed ? [] : errorsOnly(out.results));
  let results: Result[] = [];
  let at = w;
  let replacement: string | undefined;
  let refused = false;
  for (const path of paths) {
    const out = templateOutcome(refused ? { ...w, doc: undefined } : at, path, ctx);
    if (!refused && refusal(out).length > 0) {
      refused = true;
      replacement = undefined;
      // The templates before it were not refused: none of their results had an error to keep.
      results = [];
    }
    results.push(...(refused ? refusal(out) : out.results));
    if (refused || out.replacement === undefined) continue;
    replacement = out.replacement;
    const next = reread(at.item, replacement);
    if (!next) return counted({ identity, results: [...errorsOnly(results), itemProblem(w.item, "error", "cannot be read again after its first pod templates were ordered; it was left as it is")] });
    at = { ...at, ...next };
  }
  return counted(replacement === undefined || replacement === w.item.body ? { identity, results } : { identity, replacement, results });
}

/** An item as `replacement` (its new text) leaves it, read the careful way. */
function reread(item: ItemSource, replacement: string): Pick<ReadWorkload, "item" | "data" | "doc"> | undefined {
  const { raw: _raw, light: _light, ...rest } = item;
  const next: ItemSource = { ...rest, body: dedent(replacement, item.column) };
  const doc = parseItem(next);
  if (!doc) return undefined;
  let data: unknown;
  try {
    data = itemData(doc);
  } catch {
    return undefined; // too many aliases: said by the caller as unreadable
  }
  return isPlain(data) ? { item: next, data, doc } : undefined;
}

/** The plan for the pod template at `templatePath` (concrete: list entries by index), after what its skip annotation has to say. */
function templateOutcome(w: ReadWorkload, templatePath: readonly (string | number)[], ctx: TransformContext): ItemOutcome {
  const annotationsAt = [...templatePath, "metadata", "annotations"];
  // A bare Pod is its own template: its annotations were read as the workload's already.
  const odd = templatePath.length === 0 ? [] : oddSkipValue(valueAt(w.data, annotationsAt), pathText(annotationsAt), w.subject);
  const out = plannedOutcome(w, templatePath, ctx);
  return odd.length === 0 ? out : { ...out, results: [...odd, ...out.results] };
}

function plannedOutcome(w: ReadWorkload, templatePath: readonly (string | number)[], ctx: TransformContext): ItemOutcome {
  const { data, meta, subject, identity } = w;
  let item = w.item;
  const wk = { ...w.wk, templatePath };
  let doc = w.doc;
  const { config, choice } = ctx;
  const where = pathText(wk.templatePath);
  const read = readTemplate(valueAt(data, wk.templatePath), where);
  if (!read.ok) {
    return { identity, results: [result("error", `${read.problem}; the workload was left as it is`, subject, { path: read.field })] };
  }
  const view = read.view;
  const matched = matchSidecars(view, ctx.rules);
  const tpl = (path: (string | number)[]) => pathText([...wk.templatePath, ...path]);
  // A mesh whose proxy is in the package is ordered directly; only injected ones need their switch.
  // One whose proxy is there already, though the config leaves it out (an injected manifest), is
  // not injected again: its switches would change nothing.
  const meshes = injectedMeshes(view, config.meshes).filter((p) => !matched.sidecars.some((s) => s.settings.preset === p) && !hasContainerOf(view, p));
  recordUsage(ctx.usage, view, matched.sidecars, meshes, ctx.rules, matched.plainInitSidecars);
  const toOrder = matched.sidecars.filter((s) => s.list === "containers");
  // Every container a "sidecar": this is the sidecar's own workload (say, a collector Deployment).
  const allSidecars = toOrder.length > 0 && toOrder.length === view.spec.containers.length;

  // A skipped workload gets no result, unless it would have changed.
  const skipped = skipReason(config, factsOf(data, meta), view.annotations);
  if (skipped !== undefined) {
    if (wk.cannot || allSidecars || (matched.sidecars.length === 0 && meshes.length === 0)) return { identity, results: [] };
    return { identity, results: wouldChange(view, matched.sidecars, meshes, ctx, skipped, subject, tpl) };
  }

  const results: Result[] = [];
  for (const name of matched.unknownNames) {
    results.push(result("warning", `the sidecar-order.dev/sidecars annotation names "${name}", but the pod has no container of that name`, subject, { path: tpl(["metadata", "annotations"]) }));
  }
  // Said where the container is now; once the plan is known, where it will stand (sidecars may move in ahead of it).
  const plainInitSaid: { said: Result; name: string }[] = [];
  for (const { index, container, rule } of matched.plainInitSidecars) {
    // As its settings name it: an entry's own name or image is sidecars[i], whatever preset it tunes.
    const source = rule.preset && rule.spec.name === undefined && rule.spec.image === undefined ? `the ${rule.preset.name} preset` : `sidecars[${rule.index}]`;
    const said = result(
      "warning",
      `init container "${container.name}" is a sidecar by ${source}, but it has no restartPolicy: Always, so it runs as a plain init container: the app containers wait for it to exit, and a sidecar never exits, so the pod stays in Init; make it a native sidecar (restartPolicy: Always, Kubernetes 1.29 or later) or move it to spec.containers, and sidecar-order orders it from there`,
      subject,
      { path: tpl(["spec", "initContainers", index]) },
    );
    results.push(said);
    plainInitSaid.push({ said, name: container.name });
  }
  for (const { list, index, container, preset } of unlistedMeshProxies(view, matched)) {
    const names = matched.sidecars.map((x) => `"${x.container.name}"`).join(", ");
    results.push(
      result(
        "warning",
        `container "${container.name}" looks like the ${preset.title} (the ${preset.name} preset), which the config's sidecars do not list, so it is left where it is and ${names} ${matched.sidecars.length > 1 ? "start" : "starts"} before it; the mesh sends the pod's traffic through its proxy, so their connections fail until it runs, and a wait or startupProbe that needs the network may never pass; add {preset: ${preset.name}} to sidecars, and sidecar-order starts it first`,
        subject,
        { path: tpl(["spec", list, index]) },
      ),
    );
  }
  for (const name of matched.plainInitNames) {
    results.push(result("warning", `the sidecar-order.dev/sidecars annotation names "${name}", an init container that runs to completion (it has no restartPolicy: Always), so it was left where it is; a sidecar belongs in spec.containers, or in spec.initContainers with restartPolicy: Always`, subject, { path: tpl(["metadata", "annotations"]) }));
  }
  if (matched.sidecars.length === 0 && meshes.length === 0) {
    // No sidecar to order, but a native one already there may still meet the target's versions.
    const risks = emptyPlan();
    planVersionRisks(risks, view, ctx.target);
    for (const note of risks.notes) results.push(result(note.severity, note.message, subject, { path: tpl(note.target ? targetPath(view, risks, note.target, note.path) : note.path ?? []) }));
    return { identity, results };
  }
  if (wk.cannot) {
    results.push(result("warning", `left unchanged although it has sidecars: ${wk.cannot}`, subject, { path: tpl(["spec"]) }));
    return { identity, results };
  }
  if (allSidecars) {
    if (toOrder.some((s) => !s.rule || s.rule.index >= 0)) {
      results.push(result("warning", "every container of this pod matches a sidecars entry, so there is no app to hold back; nothing was changed", subject, { path: tpl(["spec", "containers"]) }));
    }
    return { identity, results };
  }
  if (choice.strategy === "legacy" && runsToCompletion(wk.runsToCompletion, view) && (toOrder.length > 0 || meshes.length > 0)) {
    const named = [...toOrder.map((s) => `sidecar "${s.container.name}"`), ...meshes.map((p) => `injected ${p.title}`)];
    const names = named.length > 1 ? `${named.slice(0, -1).join(", ")} and ${named[named.length - 1]!}` : named[0]!;
    const recipes = [
      ...toOrder.flatMap((s) => (s.settings.jobExit ? [`for "${s.container.name}", ${s.settings.jobExit}`] : [])),
      ...meshes.map((p) => `for the ${p.title}, ${p.jobExit}`),
    ];
    const message =
      `the legacy ${names} would keep this ${wk.kind === "Pod" ? "Pod" : `${wk.kind}'s pod`} running after the app exits, so it would never complete (${choice.reason}); ` +
      `use native sidecars (${choice.toNative ?? "set strategy: native"}), or make the app stop the sidecar when it is done` +
      (recipes.length ? ` (${recipes.join("; ")})` : "");
    const allowed = legacyJobAllowed(config, factsOf(data, meta), view.annotations);
    if (toOrder.length > 0 && !allowed) {
      results.push(result("error", `${message}, then set allowLegacyJobs: true (or, for this workload alone, annotate it ${ALLOW_LEGACY_JOB_ANNOTATION}: "true"); the workload was left as it is`, subject, { path: tpl(["spec", "containers"]) }));
      return { identity, results };
    }
    results.push(result("warning", `${message}${allowed ? ` (accepted: ${allowed})` : ""}`, subject, { path: tpl(["spec", "containers"]) }));
  }
  const plan = buildPlan(view, matched.sidecars, meshes, ctx);
  const checking = config.mode === "check";
  for (const { said, name } of plainInitSaid) said.field = { path: tpl(resultPath(view, plan, { list: "initContainers", name }, [], checking)) };
  for (const note of plan.notes) {
    const field = { path: tpl(note.target ? resultPath(view, plan, note.target, note.path ?? [], checking) : note.path ?? []) } as Result["field"] & object;
    if (note.proposedValue !== undefined) field.proposedValue = note.proposedValue;
    results.push(result(note.severity, note.message, subject, field));
  }
  if (refused(plan) || !changes(plan)) return { identity, results };
  const sidecarNames = matched.sidecars.map((s) => s.container.name);
  const costs = (edited: unknown): Result[] => {
    const before = valueAt(data, [...wk.templatePath, "spec"]);
    const after = valueAt(edited, [...wk.templatePath, "spec"]);
    if (!isPlain(before) || !isPlain(after)) return [];
    return resourceNotes(before, after, sidecarNames, config.mode === "check").map((n) => {
      const field: Result["field"] & object = { path: tpl(n.path) };
      if (n.currentValue !== undefined) field.currentValue = n.currentValue;
      if (n.proposedValue !== undefined) field.proposedValue = n.proposedValue;
      return result(n.severity, n.message, subject, field);
    });
  };
  if (config.mode === "check") {
    // Nothing changes; the figures come from the plan carried out on a copy.
    const scratch = parseItem(item);
    if (scratch) applyPlan(scratch, wk.templatePath, plan);
    return { identity, proposed: true, results: [...checkResults(view, valueAt(data, wk.templatePath), plan, subject, tpl, config.checkSeverity), ...results, ...costs(scratch && itemData(scratch))] };
  }

  if (item.frozen) {
    return { identity, results: [...results, result("warning", `needs a change but was left as it is: ${item.frozen}, which sidecar-order does not re-print`, subject, { path: tpl(["spec"]) })] };
  }
  // A block scalar that ends the text with no line break has none in its value for Go (kubectl),
  // one for yaml: lines written after it would give it one everywhere. Strip-chomped first, it
  // keeps the value Go read.
  if (!item.body.endsWith("\n")) {
    const body = blockEndJoinable(item.body);
    if (body !== item.body) {
      const { raw: _raw, ...rest } = item;
      item = { ...rest, body };
      doc = undefined;
    }
  }
  // An item the yaml printer would print as it is written is edited in its own text (krm/edit.ts).
  // The text editor follows fields only; a template inside a list goes through the yaml printer.
  const edited = item.light && isFieldPath(wk.templatePath) ? editItem(item, wk.templatePath, plan, data) : undefined;
  if (edited) {
    results.push(...costs(edited.data));
    results.unshift(summary(view, plan, subject, tpl, []));
    return edited.same ? { identity, results } : { identity, replacement: edited.replacement, results };
  }
  doc ??= parseItem(item);
  if (!doc) return { identity, results: [...results, itemProblem(item, "error", "cannot be parsed on its own; it was left as it is")] };
  keepKeyLineComments(doc, item.body);
  keepNullValueComments(doc, item.body);
  keepEntryLeadComments(doc, item.body);
  keepDashLineComments(doc, item.body);
  const sharedBefore = item.anchorsUsedElsewhere && anchorValues(doc, item.anchorsUsedElsewhere);
  const spelledOut = applyPlan(doc, wk.templatePath, plan);
  if (sharedBefore) {
    const after = anchorValues(doc, item.anchorsUsedElsewhere!);
    const changed = [...sharedBefore.keys()].filter((name) => sharedBefore.get(name) !== after.get(name));
    if (changed.length > 0) {
      const names = changed.map((a) => `&${a}`).join(", ");
      const message = `needs a change to what its YAML anchor ${names} holds, which later items alias; changing it would change them too, so the workload was left as it is (spell the alias out in those items, or move the anchor)`;
      return { identity, results: [...results, result("error", message, subject, { path: tpl(["spec"]) })] };
    }
  }
  results.push(...costs(itemData(doc)));
  const replacement = printItem(doc, item);
  results.unshift(summary(view, plan, subject, tpl, spelledOut));
  return replacement === item.body ? { identity, results } : { identity, replacement, results };
}

/**
 * The warning for a sidecar-order.dev/skip annotation (on the workload at `path`, or on a pod
 * template) whose value is neither "true", which skips, nor "false": "TRUE", "yes" or an unquoted
 * true (a boolean, which the API server refuses in an annotation) would otherwise be obeyed by
 * nobody in silence.
 */
function oddSkipValue(annotations: unknown, path: string, subject: Subject): Result[] {
  return [
    ...oddFlag(annotations, SKIP_ANNOTATION, `only "true" skips a workload, so this annotation does not count: write "true" to leave it alone`, path, subject),
    ...oddFlag(annotations, ALLOW_LEGACY_JOB_ANNOTATION, `only "true" accepts legacy sidecars in a workload that runs to completion, so this annotation does not count: write "true" to accept them`, path, subject),
  ];
}

/** A flag annotation whose value is neither "true" nor "false": said, since it does nothing. */
function oddFlag(annotations: unknown, key: string, does: string, path: string, subject: Subject): Result[] {
  const value = isPlain(annotations) ? annotations[key] : undefined;
  if (value === undefined || value === "true" || value === "false") return [];
  const said = typeof value === "string" ? JSON.stringify(value) : `${JSON.stringify(value)} without quotes (${value === null ? "null" : typeof value}, where Kubernetes takes only strings)`;
  return [result("warning", `${key} is ${said}; ${does}`, subject, { path })];
}

/** What each named anchor holds (its last definition, which later aliases resolve to), as JSON. */
function anchorValues(doc: Document, names: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  visit(doc, {
    Node: (_, n) => {
      if (n.anchor && names.has(n.anchor)) out.set(n.anchor, JSON.stringify(n.toJS(doc)));
    },
  });
  return out;
}

/** Everything the strategy, shutdown, injection and preset checks decide for one pod template. */
function buildPlan(view: PodTemplateView, sidecars: readonly MatchedSidecar[], meshes: readonly Preset[], ctx: TransformContext): Plan {
  const { config, choice } = ctx;
  const toOrder = sidecars.filter((s) => s.list === "containers");
  const options = { onConflict: config.onConflict, target: ctx.target };
  const plan = choice.strategy === "native" ? planNative(view, sidecars, options) : planLegacy(view, sidecars, options);
  if (choice.strategy === "legacy") {
    planLegacyShutdown(plan, view, startOrder(toOrder), { ...config.shutdown, sleepAction: ctx.sleepAction, onConflict: config.onConflict });
  } else {
    planNativeShutdown(plan, view, startOrder(sidecars), config.shutdown);
  }
  planInjected(plan, view, meshes, choice.strategy, config.meshVersions);
  planVersionRisks(plan, view, ctx.target);
  for (const s of sidecars) {
    const list = choice.strategy === "native" ? "initContainers" : s.list;
    for (const check of s.settings.checks) {
      if (check.strategy !== undefined && check.strategy !== choice.strategy) continue;
      plan.notes.push({ severity: "warning", target: { list, name: s.container.name }, message: `sidecar "${s.container.name}" ${check.message}` });
    }
  }
  if (choice.strategy === "native" && meshes.length > 0 && view.annotations["vault.hashicorp.com/agent-init-first"] === "true") {
    plan.notes.push({
      severity: "warning",
      target: "template",
      path: ["metadata", "annotations", "vault.hashicorp.com/agent-init-first"],
      message: "vault.hashicorp.com/agent-init-first puts vault-agent-init ahead of every other init container, so it runs before the native mesh proxy and has no network; remove that annotation",
    });
  }
  return plan;
}

/** A skipped workload: no result, unless it would have changed (then say why it was skipped). */
function wouldChange(
  view: PodTemplateView,
  sidecars: readonly MatchedSidecar[],
  meshes: readonly Preset[],
  ctx: TransformContext,
  why: string,
  subject: Subject,
  tpl: (p: (string | number)[]) => string,
): Result[] {
  const plan = buildPlan(view, sidecars, meshes, ctx);
  if (!changes(plan)) return [];
  const said = [...plan.remarks, ...plan.edits.map((e) => e.says)].filter((x) => x !== "");
  return [result("info", `skipped because ${why}; otherwise sidecar-order would have changed it: ${said.join("; ")}`, subject, { path: tpl(["spec"]) })];
}

/** mode: check: one result per change the workload needs, with the current and proposed values. */
function checkResults(
  view: PodTemplateView,
  template: unknown,
  plan: Plan,
  subject: Subject,
  tpl: (p: (string | number)[]) => string,
  severity: Result["severity"],
): Result[] {
  const out: Result[] = [];
  const fix = " (mode: check changes nothing; run with mode: apply to fix)";
  if (plan.order) {
    for (const list of ["initContainers", "containers"] as const) {
      const proposed = plan.order[list].map((s) => view.spec[s.from][s.index]!.name);
      const current = view.spec[list].map((c) => c.name);
      if (proposed.join("\0") === current.join("\0")) continue;
      const field: Result["field"] & object = { path: tpl(["spec", list]) };
      // currentValue only where the field exists now (a new initContainers has none).
      if (valueAt(template, ["spec", list]) !== undefined) field.currentValue = current;
      field.proposedValue = proposed;
      out.push(result(severity, `spec.${list} is not in sidecar order; it should be ${JSON.stringify(proposed)}${fix}`, subject, field));
    }
  }
  for (const e of plan.edits) {
    // Nothing moves in check mode: point at where the field is now, unless the container changes
    // lists (a native sidecar): its new fields are only valid where it goes, so point there.
    const now = currentPath(view, e.target, e.path);
    const mover = e.target !== "template" && now[1] !== e.target.list ? e.target : undefined;
    const field: Result["field"] & object = { path: tpl(mover ? targetPath(view, plan, mover, e.path) : now) };
    // currentValue is what stands at field.path now: nothing does where a sidecar has yet to move.
    const current = mover ? undefined : valueAt(template, now);
    if (current !== undefined) field.currentValue = current;
    if (e.value !== undefined) field.proposedValue = e.value;
    const what = e.says || (e.value === undefined ? `removed ${field.path}` : `set ${field.path} to ${JSON.stringify(e.value)}`);
    const where = mover ? `, once "${mover.name}" has moved to spec.${mover.list} from ${tpl(now.slice(0, 3))}` : "";
    out.push(result(severity, `would have ${what}${where}${fix}`, subject, field));
  }
  return out;
}

/**
 * Where a result about a target points: where the target ends up, or in check mode, where nothing
 * moves, where it is now (unless it changes lists: a native sidecar's new fields are only valid
 * where it goes).
 */
function resultPath(view: PodTemplateView, plan: Plan, target: Target, path: (string | number)[], checking: boolean): (string | number)[] {
  if (!checking) return targetPath(view, plan, target, path);
  const now = currentPath(view, target, path);
  return target !== "template" && now[1] !== target.list ? targetPath(view, plan, target, path) : now;
}

/** A target's path below the pod template where it is now (before any move). */
function currentPath(view: PodTemplateView, target: Target, path: (string | number)[]): (string | number)[] {
  if (target === "template") return path;
  for (const list of ["containers", "initContainers"] as const) {
    const i = view.spec[list].findIndex((c) => c.name === target.name);
    if (i !== -1) return ["spec", list, i, ...path];
  }
  return ["spec", target.list, -1, ...path];
}

/** Jobs, CronJobs and bare pods that do not restart run to completion: a sidecar must not outlive the app. */
function runsToCompletion(kindDoes: boolean, view: PodTemplateView): boolean {
  return kindDoes || view.spec.restartPolicy === "Never" || view.spec.restartPolicy === "OnFailure";
}

/** One info result for the workload: every change it got, pointing at the main field. */
function summary(view: PodTemplateView, plan: Plan, subject: Subject, tpl: (p: (string | number)[]) => string, spelledOut: readonly string[]): Result {
  const said = [...plan.remarks, ...plan.edits.map((e) => e.says), ...new Set(spelledOut)].filter((s) => s !== "");
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

function factsOf(data: Plain, meta: Plain): ObjectFacts {
  const o: ObjectFacts = { apiVersion: String(data["apiVersion"]), kind: String(data["kind"]), labels: stringEntries(meta["labels"]), annotations: stringEntries(meta["annotations"]) };
  if (typeof meta["name"] === "string") o.name = meta["name"];
  if (typeof meta["namespace"] === "string") o.namespace = meta["namespace"];
  return o;
}

export function subjectOf(data: Plain, meta: Plain, annotations: Plain): Subject {
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
