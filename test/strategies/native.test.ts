/** The native strategy, as whole YAML documents in and out. */
import { describe, expect, it } from "vitest";
import { resourceList, runChecked, typedConfig } from "../support/resource-list";
import { checkRow, type Row } from "../support/table";

const config = (extra = "", sidecar = "- name: proxy\n") => typedConfig(`strategy: native\n${extra}sidecars:\n${sidecar}`);

const rows: Row[] = [
  {
    name: "takes resizePolicy off a sidecar it moves (the API server rejects it on init containers), with a warning",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: proxy
    image: envoy
    resizePolicy:
    - resourceName: cpu
      restartPolicy: NotRequired
    startupProbe:
      tcpSocket: {port: 9901}
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: proxy
    image: envoy
    startupProbe:
      tcpSocket: {port: 9901}
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/moved sidecar "proxy" to spec.initContainers.*removed the resizePolicy of "proxy" \(init containers may not set it\)/],
    warnings: [/sidecar "proxy" cannot keep its resizePolicy as a native sidecar/],
  },
  {
    name: "moves the sidecar into initContainers with restartPolicy Always and a startupProbe derived from its readinessProbe",
    in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: app
      # the proxy, with its comment
      - name: proxy # inline
        image: envoy
        readinessProbe:
          httpGet:
            path: /ready
            port: 9901
          timeoutSeconds: 2
          periodSeconds: 10
`,
    out: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
      # the proxy, with its comment
      - name: proxy # inline
        image: envoy
        readinessProbe:
          httpGet:
            path: /ready
            port: 9901
          timeoutSeconds: 2
          periodSeconds: 10
        restartPolicy: Always
        startupProbe:
          httpGet:
            path: /ready
            port: 9901
          timeoutSeconds: 2
          periodSeconds: 1
          failureThreshold: 120
          successThreshold: 1
      containers:
      - name: app
        image: app
`,
    info: [/moved sidecar "proxy" to spec.initContainers with restartPolicy: Always.*stopped after them.*derived from its readinessProbe \(checked every second for up to 120 s\)/],
  },
  {
    name: "places the sidecar after network setup and before the other init containers",
    config: config("", "- name: proxy\n  timeoutSeconds: 30\n  startupProbe:\n    tcpSocket: {port: 15001}\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: istio-init
    image: proxyv2
  - name: migrate
    image: app
    command: [migrate]
  containers:
  - name: proxy
    image: proxyv2
  - name: app
    image: app
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: istio-init
    image: proxyv2
  - name: proxy
    image: proxyv2
    restartPolicy: Always
    startupProbe:
      tcpSocket:
        port: 15001
  - name: migrate
    image: app
    command: [migrate]
  containers:
  - name: app
    image: app
`,
    info: [/moved sidecar "proxy".*added a startupProbe to "proxy" so the containers after it wait/],
  },
  {
    name: "initContainersBefore / initContainersAfter choose which init containers run before the sidecar",
    config: config("", "- name: proxy\n  initContainersBefore: [fetch-certs]\n  initContainersAfter: [istio-validation]\n  startupProbe: {exec: {command: [/ready]}}\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: fetch-certs
    image: certs
  - name: istio-validation
    image: proxyv2
  containers:
  - name: app
    image: app
  - name: proxy
    image: proxyv2
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: fetch-certs
    image: certs
  - name: proxy
    image: proxyv2
    restartPolicy: Always
    startupProbe:
      exec:
        command:
        - /ready
  - name: istio-validation
    image: proxyv2
  containers:
  - name: app
    image: app
`,
    info: [/moved sidecar "proxy"/],
  },
  {
    name: "warns when a user init container already runs before the network setup (and so before the sidecar)",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: seed
    image: app
  - name: linkerd-init
    image: proxy-init
  containers:
  - name: app
    image: app
  - name: proxy
    image: proxy
    startupProbe:
      httpGet: {path: /ready, port: 4191}
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: seed
    image: app
  - name: linkerd-init
    image: proxy-init
  - name: proxy
    image: proxy
    startupProbe:
      httpGet: {path: /ready, port: 4191}
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/moved sidecar "proxy"/],
    warnings: [/init container "seed" \(initContainers\[0\]\) runs before sidecar "proxy" starts/],
  },
  {
    name: "keeps an existing startupProbe and fixes a successThreshold the API server would reject",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: proxy
    image: proxy
    startupProbe:
      exec:
        command: [/healthy]
      successThreshold: 3
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: proxy
    image: proxy
    startupProbe:
      exec:
        command: [/healthy]
      successThreshold: 1
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/set the startupProbe successThreshold of "proxy" to 1/],
  },
  {
    name: "with no probe, the wait command becomes a blocking postStart hook",
    config: config("", "- name: proxy\n  wait: {exec: [/proxy, wait]}\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: proxy
    image: proxy
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: proxy
    image: proxy
    restartPolicy: Always
    lifecycle:
      postStart:
        exec:
          command:
          - /proxy
          - wait
  containers:
  - name: app
    image: app
`,
    info: [/added a postStart hook to "proxy" that holds the containers after it until it is ready \(\/proxy wait\)/],
    warnings: [/the wait command of sidecar "proxy" \(\/proxy wait\) shows no timeout/],
  },
  {
    name: "with neither a probe nor a wait command, warns that gating waits only for the process",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: proxy
    image: proxy
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: proxy
    image: proxy
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/moved sidecar "proxy"/],
    warnings: [/native sidecar "proxy" has no startupProbe, readinessProbe or wait command.*as soon as its process runs/],
  },
  {
    name: "removes a preStop hook that makes the sidecar exit",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: proxy
    image: proxy
    startupProbe: {httpGet: {path: /ready, port: 15021}}
    lifecycle:
      preStop:
        exec:
          command: ["curl", "-XPOST", "localhost:15020/quitquitquit"]
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: proxy
    image: proxy
    startupProbe: {httpGet: {path: /ready, port: 15021}}
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/removed the preStop hook of "proxy" \(it runs "curl -XPOST localhost:15020\/quitquitquit"\): a native sidecar that exits is restarted/],
  },
  {
    name: "keeps a sleeping preStop silently, warns about one it cannot judge",
    config: config("", "- name: a\n- name: b\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: a
    image: a
    startupProbe: {exec: {command: [/ok]}}
    lifecycle:
      preStop: {exec: {command: [/bin/sleep, "10"]}}
  - name: b
    image: b
    startupProbe: {exec: {command: [/ok]}}
    lifecycle:
      preStop: {exec: {command: [/drain.sh]}}
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: a
    image: a
    startupProbe: {exec: {command: [/ok]}}
    lifecycle:
      preStop: {exec: {command: [/bin/sleep, "10"]}}
    restartPolicy: Always
  - name: b
    image: b
    startupProbe: {exec: {command: [/ok]}}
    lifecycle:
      preStop: {exec: {command: [/drain.sh]}}
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/moved sidecars "a", "b" to spec.initContainers.*in this order.*in reverse order/],
    warnings: [/sidecar "b" keeps its preStop hook \(it runs "\/drain.sh"\)/],
  },
  {
    name: "leaves a sidecar that is already native alone",
    in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
      - name: proxy
        image: proxy
        restartPolicy: Always
      containers:
      - name: app
        image: app
`,
  },
  {
    name: "converts a workload ordered earlier by the legacy strategy, and says what became of its hold hook",
    config: config("", "- name: proxy\n  wait: {exec: [/proxy, wait]}\n"),
    in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations:
        kubectl.kubernetes.io/default-container: app
    spec:
      containers:
      - name: proxy
        image: proxy
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
        lifecycle:
          postStart:
            exec:
              command:
              - /proxy
              - wait
      - name: app
        image: app
`,
    out: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations:
        kubectl.kubernetes.io/default-container: app
    spec:
      initContainers:
      - name: proxy
        image: proxy
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
        lifecycle:
          postStart:
            exec:
              command:
              - /proxy
              - wait
        restartPolicy: Always
        startupProbe:
          httpGet:
            path: /ready
            port: 8080
          periodSeconds: 1
          failureThreshold: 120
          successThreshold: 1
      containers:
      - name: app
        image: app
`,
    info: [/the postStart hook of "proxy" stays and still holds the containers after it/],
  },
];

describe("native strategy", () => {
  it.each(rows)("$name", (row) => checkRow(row, config()));

  it("never leaves restartPolicy on a regular container nor probes on a plain init container", () => {
    const out = runChecked(resourceList([rows[2]!.in], rows[2]!.config));
    const text = out.bodies[1]!;
    const containers = text.slice(text.indexOf("  containers:"));
    expect(containers).not.toContain("restartPolicy");
  });
});
