/**
 * What Kubernetes does, version by version, where it changes what sidecar-order may emit. One
 * small table; each row names its source. Checked against the upstream sources named, and the
 * resizePolicy row against a real kube-apiserver v1.34.4 (server-side dry run).
 */
import { atLeast, formatVersion, sameMinor, v, type Version } from "./versions";

/** A feature's stages (the version it became on by default is what the rules use). */
export interface Feature {
  gate: string;
  alpha: Version;
  /** On by default from here (beta, or GA for gates that skipped a default-on beta). */
  onByDefault: Version;
  ga?: Version;
  source: string;
}

/**
 * SidecarContainers: restartable init containers (native sidecars).
 * @see https://github.com/kubernetes/enhancements/blob/master/keps/sig-node/753-sidecar-containers/kep.yaml
 */
export const SIDECAR_CONTAINERS: Feature = {
  gate: "SidecarContainers",
  alpha: v(1, 28),
  onByDefault: v(1, 29),
  ga: v(1, 33),
  source: "KEP-753 kep.yaml (alpha v1.28, beta v1.29, stable v1.33)",
};

/** What becomes of a native sidecar on a target too old for it (nativeSidecarFate). */
export interface NativeSidecarFate {
  /** Who is too old: "the API server runs 1.28", "the kubelets run 1.27", or both. */
  who: string;
  /** What that component does with it. */
  says: string;
  /** The way out: which part of the cluster to upgrade, and which version field to raise. */
  raise: string;
  /** The config field to point at: the API server's where it is too old. */
  field: "kubernetesVersion" | "kubeletVersion";
  /** Some component is before 1.28, where no feature gate helps. */
  impossible: boolean;
}

/**
 * What becomes of a native sidecar (an init container with restartPolicy: Always) on a target too
 * old for it; undefined when every component given runs 1.29 or later. Both components are
 * judged: the API server, where the pod is refused, and the kubelets (kubelet defaults to the API
 * server's version, and a kubelet of the API server's minor version adds nothing to say). Sources,
 * at v1.29.0: pkg/api/pod/util.go `dropDisabledFields` (gate off: restartPolicy is dropped from
 * init containers) and pkg/apis/core/validation/validation.go `validateInitContainers` (an init
 * container without restartPolicy: Always "may not" have lifecycle, livenessProbe, readinessProbe
 * or startupProbe; before 1.28 none ever could). A kubelet with the gate off (or before 1.28) runs
 * any init container to completion, and a sidecar never completes.
 * @see https://kubernetes.io/releases/version-skew-policy/
 */
export function nativeSidecarFate(target: { api?: Version | undefined; kubelet?: Version | undefined }): NativeSidecarFate | undefined {
  const { api, kubelet } = target;
  const tooOld = (x: Version | undefined): x is Version => x !== undefined && !atLeast(x, SIDECAR_CONTAINERS.onByDefault);
  const beforeGate = (x: Version | undefined) => x !== undefined && !atLeast(x, SIDECAR_CONTAINERS.alpha);
  const neverExits = "runs as a plain init container that never exits, and the pod stays in Init";
  const refused = (why: string) => `rejects the workload if the init container has a startupProbe, a readinessProbe, a livenessProbe or lifecycle hooks (${why}), and otherwise it`;
  const parts: { who: string; says: string }[] = [];
  if (tooOld(api)) {
    parts.push({
      who: `the API server runs ${formatVersion(api)}`,
      says: atLeast(api, SIDECAR_CONTAINERS.alpha)
        ? `there the ${SIDECAR_CONTAINERS.gate} feature gate is off by default, and without it the API server drops restartPolicy, then ${refused("allowed only with restartPolicy: Always")} ${neverExits}`
        : `API servers before ${formatVersion(SIDECAR_CONTAINERS.alpha)} do not know restartPolicy on init containers: with strict field validation (kubectl's default) they reject it, and where it is dropped as unknown the API server ${refused("never allowed on init containers there")} ${neverExits}`,
    });
  }
  const kubeletToo = tooOld(kubelet) && !(tooOld(api) && sameMinor(api, kubelet));
  if (kubeletToo) {
    const why = atLeast(kubelet, SIDECAR_CONTAINERS.alpha) ? `the ${SIDECAR_CONTAINERS.gate} feature gate is off by default on the kubelets` : `kubelets before ${formatVersion(SIDECAR_CONTAINERS.alpha)} do not know restartPolicy on init containers`;
    parts.push({ who: `the kubelets run ${formatVersion(kubelet)}`, says: `${why}, so the kubelet ignores restartPolicy and the sidecar ${neverExits}` });
  }
  if (parts.length === 0) return undefined;
  const raise = tooOld(api)
    ? kubeletToo
      ? "upgrade the control plane and the nodes to 1.29 or later and raise kubernetesVersion and kubeletVersion"
      : "upgrade the cluster to 1.29 or later and raise kubernetesVersion"
    : "upgrade the nodes to 1.29 or later and raise kubeletVersion";
  return {
    who: parts.map((p) => p.who).join(" and "),
    says: parts.map((p) => p.says).join("; and "),
    raise,
    field: tooOld(api) ? "kubernetesVersion" : "kubeletVersion",
    impossible: beforeGate(api) || beforeGate(kubelet),
  };
}

/**
 * PodLifecycleSleepAction: the `sleep` lifecycle handler. A kubelet with the gate off does not sleep.
 * @see https://github.com/kubernetes/enhancements/blob/master/keps/sig-node/3960-pod-lifecycle-sleep-action/kep.yaml
 */
