/**
 * Kuma's data plane proxy (`kuma-sidecar`, image kuma-dp).
 * @see https://kuma.io/docs/latest/reference/kubernetes-annotations/
 */
import { everySecond, type Preset } from "./types";

export const kuma: Preset = {
  name: "kuma",
  title: "Kuma data plane",
  containerNames: ["kuma-sidecar"],
  images: ["*/kuma-dp:*", "*/kuma-dp"],
  adminPort: 9902,
  wait: ({ adminPort }) => ({ value: ["kuma-dp", "wait", "--url", `http://localhost:${adminPort}/ready`] }),
  startupProbe: ({ adminPort, timeoutSeconds }) => ({ value: everySecond({ httpGet: { path: "/ready", port: adminPort } }, timeoutSeconds) }),
  stop: "drains on SIGTERM",
  jobExit: "have the app stop the data plane through Envoy's admin API when it is done",
  sleepBinary: () => undefined,
  stopAfterApp: false,
  initContainersBefore: ["kuma-init"],
  initContainersAfter: ["vault-agent-init"],
  webhook: {
    inject: [{ key: "kuma.io/sidecar-injection", values: ["enabled", "true"], on: "either" }],
    legacy: { key: "kuma.io/wait-for-dataplane-ready", value: "true" },
    native: { none: "Kuma turns native sidecars on in its control plane, not per pod" },
  },
};
