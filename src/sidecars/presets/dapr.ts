/**
 * Dapr's sidecar (`daprd`).
 * @see https://docs.dapr.io/reference/arguments-annotations-overview/
 */
import { everySecond, type Preset } from "./types";

export const dapr: Preset = {
  name: "dapr",
  title: "Dapr sidecar",
  containerNames: ["daprd"],
  images: ["*/daprd:*", "*/daprd", "*/dapr/daprd*"],
  // daprd's public health port, which listens beyond localhost for the kubelet (the API on 3500
  // listens on localhost only in Kubernetes); it serves both health endpoints.
  adminPort: 3501,
  wait: () => ({ none: "daprd has no wait command; the app itself must poll GET localhost:3500/v1.0/healthz/outbound before it uses Dapr" }),
  // No startupProbe upstream. Not /v1.0/healthz: that waits for the app channel, i.e. for the app,
  // which a native sidecar holds back: the pod would never start. /outbound waits for daprd only.
  startupProbe: ({ adminPort, timeoutSeconds }) => ({ value: everySecond({ httpGet: { path: "/v1.0/healthz/outbound", port: adminPort } }, timeoutSeconds) }),
  stop: "POST localhost:3500/v1.0/shutdown, or SIGTERM",
  jobExit: "have the app call `curl -fsS -X POST http://localhost:3500/v1.0/shutdown` when it is done",
  sleepBinary: () => undefined,
  stopAfterApp: false,
  initContainersBefore: [],
  initContainersAfter: [],
  webhook: {
    inject: [{ key: "dapr.io/enabled", values: ["true"], on: "annotation" }],
    legacy: { none: "Dapr has no switch that holds the app until daprd is ready; the app must poll /v1.0/healthz/outbound" },
    native: { key: "dapr.io/enable-native-sidecar", value: "true" },
  },
};
