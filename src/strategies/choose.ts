/**
 * Which strategy a workload gets. `auto` picks native sidecars when both the API server and the
 * oldest kubelet are at nativeMinVersion or later, legacy otherwise; with no version given it
 * assumes a currently supported Kubernetes (every supported release has native sidecars on).
 * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
 */
import type { Config } from "../config/schema";
import type { Severity } from "../krm/results";
import { atLeast, parseVersion, type Version } from "../facts/versions";
import { SIDECAR_CONTAINERS } from "../facts/kubernetes";

export type Strategy = "legacy" | "native";

export { atLeast, parseVersion, type Version } from "../facts/versions";

const fmt = (v: Version) => `${v.major}.${v.minor}`;

export interface Choice {
  strategy: Strategy;
  /** True when auto had no version to go on and assumed a supported Kubernetes. */
  assumed: boolean;
  /** Why, in a sentence, for messages. */
  reason: string;
}

export interface ConfigNote {
  severity: Severity;
  message: string;
  field: string;
}

/** Native sidecars below 1.28 are an error (the API server rejects or drops them); on 1.28 a warning. */
export function nativeVersionNotes(oldest: Version, api: Version | undefined, what: string): ConfigNote[] {
  const field = api && oldest === api ? "kubernetesVersion" : "kubeletVersion";
  if (!atLeast(oldest, SIDECAR_CONTAINERS.alpha)) {
    return [
      {
        severity: "error",
        field,
        message: `${what} needs Kubernetes 1.28 or later (SidecarContainers; on by default from 1.29), but the target is ${fmt(oldest)}: older API servers reject or drop restartPolicy on init containers and the pod would hang in Init; use strategy: auto or legacy, or raise the version`,
      },
    ];
  }
  if (!atLeast(oldest, SIDECAR_CONTAINERS.onByDefault)) {
    return [
      {
        severity: "warning",
        field,
        message: `${what} on Kubernetes 1.28 needs the SidecarContainers feature gate, which is off by default there; without it the API server drops restartPolicy and the sidecar runs as a plain init container that never exits`,
      },
    ];
  }
  return [];
}

/** The run-wide choice, plus notes about the versions (an error stops the run). */
export function chooseStrategy(config: Config): { choice: Choice; notes: ConfigNote[] } {
  const notes: ConfigNote[] = [];
  const api = config.kubernetesVersion ? parseVersion(config.kubernetesVersion) : undefined;
  const kubelet = config.kubeletVersion ? parseVersion(config.kubeletVersion) : api;
  const min = parseVersion(config.nativeMinVersion);
  const oldest = api && kubelet ? (atLeast(api, kubelet) ? kubelet : api) : (api ?? kubelet);

  if (config.strategy === "legacy") return { choice: { strategy: "legacy", assumed: false, reason: "strategy: legacy" }, notes };

  if (config.strategy === "native") {
    if (oldest) notes.push(...nativeVersionNotes(oldest, api, "strategy: native"));
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
    if (!atLeast(oldest, SIDECAR_CONTAINERS.onByDefault)) notes.push(...nativeVersionNotes(oldest, api, "strategy auto with nativeMinVersion " + config.nativeMinVersion));
    return { choice: { strategy: "native", assumed: false, reason: `the target runs ${fmt(oldest)}, at least ${fmt(min)}` }, notes };
  }
  const which = kubelet && api && !atLeast(kubelet, min) && atLeast(api, min) ? `the kubelets (${fmt(kubelet)}) are` : `Kubernetes ${fmt(oldest)} is`;
  return { choice: { strategy: "legacy", assumed: false, reason: `${which} older than ${fmt(min)}, where native sidecars start` }, notes };
}
