/**
 * Which workloads to work on: the config's selectors and exclude (kpt's selector shape) and the
 * opt-out annotation on a workload or its pod template.
 */
import type { Config, Selector } from "../config/schema";

export const SKIP_ANNOTATION = "sidecar-order.dev/skip";

/** allowLegacyJobs for one workload: its app makes the legacy sidecar exit when it is done. */
export const ALLOW_LEGACY_JOB_ANNOTATION = "sidecar-order.dev/allow-legacy-job";

export interface ObjectFacts {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function subset(want: Record<string, string> | undefined, have: Record<string, string>): boolean {
  return want === undefined || Object.entries(want).every(([k, v]) => have[k] === v);
}

export function matchesSelector(sel: Selector, o: ObjectFacts): boolean {
  return (
    (sel.apiVersion === undefined || sel.apiVersion === o.apiVersion) &&
    (sel.kind === undefined || sel.kind === o.kind) &&
    (sel.name === undefined || sel.name === o.name) &&
    (sel.namespace === undefined || sel.namespace === (o.namespace ?? "")) &&
    subset(sel.labels, o.labels) &&
    subset(sel.annotations, o.annotations)
  );
}

/** Why the workload is skipped, or undefined when it is selected. */
export function skipReason(config: Config, o: ObjectFacts, templateAnnotations: Record<string, string>): string | undefined {
  if (o.annotations[SKIP_ANNOTATION] === "true") return `the workload has ${SKIP_ANNOTATION}: "true"`;
  if (templateAnnotations[SKIP_ANNOTATION] === "true") return `its pod template has ${SKIP_ANNOTATION}: "true"`;
  if (config.selectors.length > 0 && !config.selectors.some((s) => matchesSelector(s, o))) return "it matches none of the config's selectors";
  const excluded = config.exclude.findIndex((s) => matchesSelector(s, o));
  if (excluded !== -1) return `it matches exclude[${excluded}]`;
  return undefined;
}

/** Why legacy sidecars are accepted in this workload that runs to completion, or undefined. */
export function legacyJobAllowed(config: Config, o: ObjectFacts, templateAnnotations: Record<string, string>): string | undefined {
  if (config.allowLegacyJobs) return "allowLegacyJobs is true";
  if (o.annotations[ALLOW_LEGACY_JOB_ANNOTATION] === "true") return `the workload has ${ALLOW_LEGACY_JOB_ANNOTATION}: "true"`;
  if (templateAnnotations[ALLOW_LEGACY_JOB_ANNOTATION] === "true") return `its pod template has ${ALLOW_LEGACY_JOB_ANNOTATION}: "true"`;
  return undefined;
}