export const SLEEP_ACTION: Feature = {
  gate: "PodLifecycleSleepAction",
  alpha: v(1, 29),
  onByDefault: v(1, 30),
  ga: v(1, 34),
  source: "KEP-3960 kep.yaml (alpha v1.29, beta v1.30, stable v1.34)",
};

/**
 * InPlacePodVerticalScaling. The API server accepts `resizePolicy` on an init container only
 * when this gate is on: pod validation option AllowSidecarResizePolicy =
 * Enabled(InPlacePodVerticalScaling) (pkg/api/pod/util.go, added by kubernetes#128754 for 1.32).
 * Below 1.33 the gate is off by default, and the API server drops resizePolicy before validation
 * (dropDisabledPodFields) or, where it is kept, rejects it on init containers. A v1.34.4 API
 * server keeps it on a native sidecar (server-side dry run); test/cluster saw v1.34 emulating 1.31
 * drop it silently.
 * @see https://github.com/kubernetes/enhancements/blob/master/keps/sig-node/1287-in-place-update-pod-resources/kep.yaml
 */
export const IN_PLACE_RESIZE: Feature = {
  gate: "InPlacePodVerticalScaling",
  alpha: v(1, 27),
  onByDefault: v(1, 33),
  ga: v(1, 35),
  source: "KEP-1287 kep.yaml (alpha v1.27, beta v1.33, stable v1.35); kubernetes#128754 (AllowSidecarResizePolicy)",
};

/** Which component's version decides. */
export type Component = "kube-apiserver" | "kubelet";

/** A known Kubernetes defect that hits something sidecar-order emits or keeps. */
export interface KnownDefect {
  /** Issue or pull request numbers, e.g. "kubernetes#132826". */
  refs: string[];
  component: Component;
  /** First affected minor. */
  since: Version;
  /** The first fixed release of each affected minor; a minor not listed (and below `fixedFrom`) has no fix. */
  fixedIn: Version[];
  /** Every minor from here on is fixed. */
  fixedFrom: Version;
  /** Whether a pod spec (after sidecar-order's changes) meets the defect. */
  hits(pod: DefectPod): boolean;
  /** What goes wrong, said after "this pod". */
  says: string;
}

/** What the defect rules look at in a pod. */
export interface DefectPod {
  restartPolicy: string | undefined;
  /** Native sidecars (restartable init containers) after sidecar-order's changes. */
  nativeSidecars: { name: string; startupProbe: boolean }[];
}

export const KNOWN_DEFECTS: readonly KnownDefect[] = [
  {
    // The startup probe worker of a sidecar stops for good when the sidecar's first start fails
    // in a restartPolicy: Never pod; the restarted sidecar is never marked started.
    // Fixed by kubernetes#133072 (1.35), cherry-picked as #134801 (1.33.6) and #134800 (1.34.2);
    // the 1.32 cherry-pick (#134802) was closed unmerged (CHANGELOG-1.33.md, CHANGELOG-1.34.md).
    refs: ["kubernetes#132826"],
    component: "kubelet",
    since: SIDECAR_CONTAINERS.alpha,
    fixedIn: [v(1, 33, 6), v(1, 34, 2)],
    fixedFrom: v(1, 35),
    hits: (pod) => pod.restartPolicy === "Never" && pod.nativeSidecars.some((s) => s.startupProbe),
    says: "has restartPolicy: Never and a native sidecar with a startupProbe: if the sidecar's first start fails, the app containers never start (the sidecar's startup probe stops for good)",
  },
  {
    // Pod status validation refused a restartable init container going from terminated back to
    // running in a Never/OnFailure pod, so the kubelet could not report a restarted sidecar.
    // Fixed in 1.30; cherry-picked as kubernetes#123710 (1.28.8) and #123709 (1.29.3)
    // (CHANGELOG-1.28.md, CHANGELOG-1.29.md).
    refs: ["kubernetes#123709", "kubernetes#123710"],
    component: "kube-apiserver",
    since: SIDECAR_CONTAINERS.alpha,
    fixedIn: [v(1, 28, 8), v(1, 29, 3)],
    fixedFrom: v(1, 30),
    hits: (pod) => (pod.restartPolicy === "Never" || pod.restartPolicy === "OnFailure") && pod.nativeSidecars.length > 0,
    says: "runs to completion (restartPolicy Never or OnFailure) with a native sidecar: after a sidecar restarts, the API server refuses the kubelet's status update, so the pod's status stops following its containers",
  },
];

/** "affected", "fixed", or "unknown" (the minor is affected but the patch level is not given). */
export function defectStatus(d: KnownDefect, at: Version): "affected" | "fixed" | "unknown" {
  if (!atLeast(at, d.since) || atLeast(at, d.fixedFrom)) return "fixed";
  const fix = d.fixedIn.find((f) => f.major === at.major && f.minor === at.minor);
  if (!fix) return "affected";
  if (at.patch === undefined) return "unknown";
  return atLeast(at, fix) ? "fixed" : "affected";
}

/** "fixed in 1.33.6 and 1.34.2, and from 1.35" */
export function fixText(d: KnownDefect): string {
  const patches = d.fixedIn.map(formatVersion);
  const list = patches.length > 1 ? `${patches.slice(0, -1).join(", ")} and ${patches[patches.length - 1]!}` : patches[0];
  return `${list ? `fixed in ${list}, and ` : "fixed "}from ${formatVersion(d.fixedFrom)}`;
}
