/**
 * Meshes whose proxy a webhook injects at admission: the package has no proxy container to move,
 * so sidecar-order sets the mesh's own pod-template switch for the chosen strategy instead.
 * An explicit user choice (a switch already set the other way) is kept and reported.
 */
import { isMap, parse, parseDocument } from "yaml";
import type { InjectedMesh } from "../config/schema";
import type { PodTemplateView } from "../pod/types";
import type { Strategy } from "../strategies/choose";
import { sameValue, type Plan } from "../strategies/plan";
import { LINKERD_NATIVE_KEYS, LINKERD_WAIT_BEFORE_EXIT, istioReadsNativeAnnotation, istioRelease, linkerdNativeKey, linkerdRelease, type MeshRelease } from "../facts/meshes";
import { presetNamed } from "./presets";
import type { Preset } from "./presets/types";

export const ISTIO_PROXY_CONFIG = "proxy.istio.io/config";
const HOLD = "holdApplicationUntilProxyStarts";

/** Presets whose webhook this template opts into (or that the config says inject every pod). */
export function injectedMeshes(template: PodTemplateView, configured: readonly InjectedMesh[]): Preset[] {
  const out: Preset[] = [];
  for (const name of ["istio", "linkerd", "kuma", "dapr"] as const) {
    const p = presetNamed(name);
    const hook = p.webhook;
    if (!hook) continue;
    let decided: boolean | undefined;
    for (const rule of hook.inject) {
      const values = [rule.on !== "label" ? template.annotations[rule.key] : undefined, rule.on !== "annotation" ? template.labels[rule.key] : undefined];
      for (const v of values) {
        if (v === undefined) continue;
        decided = rule.values.includes(v) || (rule.values.includes("*") && v !== "");
      }
    }
    // An explicit opt-out beats the config's namespace-wide injection.
    if (decided ?? configured.includes(name)) out.push(p);
  }
  return out;
}

/** The mesh releases the config names (meshVersions). */
export interface MeshVersions {
  istio?: string | undefined;
  linkerd?: string | undefined;
}

/** Set each injected mesh's switch for the strategy, adding template edits and notes to the plan. */
export function planInjected(plan: Plan, template: PodTemplateView, meshes: readonly Preset[], strategy: Strategy, versions: MeshVersions = {}): void {
  for (const p of meshes) {
    if (strategy === "native" && p.name === "linkerd") {
      linkerdNative(plan, template, p, versions.linkerd);
      continue;
    }
    const sw = strategy === "native" ? p.webhook?.native : p.webhook?.legacy;
    if (!sw) continue;
    if ("none" in sw) {
      plan.notes.push({ severity: "warning", target: "template", path: ["metadata", "annotations"], message: `${p.title} is injected at admission, but ${sw.none}` });
      continue;
    }
    if ("istioProxyConfig" in sw) {
      istioHold(plan, template, p);
      continue;
    }
    let also = "";
    if (strategy === "native" && p.name === "istio") {
      const release = versions.istio === undefined ? undefined : istioRelease(versions.istio);
      if (release && !istioReadsNativeAnnotation(release)) {
        plan.notes.push({
          severity: "warning",
          target: "template",
          path: ["metadata", "annotations", sw.key],
          message: `Istio ${release.text} does not read ${sw.key} (Istio reads it from 1.24), so the injected Istio proxy becomes a native sidecar only if istiod runs with ENABLE_NATIVE_SIDECARS=true; the annotation was not set`,
        });
        continue;
      }
      if (!release) also = ` (assuming Istio 1.24 or later, which reads it; before 1.24 only istiod's ENABLE_NATIVE_SIDECARS=true makes the proxy native: set meshVersions.istio to be told)`;
    }
    switchOn(plan, template, p, sw.key, sw.value, strategy, also);
  }
}

function switchOn(plan: Plan, template: PodTemplateView, p: Preset, key: string, value: string, strategy: Strategy, also = ""): void {
  const current = template.annotations[key];
  if (current === value) return;
  if (current !== undefined) {
    plan.notes.push({
      severity: "warning",
      target: "template",
      path: ["metadata", "annotations", key],
      proposedValue: value,
      message: `${key} is "${current}", an explicit choice that sidecar-order keeps; with strategy ${strategy} it would be "${value}"`,
    });
    return;
  }
  plan.edits.push({
    target: "template",
    path: ["metadata", "annotations", key],
    value,
    says: `set ${key}: "${value}" so the ${p.title} injected at admission ${strategy === "native" ? "becomes a native sidecar" : "holds the app until it is ready"}${also}`,
  });
}

/** Go's strconv.ParseBool, as Linkerd's injector reads its switches. */
const goBool = (v: string): boolean | undefined => (["1", "t", "T", "TRUE", "true", "True"].includes(v) ? true : ["0", "f", "F", "FALSE", "false", "False"].includes(v) ? false : undefined);

