/**
 * Where each workload kind keeps its pod template (the object holding `metadata` and `spec`).
 * @see https://kubernetes.io/docs/concepts/workloads/pods/#pod-templates
 */
import { valueAt } from "../plain";

export interface WorkloadKind {
  /** API group; "" is the core group. */
  group: string;
  /** API version, when only one version has this shape (custom kinds may say). */
  version?: string;
  kind: string;
  /**
   * Path from the object's root to its pod template; [] when the object is itself a pod. Where a
   * step meets a list, the rest of the path is followed in every entry, as kustomize's fieldSpecs
   * are (JobSet's `spec/replicatedJobs/template/...`): see templatePathsIn.
   */
  templatePath: string[];
  /** Whether the pod runs to completion (a sidecar must not keep it alive). */
  runsToCompletion: boolean;
  /** Why neither strategy can be expressed in this kind's pods, if so. */
  cannot?: string;
  /** A field that, when set, means the object has no pod template of its own (Argo's workloadRef). */
  templateElsewhere?: { field: string[]; why: string };
  /** The group the same object is known by under its current API, when this entry is an old one. */
  sameAs?: string;
  /** More pod template paths of the same kind (several podTemplatePaths entries name it): each counts. */
  alsoAt?: string[][];
}

/** Every pod template path of a kind: its own, then those of further podTemplatePaths entries. */
export function allTemplatePaths(wk: WorkloadKind): string[][] {
  return [wk.templatePath, ...(wk.alsoAt ?? [])];
}

const template = ["spec", "template"];

export const BUILT_IN: readonly WorkloadKind[] = [
  { group: "", kind: "Pod", templatePath: [], runsToCompletion: false },
  { group: "", kind: "PodTemplate", templatePath: ["template"], runsToCompletion: false },
  { group: "", kind: "ReplicationController", templatePath: template, runsToCompletion: false },
  { group: "apps", kind: "Deployment", templatePath: template, runsToCompletion: false },
  { group: "apps", kind: "ReplicaSet", templatePath: template, runsToCompletion: false },
  { group: "apps", kind: "StatefulSet", templatePath: template, runsToCompletion: false },
  { group: "apps", kind: "DaemonSet", templatePath: template, runsToCompletion: false },
  { group: "batch", kind: "Job", templatePath: template, runsToCompletion: true },
  { group: "batch", kind: "CronJob", templatePath: ["spec", "jobTemplate", "spec", "template"], runsToCompletion: true },
  // JobSet: a list of Job templates, each with its pod template; its pods run to completion.
  // https://jobset.sigs.k8s.io/docs/reference/jobset.v1alpha2/#jobset-x-k8s-io-v1alpha2-ReplicatedJob
  { group: "jobset.x-k8s.io", kind: "JobSet", templatePath: ["spec", "replicatedJobs", "template", "spec", "template"], runsToCompletion: true },
  // Argo Rollouts: https://argo-rollouts.readthedocs.io/en/stable/features/specification/
  {
    group: "argoproj.io",
    kind: "Rollout",
    templatePath: template,
    runsToCompletion: false,
    templateElsewhere: { field: ["spec", "workloadRef"], why: "it takes its pod template from the Deployment its workloadRef names; order that Deployment instead" },
  },
  // OpenKruise: https://openkruise.io/docs/user-manuals/cloneset
  { group: "apps.kruise.io", kind: "CloneSet", templatePath: template, runsToCompletion: false },
  { group: "apps.kruise.io", kind: "StatefulSet", templatePath: template, runsToCompletion: false },
  { group: "apps.kruise.io", kind: "DaemonSet", templatePath: template, runsToCompletion: false },
  // OpenShift: https://docs.openshift.com/container-platform/4.16/rest_api/workloads_apis/deploymentconfig-apps-openshift-io-v1.html
  // (the legacy `apiVersion: v1` form is the same object, served without a group).
  { group: "apps.openshift.io", kind: "DeploymentConfig", templatePath: template, runsToCompletion: false },
  { group: "", version: "v1", kind: "DeploymentConfig", templatePath: template, runsToCompletion: false, sameAs: "apps.openshift.io" },
  // Knative Serving validates its pod spec: no lifecycle hooks, no restartable init containers.
  {
    group: "serving.knative.dev",
    kind: "Service",
    templatePath: template,
    runsToCompletion: false,
    cannot: "Knative Serving rejects lifecycle hooks and restartPolicy on containers, so neither a postStart hold hook nor a native sidecar can be expressed; Knative starts the queue-proxy itself",
  },
];

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
}

function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.indexOf("/") + 1);
}

/**
 * Who an object is, for finding the same workload twice: the old API groups of a kind
 * (extensions/v1beta1, apps/v1beta1, apps/v1beta2; OpenShift's groupless v1) name the same object
 * as the current one, so they count as one group.
 */
export function identityOf(wk: WorkloadKind, namespace: string, name: string): string {
  return `${wk.sameAs ?? wk.group}/${wk.kind}/${namespace}/${name}`;
}

