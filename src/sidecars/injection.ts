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

/** Set each injected mesh's switch for the strategy, adding template edits and notes to the plan. */
export function planInjected(plan: Plan, template: PodTemplateView, meshes: readonly Preset[], strategy: Strategy): void {
  for (const p of meshes) {
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
    const current = template.annotations[sw.key];
    if (current === sw.value) continue;
    if (current !== undefined) {
      plan.notes.push({
        severity: "warning",
        target: "template",
        path: ["metadata", "annotations", sw.key],
        proposedValue: sw.value,
        message: `${sw.key} is "${current}", an explicit choice that sidecar-order keeps; with strategy ${strategy} it would be "${sw.value}"`,
      });
      continue;
    }
    plan.edits.push({
      target: "template",
      path: ["metadata", "annotations", sw.key],
      value: sw.value,
      says: `set ${sw.key}: "${sw.value}" so the ${p.title} injected at admission ${strategy === "native" ? "becomes a native sidecar" : "holds the app until it is ready"}`,
    });
  }
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
