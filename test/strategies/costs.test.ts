/**
 * What a conversion costs (issue: resources, the shutdown budget): whole documents in and out,
 * with the figures and the budget arithmetic in the results.
 */
import { describe, expect, it } from "vitest";
import { resourceList, runChecked, typedConfig } from "../support/resource-list";
import { checkRow, type Row } from "../support/table";

const native = (extra = "", sidecars = "- name: proxy\n") => typedConfig(`strategy: native\nkubernetesVersion: "1.31"\n${extra}sidecars:\n${sidecars}`);

const GROW = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
      - name: migrate
        image: migrate
        resources:
          requests: {cpu: "1", memory: 512Mi}
      containers:
      - name: app
        image: app
        resources:
          requests: {cpu: 500m, memory: 256Mi}
      - name: proxy
        image: envoy
        startupProbe: {tcpSocket: {port: 9901}}
        resources:
          requests: {cpu: 100m}
`;
const BUDGET = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    proxy.istio.io/config: |
      terminationDrainDuration: 20s
spec:
  containers:
  - name: app
    image: app
    lifecycle:
      preStop: {sleep: {seconds: 5}}
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
`;

const rows: Row[] = [
  {
    name: "a native sidecar ahead of a plain init container: the figure grows, the culprit and the fix are named, the sidecar without a memory request is warned about",
    config: native(),
    in: GROW,
    out: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
      - name: proxy
        image: envoy
        startupProbe: {tcpSocket: {port: 9901}}
        resources:
          requests: {cpu: 100m}
        restartPolicy: Always
      - name: migrate
        image: migrate
        resources:
          requests: {cpu: "1", memory: 512Mi}
      containers:
      - name: app
        image: app
        resources:
          requests: {cpu: 500m, memory: 256Mi}
`,
    info: [/^moved sidecar "proxy"/, /^changed the effective pod resources \(what the scheduler reserves\): requests cpu 1 → 1100m, memory 512Mi; limits none$/],
    warnings: [
      /^the pod's effective cpu grew: init container "migrate" now runs beside native sidecar "proxy", so the scheduler reserves both at once \(cpu 1, memory 512Mi → cpu 1100m, memory 512Mi requested\); to avoid it, let "migrate" run before the sidecars \(initContainersBefore/,
      /^sidecar "proxy" has no memory request while the pod's other containers have one/,
    ],
  },
  {
    name: "initContainersBefore keeps the init container ahead of the sidecar: no growth",
    config: native("", "- name: proxy\n  initContainersBefore: [migrate]\n"),
    in: GROW,
    out: GROW.replace("      initContainers:\n      - name: migrate", "      initContainers:\n      - name: migrate").replace(/      containers:\n      - name: app\n        image: app\n        resources:\n          requests: \{cpu: 500m, memory: 256Mi\}\n      - name: proxy\n        image: envoy\n        startupProbe: \{tcpSocket: \{port: 9901\}\}\n        resources:\n          requests: \{cpu: 100m\}\n/, "      - name: proxy\n        image: envoy\n        startupProbe: {tcpSocket: {port: 9901}}\n        resources:\n          requests: {cpu: 100m}\n        restartPolicy: Always\n      containers:\n      - name: app\n        image: app\n        resources:\n          requests: {cpu: 500m, memory: 256Mi}\n"),
    info: [/^moved sidecar "proxy"/, /^effective pod resources \(what the scheduler reserves\) are unchanged: requests cpu 1, memory 512Mi; limits none$/],
    warnings: [/^sidecar "proxy" has no memory request/],
  },
  {
    name: "the native shutdown budget: the app's preStop and stop, then Istio's terminationDrainDuration, raised into the grace period",
    config: native("shutdown: {raiseGracePeriod: true}\n", "- preset: istio\n"),
    in: BUDGET,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    proxy.istio.io/config: |
      terminationDrainDuration: 20s
spec:
  initContainers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    restartPolicy: Always
    startupProbe:
      httpGet:
        path: /healthz/ready
        port: 15021
      periodSeconds: 1
      failureThreshold: 120
    lifecycle:
      preStop:
        exec:
          command:
          - pilot-agent
          - request
          - --debug-port=15020
          - POST
          - drain
  containers:
  - name: app
    image: app
    lifecycle:
      preStop: {sleep: {seconds: 5}}
  terminationGracePeriodSeconds: 45
`,
    info: [/raised terminationGracePeriodSeconds from 30 to 45 s: native sidecars stop after the app, one after another, on the same clock \(the app's 5 s preStop \+ 15 s stop \(shutdown.appSeconds\), then "istio-proxy" 20 s terminationDrainDuration, plus a 5 s margin, come to 45 s\)$/],
  },
];

describe("what a conversion costs", () => {
  for (const row of rows) it(row.name, () => checkRow(row, native()));

  it("without raiseGracePeriod, the budget is a warning with the numbers and the fix", () => {
    const out = runChecked(resourceList([BUDGET], native("", "- preset: istio\n")));
    const warnings = out.results.filter((r) => r.severity === "warning");
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^terminationGracePeriodSeconds \(30 s\) is too short for the shutdown: .* come to 45 s; what does not fit is killed\. Raise terminationGracePeriodSeconds to 45, or set shutdown.raiseGracePeriod: true$/)]);
    expect(warnings[0]!.field).toEqual({ path: "spec.terminationGracePeriodSeconds", proposedValue: 45 });
  });

  it("a sidecar's preStop runs beside the app's: it counts only where it outlasts the app's whole stop", () => {
    const pod = (seconds: number) => `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
    lifecycle:
      preStop: {sleep: {seconds: ${seconds}}}
`;
    const budget = (seconds: number) => runChecked(resourceList([pod(seconds)], native())).results.filter((r) => r.message.startsWith("terminationGracePeriodSeconds"));
    expect(budget(10)).toEqual([]);
    expect(budget(40).map((r) => r.message)).toEqual([expect.stringMatching(/the sidecars' 40 s preStop \(longer than the app's 15 s stop \(shutdown.appSeconds\)\), plus a 5 s margin, come to 45 s/)]);
  });

  it("check mode reports the same figures as proposed changes", () => {
    const out = runChecked(resourceList([GROW], native("mode: check\n")));
    const info = out.results.find((r) => r.message.startsWith("would change the effective pod resources"));
    expect(info?.field).toEqual({
      path: "spec.template.spec",
      currentValue: { requests: { cpu: "1", memory: "512Mi" }, limits: {} },
      proposedValue: { requests: { cpu: "1100m", memory: "512Mi" }, limits: {} },
    });
    expect(out.results.some((r) => r.message.startsWith("the pod's effective cpu would grow"))).toBe(true);
  });
});
