/**
 * Plain-data views of the parts of a pod template that sidecar-order reads. Strategies plan over
 * these; only apply.ts touches YAML nodes.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/
 */

export type ListName = "containers" | "initContainers";

export interface Handler {
  exec?: { command?: string[] };
  httpGet?: Record<string, unknown>;
  tcpSocket?: Record<string, unknown>;
  sleep?: { seconds?: number };
  [k: string]: unknown;
}

export interface Probe extends Handler {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  restartPolicy?: string;
  lifecycle?: { postStart?: Handler; preStop?: Handler; [k: string]: unknown };
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  [k: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers: Container[];
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
}

/** A pod template: its annotations and pod spec, plus where it sits in its object. */
export interface PodTemplateView {
  annotations: Record<string, string>;
  labels: Record<string, string>;
  spec: PodSpec;
}

/** Field path segments below the pod template (e.g. ["spec", "containers", 0, "lifecycle"]). */
export type Path = (string | number)[];

export function pathText(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}