/** Linkerd's native switch: the key depends on the release, and a key it does not know is ignored. */
function linkerdNative(plan: Plan, template: PodTemplateView, p: Preset, version: string | undefined): void {
  const release = version === undefined ? undefined : linkerdRelease(version);
  const key = linkerdNativeKey(release);
  const path = (k: string) => ["metadata", "annotations", k];
  if (!key) {
    plan.notes.push({
      severity: "warning",
      target: "template",
      path: ["metadata", "annotations"],
      message: `Linkerd ${release!.text} has no native sidecars (they came with edge-23.11.4, Linkerd 2.15), so the injected Linkerd proxy stays a regular container; upgrade Linkerd, or use strategy legacy (config.linkerd.io/proxy-await)`,
    });
    return;
  }
  // The keys this release reads, newest first (its injector's precedence); with no release given, any key set.
  const order: string[] = [LINKERD_NATIVE_KEYS.ga, LINKERD_NATIVE_KEYS.beta, LINKERD_NATIVE_KEYS.alpha];
  const reads = release ? order.slice(order.indexOf(key)) : order;
  const set = order.filter((k) => template.annotations[k] !== undefined);
  const decided = set.find((k) => reads.includes(k));
  if (decided) {
    const value = template.annotations[decided]!;
    if (goBool(value) === true) return waitBeforeExit(plan, template, release);
    plan.notes.push({
      severity: "warning",
      target: "template",
      path: path(decided),
      proposedValue: "true",
      message: `${decided} is "${value}", an explicit choice that sidecar-order keeps; with strategy native it would be "true"`,
    });
    return;
  }
  for (const k of set) {
    plan.notes.push({
      severity: "warning",
      target: "template",
      path: path(k),
      message: `${k} is set, but Linkerd ${release!.text} does not read that key (it reads ${key}), so it is ignored; remove it`,
    });
  }
  const also = release ? "" : ` (the key every Linkerd release with native sidecars reads, edge-23.11.4 to 2.20; set meshVersions.linkerd to use your release's own key)`;
  plan.edits.push({ target: "template", path: path(key), value: "true", says: `set ${key}: "true" so the ${p.title} injected at admission becomes a native sidecar${also}` });
  waitBeforeExit(plan, template, release);
}

/** Linkerd 2.15 to 2.19 refuse to inject a native proxy that also has a preStop wait. */
function waitBeforeExit(plan: Plan, template: PodTemplateView, release: MeshRelease | undefined): void {
  const value = template.annotations[LINKERD_WAIT_BEFORE_EXIT];
  if (value === undefined) return;
  if (release && linkerdNativeKey(release) === LINKERD_NATIVE_KEYS.ga) return; // 2.20 leaves the preStop out itself
  plan.edits.push({
    target: "template",
    path: ["metadata", "annotations", LINKERD_WAIT_BEFORE_EXIT],
    value: undefined,
    says: `removed ${LINKERD_WAIT_BEFORE_EXIT} ("${value}"): Linkerd's injector refuses a native proxy with it (edge-23.11.4 to 2.19), and a native proxy is stopped after the app anyway`,
  });
}

function istioHold(plan: Plan, template: PodTemplateView, p: Preset): void {
  const raw = template.annotations[ISTIO_PROXY_CONFIG];
  const path = ["metadata", "annotations", ISTIO_PROXY_CONFIG];
  const says = `set ${HOLD}: true in ${ISTIO_PROXY_CONFIG} so the ${p.title} injected at admission holds the app until it is ready`;
  if (raw === undefined || raw.trim() === "") {
    plan.edits.push({ target: "template", path, value: `{"${HOLD}":true}`, says });
    return;
  }
  let parsed: unknown;
  try {
    parsed = parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    plan.notes.push({ severity: "warning", target: "template", path, message: `${ISTIO_PROXY_CONFIG} is not a map sidecar-order can read, so ${HOLD} was not set; add ${HOLD}: true to it yourself` });
    return;
  }
  const hold = (parsed as Record<string, unknown>)[HOLD];
  if (hold === true) return;
  if (hold !== undefined) {
    plan.notes.push({ severity: "warning", target: "template", path, message: `${ISTIO_PROXY_CONFIG} sets ${HOLD}: ${JSON.stringify(hold)}, an explicit choice that sidecar-order keeps; the app may start before the proxy is ready` });
    return;
  }
  const value = withHold(raw, parsed as Record<string, unknown>);
  if (value === undefined) {
    plan.notes.push({ severity: "warning", target: "template", path, message: `${ISTIO_PROXY_CONFIG} could not be re-written with ${HOLD} added and still mean the same, so it was left as it is; add ${HOLD}: true to it yourself` });
    return;
  }
  plan.edits.push({ target: "template", path, value, says });
}

/**
 * The proxy config with the hold switch added, in the user's own form: JSON stays JSON; YAML is
 * parsed, given the key and re-printed (so comments, indentation and document markers stay
 * valid). Undefined when the result would not read back as the old config plus the switch.
 */
function withHold(raw: string, parsed: Record<string, unknown>): string | undefined {
  const wanted = { ...parsed, [HOLD]: true };
  let value: string;
  try {
    JSON.parse(raw);
    value = JSON.stringify(wanted);
  } catch {
    const doc = parseDocument(raw);
    if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
    doc.set(HOLD, true);
    value = doc.toString({ lineWidth: 0 });
  }
  let back: unknown;
  try {
    back = parse(value);
  } catch {
    return undefined;
  }
  return sameValue(back, wanted) ? value : undefined;
}
