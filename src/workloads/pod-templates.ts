/**
 * Where each workload kind keeps its pod template (the object holding `metadata` and `spec`).
 * @see https://kubernetes.io/docs/concepts/workloads/pods/#pod-templates
 */

export interface WorkloadKind {
  /** API group; "" is the core group. */
  group: string;
  kind: string;
  /** Path from the object's root to its pod template; [] when the object is itself a pod. */
  templatePath: string[];
  /** Whether the pod runs to completion (a sidecar must not keep it alive). */
  runsToCompletion: boolean;
}

const BUILT_IN: WorkloadKind[] = [
  { group: "", kind: "Pod", templatePath: [], runsToCompletion: false },
  { group: "", kind: "PodTemplate", templatePath: ["template"], runsToCompletion: false },
  { group: "", kind: "ReplicationController", templatePath: ["spec", "template"], runsToCompletion: false },
  { group: "apps", kind: "Deployment", templatePath: ["spec", "template"], runsToCompletion: false },
  { group: "apps", kind: "ReplicaSet", templatePath: ["spec", "template"], runsToCompletion: false },
  { group: "apps", kind: "StatefulSet", templatePath: ["spec", "template"], runsToCompletion: false },
  { group: "apps", kind: "DaemonSet", templatePath: ["spec", "template"], runsToCompletion: false },
  { group: "batch", kind: "Job", templatePath: ["spec", "template"], runsToCompletion: true },
  { group: "batch", kind: "CronJob", templatePath: ["spec", "jobTemplate", "spec", "template"], runsToCompletion: true },
];

/** Kind names worth a closer look; the group is checked once the item is parsed. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(BUILT_IN.map((w) => w.kind));

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

/** The workload kind of an object, or undefined when it holds no pod template we know of. */
export function workloadKind(apiVersion: unknown, kind: unknown): WorkloadKind | undefined {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  let group = groupOf(apiVersion);
  // Old manifests still say extensions/v1beta1 for Deployments, ReplicaSets and DaemonSets.
  if (group === "extensions") group = "apps";
  return BUILT_IN.find((w) => w.group === group && w.kind === kind);
}
