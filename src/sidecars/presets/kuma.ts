/**
 * Kuma's data plane proxy (`kuma-sidecar`, image kuma-dp).
 * @see https://kuma.io/docs/latest/reference/kubernetes-annotations/
 */
import { commandHead, everySecond, seconds, type Preset } from "./types";

export const kuma: Preset = {
  name: "kuma",
  title: "Kuma data plane",
  containerNames: ["kuma-sidecar"],
  images: ["*/kuma-dp:*", "*/kuma-dp"],
  adminPort: 9902,
  // kuma-dp's own wait gives up after --timeout (default 180s); its readiness endpoint is /ready on
  // 9902 when Envoy's admin API is on a Unix socket (the default), else on the admin port 9901.
  wait: ({ adminPort, timeoutSeconds }) => ({ value: ["kuma-dp", "wait", "--url", `http://localhost:${adminPort}/ready`, `--timeout=${seconds(timeoutSeconds)}`] }),
  isWait: (command) => {
    const [bin, sub] = commandHead(command);
    return bin === "kuma-dp" && sub === "wait";
  },
  startupProbe: ({ adminPort, timeoutSeconds }) => ({ value: everySecond({ httpGet: { path: "/ready", port: adminPort } }, timeoutSeconds) }),
  stop: "drains on SIGTERM",
  jobExit: "Kuma documents no way for the app to stop kuma-dp, so run such Jobs with native sidecars",
  sleepBinary: () => undefined,
  stopAfterApp: false,
  initContainersBefore: ["kuma-init"],
  initContainersAfter: ["vault-agent-init"],
  webhook: {
    inject: [{ key: "kuma.io/sidecar-injection", values: ["enabled", "true"], on: "either" }],
    legacy: { key: "kuma.io/wait-for-dataplane-ready", value: "true" },
    native: { none: "Kuma has no per-pod switch for native sidecars: its injector makes kuma-sidecar native by itself on Kubernetes 1.29 and later" },
  },
};
