/**
 * What the target's versions do to a pod as the plan leaves it: native sidecars the cluster is too
 * old for, and known Kubernetes defects in the releases the config names (src/facts/kubernetes.ts).
 * Only said where the config gives the versions.
 */
import { KNOWN_DEFECTS, SIDECAR_CONTAINERS, defectStatus, fixText, nativeSidecarFate, type DefectPod } from "../facts/kubernetes";
import { formatVersion, type TargetVersions } from "../facts/versions";
import type { PodTemplateView } from "../pod/types";
import { editAt, type Plan } from "./plan";

export function planVersionRisks(plan: Plan, template: PodTemplateView, target: TargetVersions): void {
  const pod = podAfter(plan, template);
  const fate = nativeSidecarFate(target);
  if (fate) {
    // Before 1.28 no feature gate helps: as much an error as strategy: native is there.
    for (const name of pod.wereNative) {
      plan.notes.push({
        severity: fate.impossible ? "error" : "warning",
        target: { list: "initContainers", name },
        path: ["restartPolicy"],
        message: `"${name}" is a native sidecar (an init container with restartPolicy: Always), which needs Kubernetes ${formatVersion(SIDECAR_CONTAINERS.onByDefault)} or later, but ${fate.who}: ${fate.says}; move it to spec.containers, or ${fate.raise}${fate.impossible ? "; the workload was left as it is" : ""}`,
      });
    }
    // The known defects of native sidecars are moot where they cannot run at all (on 1.28 a
    // feature gate may be on, and the defects of those releases count).
    if (fate.impossible) return;
  }
  for (const d of KNOWN_DEFECTS) {
    const at = d.component === "kubelet" ? target.kubelet : target.api;
    if (!at || !d.hits(pod)) continue;
    const status = defectStatus(d, at);
    if (status === "fixed") continue;
    const fixed = d.fixedIn.find((f) => f.major === at.major && f.minor === at.minor);
    const when = status === "unknown" && fixed ? ` unless every ${d.component} runs ${formatVersion(fixed)} or later` : "";
    plan.notes.push({
      severity: "warning",
      target: "template",
      path: ["spec"],
      message: `a known Kubernetes defect (${d.refs.join(", ")}) hits this pod on ${d.component} ${formatVersion(at)}${when}: the pod ${d.says}; it is ${fixText(d)}, so upgrade the ${d.component === "kubelet" ? "nodes" : "control plane"} to a fixed release`,
    });
  }
}

/** The pod's native sidecars once the plan is carried out, and which of them were native before. */
function podAfter(plan: Plan, template: PodTemplateView): DefectPod & { wereNative: string[] } {
  const init = plan.order ? plan.order.initContainers.map((slot) => template.spec[slot.from][slot.index]!) : template.spec.initContainers;
  const nativeSidecars: DefectPod["nativeSidecars"] = [];
  const wereNative: string[] = [];
  for (const c of init) {
    const policy = editAt(plan, c.name, "restartPolicy")?.value ?? c.restartPolicy;
    if (policy !== "Always") continue;
    if (c.restartPolicy === "Always") wereNative.push(c.name);
    const probe = editAt(plan, c.name, "startupProbe");
    nativeSidecars.push({ name: c.name, startupProbe: probe ? probe.value !== undefined : c.startupProbe !== undefined });
  }
  return { restartPolicy: template.spec.restartPolicy, nativeSidecars, wereNative };
}
