// From manifests to static pods: reads multi-document YAML or a kpt ResourceList, finds each
// workload's pod template, and turns it into a pod the standalone kubelet accepts and can run
// offline: busybox images only (mapped to the local image), nothing that references the API
// (ServiceAccounts, ConfigMaps, Secrets, PVCs), nothing that only a scheduler reads.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

/** Where each workload kind keeps its pod template. */
const templateOf = {
  Pod: (o) => ({ metadata: o.metadata, spec: o.spec }),
  PodTemplate: (o) => o.template,
  Deployment: (o) => o.spec?.template,
  StatefulSet: (o) => o.spec?.template,
  DaemonSet: (o) => o.spec?.template,
  ReplicaSet: (o) => o.spec?.template,
  ReplicationController: (o) => o.spec?.template,
  Job: (o) => o.spec?.template,
  CronJob: (o) => o.spec?.jobTemplate?.spec?.template,
};

export class InputError extends Error {}

/** The workloads in FILES, in input order: {kind, name, namespace, template, file}. */
export function readWorkloads(files) {
  const out = [];
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new InputError(`cannot read ${file}: ${e.message}`);
    }
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new InputError(`${file}: ${doc.errors[0].message}`);
      for (const obj of flatten(doc.toJS())) {
        const get = templateOf[obj.kind];
        if (!get) continue;
        const name = obj.metadata?.name ?? "unnamed";
        const template = get(obj);
        if (!template?.spec) throw new InputError(`${file}: ${obj.kind}/${name} has no pod template`);
        out.push({ kind: obj.kind, name, namespace: obj.metadata?.namespace, template, file });
      }
    }
  }
  return out;
}

/** Objects of one YAML document: a ResourceList's or List's items, or the object itself. */
function flatten(obj) {
  if (obj == null || typeof obj !== "object") return [];
  if (Array.isArray(obj)) return obj.flatMap(flatten);
  if ((obj.kind === "ResourceList" || obj.kind === "List") && Array.isArray(obj.items)) return obj.items.flatMap(flatten);
  return [obj];
}

const allContainers = (spec) => [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];

/** True when IMAGE names busybox (any registry, tag or digest). */
export function isBusybox(image) {
  const noDigest = String(image).split("@")[0];
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  const repo = colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
  return repo.slice(lastSlash + 1) === "busybox";
}

/** One message per container whose image is not busybox; empty when all can run here. */
export function unsupportedImages(workloads) {
  const bad = [];
  for (const w of workloads) {
    for (const c of allContainers(w.template.spec)) {
      if (!isBusybox(c.image)) bad.push(`${w.kind}/${w.name} container ${c.name}: image ${c.image}`);
    }
  }
  return bad;
}

const dnsLabel = (s) =>
  s.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+/, "").slice(0, 30).replace(/-+$/, "") || "pod";

/**
 * The static pod for workload W: {pod, changes}. CHANGES lists, for the output, what was altered
 * so that the kubelet accepts and can run it here.
 */
export function toStaticPod(w, { name, busyboxImage, runLabel }) {
  const changes = [];
  const spec = structuredClone(w.template.spec);
  const meta = w.template.metadata ?? {};

  for (const field of ["serviceAccountName", "serviceAccount"]) {
    if (spec[field] !== undefined) {
      changes.push(`spec.${field} removed (static pods may not reference ServiceAccounts)`);
      delete spec[field];
    }
  }
  spec.automountServiceAccountToken = false;
  // Read only by the scheduler or the API server, or naming things that are not here.
  for (const field of ["imagePullSecrets", "nodeSelector", "nodeName", "affinity", "schedulerName",
    "priorityClassName", "priority", "preemptionPolicy", "runtimeClassName", "resourceClaims",
    "schedulingGates", "topologySpreadConstraints", "overhead", "ephemeralContainers"]) {
    if (spec[field] !== undefined) {
      changes.push(`spec.${field} removed`);
      delete spec[field];
    }
  }
  spec.volumes = (spec.volumes ?? []).map((v) => {
    if (v.emptyDir || v.downwardAPI) return v;
    const kind = Object.keys(v).find((k) => k !== "name") ?? "none";
    changes.push(`volume ${v.name}: ${kind} → emptyDir`);
    return { name: v.name, emptyDir: {} };
  });
  if (!spec.volumes.length) delete spec.volumes;

  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    c.image = busyboxImage; // every image is busybox (unsupportedImages): not listed as a change
    c.imagePullPolicy = "Never";
    if (c.envFrom?.length) {
      changes.push(`container ${c.name}: envFrom removed`);
      delete c.envFrom;
    }
    if (c.env) {
      c.env = c.env.filter((e) => {
        const ref = e.valueFrom?.configMapKeyRef ? "configMapKeyRef" : e.valueFrom?.secretKeyRef ? "secretKeyRef" : null;
        if (ref) changes.push(`container ${c.name}: env ${e.name} (${ref}) removed`);
        return !ref;
      });
      if (!c.env.length) delete c.env;
    }
    if (c.resources?.claims) {
      changes.push(`container ${c.name}: resources.claims removed`);
      delete c.resources.claims;
    }
  }

  const isJob = w.kind === "Job" || w.kind === "CronJob";
  const keepOwn = w.kind === "Pod" || w.kind === "PodTemplate";
  const restartPolicy = isJob ? spec.restartPolicy ?? "Never" : keepOwn ? spec.restartPolicy ?? "Always" : "Always";
  if ((spec.restartPolicy ?? "Always") !== restartPolicy) changes.push(`restartPolicy ${spec.restartPolicy} → ${restartPolicy}`);
  spec.restartPolicy = restartPolicy;

  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: w.namespace ?? meta.namespace ?? "default",
      labels: { ...(meta.labels ?? {}), ...runLabel },
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
    },
    spec,
  };
  return { pod, changes };
}

/** A unique static pod name for the INDEX-th workload W of run RUNID. */
export const podName = (w, runId, index) => `${dnsLabel(`${w.kind}-${w.name}`)}-${runId}${index}`;

/** Container specs of POD by name, with whether each is a sidecar / init container. */
export function containerSpecs(pod) {
  const specs = new Map();
  for (const c of pod.spec.initContainers ?? []) specs.set(c.name, { ...c, init: true, sidecar: c.restartPolicy === "Always" });
  for (const c of pod.spec.containers ?? []) specs.set(c.name, { ...c, init: false, sidecar: false });
  return specs;
}