/** The workload kind of an object, or undefined when it holds no pod template we know of. */
export function workloadKind(apiVersion: unknown, kind: unknown, kinds: readonly WorkloadKind[] = BUILT_IN): WorkloadKind | undefined {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  let group = groupOf(apiVersion);
  // Old manifests still say extensions/v1beta1 for Deployments, ReplicaSets and DaemonSets.
  if (group === "extensions") group = "apps";
  const version = versionOf(apiVersion);
  // Later entries (the config's, a versioned one after an unversioned one) win over built-in ones.
  for (let i = kinds.length - 1; i >= 0; i--) {
    const w = kinds[i]!;
    if (w.group === group && w.kind === kind && (w.version === undefined || w.version === version)) return w;
  }
  return undefined;
}

/**
 * The concrete paths of an object's pod templates: `templatePath` with a list index put in
 * wherever a step meets a list, one path per entry (an empty list: none). A path that stops at
 * something missing or not a map is returned as far as it is written, for the reader to name.
 */
export function templatePathsIn(data: unknown, templatePath: readonly string[]): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (node: unknown, at: number, path: (string | number)[]) => {
    // A list where the path ends holds the pod templates themselves: each entry is one; an entry
    // that is null is named where it stands.
    if (Array.isArray(node)) return node.forEach((entry, i) => (entry === null ? void out.push([...path, i]) : walk(entry, at, [...path, i])));
    if (at === templatePath.length) return void out.push(path);
    // Missing or null (which Kubernetes takes for missing): the whole path, for the reader to name;
    // a scalar: where it stands.
    if (node === undefined || node === null) return void out.push([...path, ...templatePath.slice(at)]);
    if (typeof node !== "object") return void out.push(path);
    const key = templatePath[at]!;
    walk((node as Record<string, unknown>)[key], at + 1, [...path, key]);
  };
  walk(data, 0, []);
  return out;
}

/**
 * The concrete paths of an object's pod templates, for every path of its kind. With several
 * podTemplatePaths entries, one whose field the object leaves out (a RayCluster with no worker
 * groups: absent or null) is skipped, as kustomize skips a fieldSpec that finds nothing; an entry
 * that reached a list keeps all its paths, so a bad entry in it is still named. When every entry
 * finds nothing, the first path stays, for the reader to name.
 */
export function podTemplatesOf(data: unknown, wk: WorkloadKind): (string | number)[][] {
  const own = allTemplatePaths(wk);
  if (own.length === 1) return templatePathsIn(data, own[0]!);
  const perEntry = own.map((p) => templatePathsIn(data, p));
  const absent = (paths: (string | number)[][]) => paths.length === 1 && isFieldPath(paths[0]!) && valueAt(data, paths[0]!) == null;
  const found = perEntry.filter((paths) => !absent(paths)).flat();
  return found.length > 0 ? found : perEntry[0]!.slice(0, 1);
}


/** Whether a concrete template path steps through fields only (no list entry on the way). */
export function isFieldPath(path: readonly (string | number)[]): path is readonly string[] {
  return path.every((k) => typeof k === "string");
}

/**
 * The kinds from the config's podTemplatePaths (path to the pod spec, `/` or `.` separated). The
 * entries for one kind all count, in the config's order, as kustomize's fieldSpecs do (a
 * RayCluster's head and workers); the same path twice counts once. An entry without a version
 * counts for every version, so each version named gets the unversioned entries' paths too, and
 * comes after the unversioned kind, which workloadKind's last match then leaves to other versions.
 */
export function customKinds(paths: readonly { group: string; version?: string | undefined; kind: string; path: string }[]): WorkloadKind[] {
  const out: WorkloadKind[] = [];
  const kindsOf = new Map<string, { group: string; kind: string }>();
  for (const p of paths) kindsOf.set(JSON.stringify([p.group, p.kind]), { group: p.group, kind: p.kind });
  for (const { group, kind } of kindsOf.values()) {
    const entries = paths.filter((p) => p.group === group && p.kind === kind);
    const versions = [...new Set(entries.flatMap((p) => (p.version === undefined ? [] : [p.version])))];
    for (const version of [undefined, ...versions]) {
      const seen = new Set<string>();
      const templatePaths: string[][] = [];
      for (const p of entries) {
        if (p.version !== undefined && p.version !== version) continue;
        const templatePath = p.path.split(/[/.]/).filter((s) => s !== "").slice(0, -1);
        if (seen.has(templatePath.join("/"))) continue;
        seen.add(templatePath.join("/"));
        templatePaths.push(templatePath);
      }
      if (templatePaths.length === 0) continue;
      const w: WorkloadKind = { group, kind, templatePath: templatePaths[0]!, runsToCompletion: false };
      if (templatePaths.length > 1) w.alsoAt = templatePaths.slice(1);
      if (version !== undefined) w.version = version;
      out.push(w);
    }
  }
  return out;
}
