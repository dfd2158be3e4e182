/**
 * Generated ResourceLists the function changes more often than the property suite's own
 * (resourceListText configures sidecars at random, so most of its lists leave the workloads alone,
 * and it names no target from 1.33 on): the same workloads, a config that names every sidecar the
 * generator makes, no sidecar-order.dev/skip annotation, and targets on both sides of 1.33
 * (resizePolicy kept or removed).
 */
import fc from "fast-check";
import { printList, workload } from "../../properties/generators";

export const EVERY_SIDECAR = [
  ...["istio", "linkerd", "cloud-sql-proxy", "consul", "dapr", "opentelemetry", "vault", "kuma"].map((preset) => ({ preset })),
  { name: "envoy", wait: { exec: ["/wait", "--timeout=30s"] } },
  { name: "log-shipper" },
];

/** A copy without sidecar-order.dev/skip annotations. */
function unskip(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(unskip);
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(Object.entries(node).filter(([k]) => k !== "sidecar-order.dev/skip").map(([k, v]) => [k, unskip(v)]));
}

export const changingListText: fc.Arbitrary<string> = fc
  .record({
    items: fc.array(workload, { minLength: 1, maxLength: 4 }),
    strategy: fc.constantFrom("auto", "native", "legacy"),
    kubernetesVersion: fc.option(fc.constantFrom("1.29", "1.31", "1.33", "1.34"), { nil: undefined }),
    onConflict: fc.constantFrom("keep", "replace"),
    allowLegacyJobs: fc.boolean(),
    raiseGracePeriod: fc.boolean(),
    comments: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
    wide: fc.boolean(),
  })
  .map(({ items, strategy, kubernetesVersion, onConflict, allowLegacyJobs, raiseGracePeriod, comments, wide }) => {
    const cfg = {
      apiVersion: "fn.sidecar-order.dev/v1alpha1",
      kind: "SidecarOrder",
      metadata: { name: "cfg" },
      strategy,
      ...(kubernetesVersion ? { kubernetesVersion } : {}),
      sidecars: EVERY_SIDECAR,
      onConflict,
      allowLegacyJobs,
      shutdown: { raiseGracePeriod },
    };
    return printList(items.map((i) => unskip(i) as typeof i), cfg, comments, wide);
  });
