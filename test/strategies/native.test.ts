/** The native strategy, as whole YAML documents in and out. */
import { describe, expect, it } from "vitest";
import { messages, resourceList, runChecked, typedConfig } from "../support/resource-list";
import { checkRow, type Row } from "../support/table";

const config = (extra = "", sidecar = "- name: proxy\n") => typedConfig(`strategy: native\n${extra}sidecars:\n${sidecar}`);

/** An app, a database proxy and a mesh proxy; and the same pod with both proxies native, in a given start order. */
const MESH_POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: db
    image: db-proxy
    startupProbe: {tcpSocket: {port: 5432}}
  - name: mesh
    image: mesh-proxy
    startupProbe: {tcpSocket: {port: 4191}}
`;
const meshPodOut = (...order: ("db" | "mesh")[]) => {
  const port = { db: 5432, mesh: 4191 };
  const native = order.map((n) => `  - name: ${n}\n    image: ${n}-proxy\n    startupProbe: {tcpSocket: {port: ${port[n]}}}\n    restartPolicy: Always\n`).join("");
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n${native}  containers:\n  - name: app\n    image: app\n`;
};

/** A pod whose initContainers key is there with nothing but a comment (`init`: its entries, if any). */
const withEmptyInit = (init: string, containers: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  # init containers go here\n  initContainers: # none yet\n${init}  containers:\n${containers}`;

const rows: Row[] = [
  {
    name: "takes resizePolicy off a sidecar it moves when the version is not known to accept it, with a warning",
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
    info: [/moved sidecar "proxy" to spec.initContainers.*removed the resizePolicy of "proxy" \(init containers may set it only from Kubernetes 1.33\)/],
    warnings: [/sidecar "proxy" cannot keep its resizePolicy as a native sidecar: the API server keeps it .* only from Kubernetes 1.33 .*; set kubernetesVersion to 1.33 or later to keep it/],
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
    name: "initContainersAfter names an init container that runs before a sidecar native already: left as it is, and said",
    config: config("", "- preset: cloud-sql-proxy\n  initContainersAfter: [migrate]\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: migrate
    image: migrate:1
  - name: cloud-sql-proxy
    image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0
    args: ["--health-check", "--http-address=0.0.0.0", "p:r:d"]
    restartPolicy: Always
    startupProbe: {httpGet: {path: /startup, port: 9090}}
  - name: vault-agent-init
    image: hashicorp/vault:1.17
  containers:
  - name: app
    image: app
`,
    warnings: [
      /^init container "migrate" runs before sidecar "cloud-sql-proxy" starts, although sidecars\[0\]\.initContainersAfter names it, so it cannot reach it; sidecar-order leaves sidecars that are native already where they are: move "migrate" after "cloud-sql-proxy" in spec.initContainers$/,
    ],
  },
  {
    name: "a preset's own initContainersAfter (Istio's proxy before vault-agent-init) is held to a native proxy too",
    config: config("", "- preset: istio\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: vault-agent-init
    image: hashicorp/vault:1.17
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    restartPolicy: Always
    startupProbe: {httpGet: {path: /healthz/ready, port: 15021}}
    lifecycle: {preStop: {exec: {command: [pilot-agent, request, --debug-port=15020, POST, drain]}}}
  containers:
  - name: app
    image: app
`,
    warnings: [/^init container "vault-agent-init" runs before sidecar "istio-proxy" starts, although the istio preset says it needs the sidecar, so it cannot reach it;/],
  },
  {
    name: "a preset's network setup (istio-init) that runs after its native proxy is said, and the pod left as it is",
    config: config("", "- preset: istio\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    restartPolicy: Always
    startupProbe: {httpGet: {path: /healthz/ready, port: 15021}}
    lifecycle: {preStop: {exec: {command: [pilot-agent, request, --debug-port=15020, POST, drain]}}}
  - name: istio-init
    image: docker.io/istio/proxyv2:1.24.0
    args: [istio-iptables]
  containers:
  - name: app
    image: app
`,
    warnings: [
      /^init container "istio-init" runs only after sidecar "istio-proxy" has started, although the istio preset runs it before the sidecar; a sidecar that needs what it sets up never passes its startupProbe, and then "istio-init" and the app never start; sidecar-order leaves sidecars that are native already where they are: move "istio-init" before "istio-proxy" in spec.initContainers$/,
    ],
  },
  {
    name: "a config's own initContainersBefore is held to a native sidecar too",
    config: config("", "- name: proxy\n  initContainersBefore: [fetch-certs]\n  startupProbe: {exec: {command: [/ready]}}\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: proxy
    image: proxy
    restartPolicy: Always
    startupProbe: {exec: {command: [/ready]}}
  - name: fetch-certs
    image: certs
  containers:
  - name: app
    image: app
`,
    warnings: [/^init container "fetch-certs" runs only after sidecar "proxy" has started, although sidecars\[0\]\.initContainersBefore names it;/],
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
        startupProbe: {httpGet: {path: /ready, port: 8080}}
      containers:
      - name: app
        image: app
`,
  },
  {
    // The conversion that left it so warned; every later run warns too, as legacy's no-wait warning does.
    name: "leaves alone a native sidecar with nothing to gate on, and says so on every run",
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
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
      containers:
      - name: app
        image: app
`,
    warnings: [/^native sidecar "proxy" has no startupProbe or postStart hook \(its readinessProbe holds nothing back: native sidecars gate on the startupProbe\), so the containers after it start as soon as its process runs, not when it is ready; give it a startupProbe in the workload \(sidecar-order leaves a sidecar that is native already as it is: a startupProbe in its sidecars entry applies only when it converts one\)$/],
  },
  {
    name: "says nothing on later runs of a native sidecar whose preset has nothing to probe (the converting run said it)",
    config: config("", "- preset: vault\n"),
    in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      initContainers:
      - name: vault-agent
        image: hashicorp/vault:1.15
        restartPolicy: Always
      containers:
      - name: app
        image: app
`,
  },
  {
    name: "converts a workload ordered earlier by the legacy strategy: the startupProbe gates it, so its own wait hook goes",
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
    info: [/removed the postStart hook of "proxy" \(it runs "\/proxy wait"\): the startupProbe holds the containers after it now/],
  },
  {
    name: "converting a legacy wait that allowed longer than the probe would: the probe allows as long as the wait did",
    config: config("", "- preset: istio\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    lifecycle:
      postStart:
        exec:
          command: ["pilot-agent", "wait", "--timeoutSeconds=600"]
      preStop:
        exec:
          command: ["pilot-agent", "request", "--debug-port=15020", "POST", "drain"]
  - name: app
    image: app
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  initContainers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    lifecycle:
      preStop:
        exec:
          command: ["pilot-agent", "request", "--debug-port=15020", "POST", "drain"]
    restartPolicy: Always
    startupProbe:
      httpGet:
        path: /healthz/ready
        port: 15021
      periodSeconds: 1
      failureThreshold: 600
  containers:
  - name: app
    image: app
`,
    info: [/added a startupProbe to "istio-proxy" so the containers after it wait until it is ready \(failureThreshold 600: as long as the postStart wait it replaces allowed, 600 s\); removed the postStart hook of "istio-proxy" \(it runs "pilot-agent wait --timeoutSeconds=600"\): the startupProbe holds the containers after it now$/],
  },
  {
    name: "a postStart hook it does not recognise stays and still holds the containers after the sidecar",
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
    startupProbe: {httpGet: {path: /ready, port: 8080}}
    lifecycle:
      postStart: {exec: {command: [/warm-cache]}}
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: proxy
    image: proxy
    startupProbe: {httpGet: {path: /ready, port: 8080}}
    lifecycle:
      postStart: {exec: {command: [/warm-cache]}}
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/the postStart hook of "proxy" stays and still holds the containers after it/],
  },
  {
    name: "keeps resizePolicy on a target from 1.33 on, where the API server accepts it on native sidecars",
    config: config('kubernetesVersion: "1.33.2"\n'),
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
    resizePolicy:
    - resourceName: cpu
      restartPolicy: NotRequired
    startupProbe:
      tcpSocket: {port: 9901}
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/^moved sidecar "proxy" to spec.initContainers with restartPolicy: Always \(native sidecar: started before the app containers, stopped after them\)$/],
  },
  {
    name: "removes resizePolicy on a 1.32 target and says which version it would need",
    config: config('kubernetesVersion: "v1.32.9"\n'),
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
    resizePolicy: [{resourceName: memory, restartPolicy: RestartContainer}]
    startupProbe: {tcpSocket: {port: 9901}}
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/removed the resizePolicy of "proxy"/],
    warnings: [/the target runs Kubernetes 1.32.9, and the API server keeps resizePolicy on init containers, native sidecars included, only from 1.33 \(InPlacePodVerticalScaling on by default; before, it drops or rejects it\)/],
  },
  {
    name: "keeps a preStop that sends a flush signal and sleeps: it does not make the sidecar exit",
    config: config("", "- name: shipper\n  startupProbe: {exec: {command: [/ok]}}\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: shipper
    image: fluent-bit
    lifecycle:
      preStop:
        exec:
          command: ["sh", "-c", "kill -USR1 1; sleep 3"]
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: shipper
    image: fluent-bit
    lifecycle:
      preStop:
        exec:
          command: ["sh", "-c", "kill -USR1 1; sleep 3"]
    restartPolicy: Always
    startupProbe:
      exec:
        command:
        - /ok
  containers:
  - name: app
    image: app
`,
    info: [/moved sidecar "shipper"/],
    warnings: [/sidecar "shipper" keeps its preStop hook \(it runs "sh -c "kill -USR1 1; sleep 3""\)/],
  },
  {
    name: "removes a preStop that terminates PID 1 and waits, and with it the lifecycle it leaves empty",
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
          command: ["/bin/sh", "-c", "sleep 5 && kill -TERM 1"]
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
    info: [/removed the preStop hook of "proxy" \(it runs .*kill -TERM 1.*\): a native sidecar that exits is restarted/],
  },
  {
    name: "mesh proxy going native: its network setup moves in front of the user's init containers, the proxy right after it",
    config: config("", "- preset: istio\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: migrate
    image: app
  - name: istio-init
    image: docker.io/istio/proxyv2:1.24.0
  containers:
  - name: app
    image: app
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    readinessProbe: {httpGet: {path: /healthz/ready, port: 15021}}
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: istio-init
    image: docker.io/istio/proxyv2:1.24.0
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    readinessProbe: {httpGet: {path: /healthz/ready, port: 15021}}
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
  - name: migrate
    image: app
  containers:
  - name: app
    image: app
`,
    info: [/moved sidecar "istio-proxy".*; moved network-setup init container "istio-init" ahead of "migrate", followed by "istio-proxy", so the init containers after it run inside the mesh/],
  },
  {
    name: "Istio status port 0: no startupProbe on 15021 (it would never pass) and no drain; the fallback is said",
    config: config("", "- preset: istio\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    status.sidecar.istio.io/port: "0"
spec:
  containers:
  - name: app
    image: app
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    status.sidecar.istio.io/port: "0"
spec:
  initContainers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/moved sidecar "istio-proxy".*; no Istio proxy drain was added to "istio-proxy": the pod template sets status.sidecar.istio.io\/port: "0"/],
    warnings: [/native sidecar "istio-proxy" has no startupProbe, readinessProbe or wait command \(Istio proxy gives none: the pod template sets status.sidecar.istio.io\/port: "0", so pilot-agent runs no status server/],
  },
  {
    name: "Istio on a non-default status port: the probe stays on Envoy's 15021, the drain goes to the status port",
    config: config("", "- preset: istio\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    status.sidecar.istio.io/port: "15021"
spec:
  containers:
  - name: app
    image: app
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    status.sidecar.istio.io/port: "15021"
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
          - --debug-port=15021
          - POST
          - drain
  containers:
  - name: app
    image: app
`,
    info: [/added a preStop hook to "istio-proxy" that drains it without exiting \(pilot-agent request --debug-port=15021 POST drain\)/],
  },
  {
    name: "Istio on a status port pilot-agent request refuses: no drain, and why",
    config: config("", "- preset: istio\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    status.sidecar.istio.io/port: "15030"
spec:
  containers:
  - name: app
    image: app
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    startupProbe: {httpGet: {path: /healthz/ready, port: 15021}}
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    status.sidecar.istio.io/port: "15030"
spec:
  initContainers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    startupProbe: {httpGet: {path: /healthz/ready, port: 15021}}
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/no Istio proxy drain was added to "istio-proxy": its status port is 15030 \(status.sidecar.istio.io\/port\), and pilot-agent request refuses every --debug-port but 15000, 15004, 15020, 15021/],
  },
  {
    name: "a user's sleep preStop on the Istio proxy stays (with an info); the drain is only for a proxy without one",
    config: config("", "- preset: istio\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    startupProbe: {httpGet: {path: /healthz/ready, port: 15021}}
    lifecycle:
      preStop: {sleep: {seconds: 5}}
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    startupProbe: {httpGet: {path: /healthz/ready, port: 15021}}
    lifecycle:
      preStop: {sleep: {seconds: 5}}
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/kept the preStop hook of "istio-proxy" \(a sleep\): the Istio proxy drain is added only where a sidecar has no preStop of its own/],
  },
  {
    name: "drain: false turns the Istio drain off for that sidecar",
    config: config("", "- preset: istio\n  drain: false\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    startupProbe: {httpGet: {path: /healthz/ready, port: 15021}}
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    startupProbe: {httpGet: {path: /healthz/ready, port: 15021}}
    restartPolicy: Always
  containers:
  - name: app
    image: app
`,
    info: [/^moved sidecar "istio-proxy" to spec.initContainers with restartPolicy: Always \(native sidecar: started before the app containers, stopped after them\)$/],
  },
  {
    name: "after against a sidecar that is native already: the moving sidecar goes before the native one that must follow it",
    config: config("", "- name: proxy\n  startupProbe: {tcpSocket: {port: 1}}\n- name: shipper\n  after: [proxy]\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: shipper
    image: shipper
    restartPolicy: Always
    startupProbe: {exec: {command: [/ready]}}
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
    startupProbe:
      tcpSocket:
        port: 1
  - name: shipper
    image: shipper
    restartPolicy: Always
    startupProbe: {exec: {command: [/ready]}}
  containers:
  - name: app
    image: app
`,
    info: [/moved sidecar "proxy"/],
  },
  {
    name: "after between two sidecars that are native already, in the wrong order: said, not reordered",
    config: config("", "- name: proxy\n- name: shipper\n  after: [proxy]\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: shipper
    image: shipper
    restartPolicy: Always
    startupProbe: {exec: {command: [/ready]}}
  - name: proxy
    image: proxy
    restartPolicy: Always
    startupProbe: {exec: {command: [/ready]}}
  containers:
  - name: app
    image: app
`,
    warnings: [/sidecar "shipper" starts before "proxy", although sidecars\[1\].after names "proxy"; sidecar-order leaves sidecars that are native already where they are; move "shipper" after "proxy" in spec.initContainers/],
  },
  {
    name: "fills an empty initContainers where it stands, keeping the comment on its line (flow entries)",
    in: withEmptyInit("", "  - {name: app, image: app}\n  - {name: proxy, image: envoy, startupProbe: {tcpSocket: {port: 9901}}}\n"),
    out: withEmptyInit("  - {name: proxy, image: envoy, startupProbe: {tcpSocket: {port: 9901}}, restartPolicy: Always}\n", "  - {name: app, image: app}\n"),
    info: [/moved sidecar "proxy" to spec.initContainers/],
  },
  {
    name: "fills an empty initContainers where it stands, keeping the comment on its line (block entries)",
    in: withEmptyInit("", "  - name: app\n    image: app\n  - name: proxy\n    image: envoy\n    startupProbe:\n      tcpSocket: {port: 9901}\n"),
    out: withEmptyInit("  - name: proxy\n    image: envoy\n    startupProbe:\n      tcpSocket: {port: 9901}\n    restartPolicy: Always\n", "  - name: app\n    image: app\n"),
    info: [/moved sidecar "proxy" to spec.initContainers/],
  },
  {
    name: "starts a mesh proxy ahead of a sidecar listed before it, and says so in the order they start",
    config: config("", "- name: db\n- name: mesh\n  initContainersBefore: [mesh-init]\n"),
    in: MESH_POD,
    out: meshPodOut("mesh", "db"),
    info: [/^moved sidecars "mesh", "db" to spec.initContainers .* in this order.*; "mesh" starts before "db", though listed after: a mesh proxy starts ahead of the other sidecars/],
  },
  {
    name: "starts a sidecar a mesh proxy names in its after ahead of the proxy, with a warning about the mesh's traffic",
    config: config("", "- name: db\n- name: mesh\n  initContainersBefore: [mesh-init]\n  after: [db]\n"),
    in: MESH_POD,
    out: meshPodOut("db", "mesh"),
    info: [/^moved sidecars "db", "mesh" to spec.initContainers .* in this order/],
    warnings: [/^sidecar "db" starts before the mesh proxy "mesh", as `after` asks; .* connections from "db" fail until it is up/],
  },
];

describe("native strategy", () => {
  it.each(rows)("$name", (row) => checkRow(row, config()));

  it("converting a legacy wait: the config's own start time wins, and a sidecar's own shorter startupProbe is said", () => {
    const legacyOut = (probe: string) => `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
${probe}    lifecycle:
      postStart:
        exec:
          command: ["pilot-agent", "wait", "--timeoutSeconds=600"]
  - name: app
    image: app
`;
    // timeoutSeconds set in the entry: the derived probe keeps it, however long the old wait was.
    const explicit = runChecked(resourceList([legacyOut("")], config("", "- preset: istio\n  timeoutSeconds: 60\n")));
    expect(explicit.bodies[1]).toContain("failureThreshold: 60\n");
    expect(explicit.bodies[1]).not.toContain("postStart");
    // The sidecar's own startupProbe (30 s) stays, with a warning that the 600 s wait it stood behind is gone.
    const own = runChecked(resourceList([legacyOut("    startupProbe: {httpGet: {path: /healthz/ready, port: 15021}, periodSeconds: 10, failureThreshold: 3}\n")], config("", "- preset: istio\n")));
    expect(own.bodies[1]).toContain("failureThreshold: 3}");
    expect(messages(own.results, "warning")).toEqual([
      'the startupProbe of "istio-proxy" gives up after 30 s, but the postStart wait it now stands in for (pilot-agent wait --timeoutSeconds=600) allowed 600 s: a sidecar that takes longer to start is restarted and the app keeps waiting; raise its failureThreshold if it can take that long',
    ]);
  });

  it("says nothing of moving the network setup when it is the only init container", () => {
    const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n  - name: linkerd-init\n    image: cr.l5d.io/linkerd/proxy-init:v2.4.1\n  containers:\n  - name: app\n    image: app\n  - name: linkerd-proxy\n    image: cr.l5d.io/linkerd/proxy:edge-24.11.8\n`;
    const out = runChecked(resourceList([pod], typedConfig('kubernetesVersion: "1.31"\nsidecars:\n- preset: linkerd\n')));
    expect(messages(out.results, "info")).toEqual([expect.stringMatching(/^moved sidecar "linkerd-proxy" to spec.initContainers/)]);
    expect(messages(out.results, "info")[0]).not.toContain("network-setup");
  });

  it("never leaves restartPolicy on a regular container nor probes on a plain init container", () => {
    const out = runChecked(resourceList([rows[2]!.in], rows[2]!.config));
    const text = out.bodies[1]!;
    const containers = text.slice(text.indexOf("  containers:"));
    expect(containers).not.toContain("restartPolicy");
  });
});

describe("an entry's wait.exec beside a readinessProbe", () => {
  const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
  - name: vpn
    image: vpn
    readinessProbe:
      exec: {command: [/bin/vpn-ready]}
`;
  it("is said not to be used when the readinessProbe gives the startupProbe, and not said again on the output", () => {
    const cfg = typedConfig('kubernetesVersion: "1.31"\nsidecars:\n- name: vpn\n  wait: {exec: [/bin/vpn-wait, --timeout=30s]}\n');
    const out = runChecked(resourceList([pod], cfg));
    expect(messages(out.results, "info")[0]).toMatch(
      /the wait\.exec of "vpn"'s sidecars entry \(\/bin\/vpn-wait --timeout=30s\) is not used: a native sidecar gates on a startupProbe, and its readinessProbe gives one; set the entry's startupProbe to choose the probe yourself/,
    );
    expect(out.bodies[1]).not.toContain("vpn-wait");
    expect(runChecked(resourceList([out.bodies[1]!], cfg)).results).toEqual([]);
  });
});
