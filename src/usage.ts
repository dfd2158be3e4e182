/** One paragraph about the function, for the kpt SDK's usage field and --help's first lines. */
export const USAGE_SHORT =
  "sidecar-order makes the sidecars of Kubernetes workloads start before the app containers (and, natively, stop after them): " +
  "native sidecars (an init container with restartPolicy: Always gated by a startupProbe) where the cluster has them, else the " +
  "sidecar first in spec.containers with a postStart hook that waits until it is ready. Config: kind SidecarOrder " +
  "(apiVersion fn.sidecar-order.dev/v1alpha1) or a ConfigMap.";
