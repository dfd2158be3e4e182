/**
 * sidecar-order as a `KptFunc` of the kpt TypeScript SDK (`kpt-functions`), for pipelines built on
 * it. The SDK's own wire handling re-sorts items, drops duplicates and loses comments, and its
 * Result type spells severity `warn` and calls the proposed value `suggestedValue`: this adapter
 * maps to those names. The standalone executable does not go through the SDK.
 */
import type { Configs, KptFunc, KubernetesObject, Result as SdkResult } from "kpt-functions";
import { USAGE_SHORT } from "../usage";
import { transformObjects } from "../library";
import type { Result } from "../krm/results";

export function toSdkResult(r: Result): SdkResult {
  const out: SdkResult = { severity: r.severity === "warning" ? "warn" : r.severity, message: r.message };
  if (r.resourceRef) out.resourceRef = { ...r.resourceRef, namespace: r.resourceRef.namespace ?? "" };
  if (r.file) out.file = { ...r.file };
  if (r.field) {
    out.field = { path: r.field.path };
    if (r.field.currentValue !== undefined) out.field.currentValue = r.field.currentValue as never;
    if (r.field.proposedValue !== undefined) out.field.suggestedValue = r.field.proposedValue as never;
  }
  if (r.tags) out.tags = r.tags;
  return out;
}

export const sidecarOrder: KptFunc = Object.assign(
  async (configs: Configs): Promise<void> => {
    const { objects, results } = transformObjects<KubernetesObject>(configs.getAll(), configs.getFunctionConfig());
    configs.deleteAll();
    configs.insert(...objects);
    configs.addResults(...results.map(toSdkResult));
  },
  { usage: USAGE_SHORT },
);
