/**
 * Which strategy a workload gets. `auto` picks native sidecars when both the API server and the
 * oldest kubelet are at nativeMinVersion or later, legacy otherwise; with no version given it
 * assumes a currently supported Kubernetes (every supported release has native sidecars on).
 * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
 */
import type { Config } from "../config/schema";
import type { Severity } from "../krm/results";
import { atLeast, formatVersion, parseVersion, type Version } from "../facts/versions";
import { SIDECAR_CONTAINERS, nativeSidecarFate } from "../facts/kubernetes";

export type Strategy = "legacy" | "native";

export { atLeast, parseVersion, type Version } from "../facts/versions";

const fmt = (v: Version) => `${v.major}.${v.minor}`;

export interface Choice {
  strategy: Strategy;
  /** True when auto had no version to go on and assumed a supported Kubernetes. */
  assumed: boolean;
  /** Why, in a sentence, for messages. */
  reason: string;
  /** With legacy: what would give native sidecars instead, for messages. */
  toNative?: string;
}

export interface ConfigNote {
  severity: Severity;
  message: string;
  field: string;
}

/**
 * Native sidecars where the API server or the kubelets are before 1.28 are an error (refused, or a
 * pod that never starts); on 1.28, where a feature gate may be on, a warning. `instead`: the other
 * way, in the config's terms.
 */
export function nativeVersionNotes(api: Version | undefined, kubelet: Version | undefined, what: string, instead: string): ConfigNote[] {
  const fate = nativeSidecarFate({ api, kubelet });
  if (!fate) return [];
  const gate = fate.impossible ? "" : ` (on 1.28 only where the ${SIDECAR_CONTAINERS.gate} feature gate is turned on)`;
  return [
    {
      severity: fate.impossible ? "error" : "warning",
      field: fate.field,
      message: `${what} makes native sidecars, which need Kubernetes ${fmt(SIDECAR_CONTAINERS.onByDefault)} or later${gate}, but ${fate.who}: ${fate.says}; ${instead}, or ${fate.raise}`,
    },
  ];
}

/** The run-wide choice, plus notes about the versions (an error stops the run). */
export function chooseStrategy(config: Config): { choice: Choice; notes: ConfigNote[] } {
  const notes: ConfigNote[] = [];
  const api = config.kubernetesVersion ? parseVersion(config.kubernetesVersion) : undefined;
  const kubelet = config.kubeletVersion ? parseVersion(config.kubeletVersion) : api;
  const min = parseVersion(config.nativeMinVersion);
  const oldest = api && kubelet ? (atLeast(api, kubelet) ? kubelet : api) : (api ?? kubelet);

  // Kubernetes' version skew policy: a kubelet is never newer than its API server.
  const minor = (x: Version) => ({ major: x.major, minor: x.minor });
  if (api && kubelet && config.kubeletVersion && !atLeast(minor(api), minor(kubelet))) {
    notes.push({
      severity: "warning",
      field: "kubeletVersion",
      message: `kubeletVersion ${formatVersion(kubelet)} is newer than kubernetesVersion ${formatVersion(api)}, which Kubernetes' version skew policy does not allow (a kubelet may be older than the API server, never newer), so one of them is likely wrong; sidecar-order goes by the older, ${formatVersion(api)}, for the kubelets too`,
    });
  }

  const fate = nativeSidecarFate({ api, kubelet });
  const needs = fate && `they need Kubernetes ${fmt(SIDECAR_CONTAINERS.onByDefault)} or later: ${fate.raise}`;
  if (config.strategy === "legacy") return { choice: { strategy: "legacy", assumed: false, reason: "strategy: legacy", toNative: needs ?? "set strategy: auto or native" }, notes };

  if (config.strategy === "native") {
    notes.push(...nativeVersionNotes(api, kubelet, "strategy: native", "use strategy: auto or legacy"));
    return { choice: { strategy: "native", assumed: false, reason: "strategy: native" }, notes };
  }

  if (!oldest) {
    return {
      choice: { strategy: "native", assumed: true, reason: `no kubernetesVersion was given, so a currently supported Kubernetes (${fmt(min)} or later) was assumed` },
      notes,
    };
  }
  if (atLeast(oldest, min)) {
    // nativeMinVersion may be set low, but the API server's rules are the same as for strategy: native.
    notes.push(...nativeVersionNotes(api, kubelet, `strategy auto with nativeMinVersion ${config.nativeMinVersion}`, `raise nativeMinVersion to ${fmt(SIDECAR_CONTAINERS.onByDefault)}, or set strategy: legacy`));
    return { choice: { strategy: "native", assumed: false, reason: `the target runs ${fmt(oldest)}, at least ${fmt(min)}` }, notes };
  }
  const kubeletBelow = kubelet && api && !atLeast(kubelet, min) && !(kubelet.major === api.major && kubelet.minor === api.minor);
  const which = !kubeletBelow ? `Kubernetes ${fmt(oldest)} is` : atLeast(api!, min) ? `the kubelets (${fmt(kubelet)}) are` : `the API server (${fmt(api!)}) and the kubelets (${fmt(kubelet)}) are`;
  // Native sidecars start at 1.29: a nativeMinVersion set otherwise is the config's own threshold.
  const threshold = min.major === SIDECAR_CONTAINERS.onByDefault.major && min.minor === SIDECAR_CONTAINERS.onByDefault.minor ? `${fmt(min)}, where native sidecars start` : `nativeMinVersion ${fmt(min)}`;
  const toNative = needs ?? `lower nativeMinVersion to ${fmt(oldest)}, or set strategy: native`;
  return { choice: { strategy: "legacy", assumed: false, reason: `${which} older than ${threshold}`, toNative }, notes };
}
