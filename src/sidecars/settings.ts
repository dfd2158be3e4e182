/** What sidecar-order needs to know about one sidecar, resolved from its config entry. */
import type { SidecarSpec } from "../config/schema";
import type { Probe } from "../pod/types";

/** Default for how long the app may wait for a sidecar. */
export const DEFAULT_TIMEOUT_SECONDS = 120;

export interface SidecarSettings {
  /** Legacy wait command (postStart exec); also gates a native sidecar that has no probe. */
  wait?: string[];
  timeoutSeconds: number;
  /** startupProbe for a native sidecar that has none. */
  startupProbe?: Probe;
  initContainersBefore: string[];
  initContainersAfter: string[];
}

export function settingsOf(spec: SidecarSpec | undefined): SidecarSettings {
  const s: SidecarSettings = {
    timeoutSeconds: spec?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    initContainersBefore: spec?.initContainersBefore ?? [],
    initContainersAfter: spec?.initContainersAfter ?? [],
  };
  if (spec?.wait) s.wait = [...spec.wait.exec];
  if (spec?.startupProbe) s.startupProbe = spec.startupProbe as Probe;
  return s;
}
