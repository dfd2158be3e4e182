/**
 * Which strategy a workload gets. `auto` picks native sidecars when both the API server and the
 * oldest kubelet are at nativeMinVersion or later, legacy otherwise; with no version given it
 * assumes a currently supported Kubernetes (every supported release has native sidecars on).
 * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
 */
import type { Config } from "../config/schema";
import type { Severity } from "../krm/results";
import { atLeast, formatVersion, laterMinor, oldest as oldestOf, parseVersion, sameMinor, targetVersions, type Version } from "../facts/versions";
import { SIDECAR_CONTAINERS, nativeSidecarFate } from "../facts/kubernetes";

export type Strategy = "legacy" | "native";

export { atLeast, parseVersion, type Version } from "../facts/versions";

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
      message: `${what} makes native sidecars, which need Kubernetes ${formatVersion(SIDECAR_CONTAINERS.onByDefault)} or later${gate}, but ${fate.who}: ${fate.says}; ${instead}, or ${fate.raise}`,
    },
  ];
}

/** The run-wide choice, plus notes about the versions (an error stops the run). */
export function chooseStrategy(config: Config): { choice: Choice; notes: ConfigNote[] } {
  const notes: ConfigNote[] = [];
  // The versions every rule goes by (a kubelet newer than its API server taken for the API server's).
  const { api, kubelet } = targetVersions(config);
  const min = parseVersion(config.nativeMinVersion);
  const oldest = oldestOf({ api, kubelet });

  // Kubernetes' version skew policy: a kubelet is never newer than its API server.
  const said = config.kubeletVersion ? parseVersion(config.kubeletVersion) : undefined;
  if (api && said && laterMinor(said, api)) {
    notes.push({
      severity: "warning",
      field: "kubeletVersion",
      message: `kubeletVersion ${formatVersion(said)} is newer than kubernetesVersion ${formatVersion(api)}, which Kubernetes' version skew policy does not allow (a kubelet may be older than the API server, never newer), so one of them is likely wrong; sidecar-order goes by the older, ${formatVersion(api)}, for the kubelets too`,
    });
  }

  // Only auto reads nativeMinVersion: a threshold set beside another strategy is a no-op, said.
  if (config.strategy !== "auto" && (min === undefined || formatVersion(min) !== formatVersion(SIDECAR_CONTAINERS.onByDefault))) {
    notes.push({ severity: "warning", field: "nativeMinVersion", message: `nativeMinVersion ${config.nativeMinVersion} is read only by strategy auto, and the strategy is ${config.strategy}, so it changes nothing; remove it, or set strategy: auto` });
  }
  const fate = nativeSidecarFate({ api, kubelet });
  const needs = fate && `they need Kubernetes ${formatVersion(SIDECAR_CONTAINERS.onByDefault)} or later: ${fate.raise}`;
  if (config.strategy === "legacy") return { choice: { strategy: "legacy", assumed: false, reason: "strategy: legacy", toNative: needs ?? "set strategy: auto or native" }, notes };

  if (config.strategy === "native") {
    notes.push(...nativeVersionNotes(api, kubelet, "strategy: native", "use strategy: auto or legacy"));
    return { choice: { strategy: "native", assumed: false, reason: "strategy: native" }, notes };
  }

  if (!oldest) {
    return {
      choice: { strategy: "native", assumed: true, reason: `no kubernetesVersion was given, so a currently supported Kubernetes (${formatVersion(min)} or later) was assumed` },
      notes,
    };
  }
  if (atLeast(oldest, min)) {
    // nativeMinVersion may be set low, but the API server's rules are the same as for strategy: native.
    notes.push(...nativeVersionNotes(api, kubelet, `strategy auto with nativeMinVersion ${config.nativeMinVersion}`, `raise nativeMinVersion to ${formatVersion(SIDECAR_CONTAINERS.onByDefault)}, or set strategy: legacy`));
    return { choice: { strategy: "native", assumed: false, reason: `the target runs ${formatVersion(oldest)}, at least ${formatVersion(min)}` }, notes };
  }
  const kubeletBelow = kubelet && api && !atLeast(kubelet, min) && !sameMinor(kubelet, api);
  const which = !kubeletBelow ? `Kubernetes ${formatVersion(oldest)} is` : atLeast(api!, min) ? `the kubelets (${formatVersion(kubelet)}) are` : `the API server (${formatVersion(api!)}) and the kubelets (${formatVersion(kubelet)}) are`;
  // Native sidecars start at 1.29: a nativeMinVersion set otherwise is the config's own threshold.
  const threshold = atLeast(min, SIDECAR_CONTAINERS.onByDefault) && atLeast(SIDECAR_CONTAINERS.onByDefault, min) ? `${formatVersion(min)}, where native sidecars start` : `nativeMinVersion ${formatVersion(min)}`;
  const toNative = needs ?? `lower nativeMinVersion to ${formatVersion(oldest)}, or set strategy: native`;
  return { choice: { strategy: "legacy", assumed: false, reason: `${which} older than ${threshold}`, toNative }, notes };
}
