/**
 * The functionConfig schema: the one source of truth for every option. Types, the JSON Schema in
 * fn-config/ and the README's FunctionConfig table are all derived from it.
 */
import { z } from "zod";

export const API_VERSION = "fn.sidecar-order.dev/v1alpha1";
export const KIND = "SidecarOrder";

const command = z.array(z.string().min(1)).min(1);

/**
 * How sidecar-order waits for a sidecar to be ready.
 * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
 */
export const waitSchema = z.strictObject({
  /**
   * A command run inside the sidecar's own image that returns only once the sidecar is ready
   * (and gives up after its own timeout). Becomes the sidecar's `lifecycle.postStart.exec`.
   * @default none: the sidecar is still ordered first, with a warning that the app races it
   * @see https://kubernetes.io/docs/tasks/configure-pod-container/attach-handler-lifecycle-event/
   */
  exec: command.describe(
    "Command run in the sidecar's image that returns once the sidecar is ready; becomes lifecycle.postStart.exec.command. It must time out on its own.",
  ),
});

/** One sidecar: how to recognise it among a pod's containers and how to wait for it. */
export const sidecarSchema = z
  .strictObject({
    /**
     * The container name to match.
     * @default none (match by image only)
     */
    name: z.string().min(1).optional().describe("Container name to match."),
    /**
     * An image glob to match (`*` matches any run of characters, `/` included).
     * @default none (match by name only)
     * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
     */
    image: z.string().min(1).optional().describe("Image glob to match; * matches any run of characters, / included."),
    /**
     * How to wait until the sidecar is ready.
     * @default none
     */
    wait: waitSchema.optional().describe("How to wait until the sidecar is ready."),
  })
  .refine((s) => s.name !== undefined || s.image !== undefined, {
    message: "a sidecar needs a `name` or an `image` to match containers by",
  });

export const configSchema = z.strictObject({
  /**
   * How sidecars are ordered. `legacy`: the sidecar goes first in `spec.containers` with a
   * postStart hook that blocks until it is ready.
   * @default "legacy"
   * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
   */
  strategy: z.enum(["legacy"]).default("legacy").describe("How sidecars are ordered: legacy (first in spec.containers with a blocking postStart hook)."),
  /**
   * The sidecars to order, matched against each pod template's containers.
   * @default []
   */
  sidecars: z.array(sidecarSchema).default([]).describe("The sidecars to order, matched against each pod template's containers."),
  /**
   * What to do when a sidecar already has a different postStart hook: `keep` it (warning),
   * `replace` it (info), or refuse the workload (`error`).
   * @default "keep"
   * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
   */
  onConflict: z
    .enum(["keep", "replace", "error"])
    .default("keep")
    .describe("When a sidecar already has a different postStart hook: keep it (warning), replace it (info), or error."),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type SidecarSpec = z.output<typeof sidecarSchema>;

/** Keys of the typed form that are not options. */
export const ENVELOPE_KEYS = ["apiVersion", "kind", "metadata"] as const;
