/** Validation against the Kubernetes 1.33 structural schema, as shipped by kubernetes-models 4.5. */
import { Pod, PodTemplate, ReplicationController } from "kubernetes-models/v1";
import { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "kubernetes-models/apps/v1";
import { CronJob, Job } from "kubernetes-models/batch/v1";

type Plain = Record<string, unknown>;
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/Pod": Pod,
  "v1/PodTemplate": PodTemplate,
  "v1/ReplicationController": ReplicationController,
  "apps/v1/Deployment": Deployment,
  "apps/v1/ReplicaSet": ReplicaSet,
  "apps/v1/StatefulSet": StatefulSet,
  "apps/v1/DaemonSet": DaemonSet,
  "batch/v1/Job": Job,
  "batch/v1/CronJob": CronJob,
};

/** The schema's complaint about a built-in workload, or undefined (also for kinds it does not know). */
export function validateWorkload(item: Plain): string | undefined {
  const Model = MODELS[`${String(item["apiVersion"])}/${String(item["kind"])}`];
  if (!Model) return undefined;
  try {
    new Model(item as never).validate();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
