/** The legacy strategy, as whole YAML documents in and out. */
import { describe, expect, it } from "vitest";
import { messages, resourceList, runChecked, typedConfig } from "../support/resource-list";
import { checkRow, type Row } from "../support/table";
import { waitLimitSeconds } from "../../src/strategies/legacy";
import { runFiles } from "../../src/files";
import { parse } from "yaml";

const PROXY_CONFIG = typedConfig(`strategy: legacy
sidecars:
- name: proxy
  wait:
    exec: [/proxy, wait, --timeout=60s]
`);

const rows: Row[] = [
  {
    name: "a sidecar's own wait as its mesh injects it (pilot-agent wait, other flags) holds the app already: kept, nothing to warn about",
    config: typedConfig("strategy: legacy\nsidecars:\n- preset: istio\n  stopAfterApp: false\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: app
    image: app
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    lifecycle:
      postStart:
        exec:
          command: [pilot-agent, wait]
`,
    out: `apiVersion: v1
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
          command: [pilot-agent, wait]
  - name: app
    image: app
`,
    info: [/^moved sidecar "istio-proxy" to the front of spec.containers$/],
  },
  {
    name: "a mesh proxy starts ahead of the other sidecars, though listed after (their traffic goes through it), as in native mode",
    config: typedConfig("strategy: legacy\nsidecars:\n- preset: cloud-sql-proxy\n- preset: istio\n"),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  initContainers:
  - name: istio-init
    image: docker.io/istio/proxyv2:1.24.0
  containers:
  - name: app
    image: app
  - name: cloud-sql-proxy
    image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
    args: ["--health-check", "--http-address=0.0.0.0", "p:r:i"]
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  initContainers:
  - name: istio-init
    image: docker.io/istio/proxyv2:1.24.0
  containers:
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.24.0
    lifecycle:
      postStart:
        exec:
          command:
          - pilot-agent
          - wait
          - --timeoutSeconds=120
      preStop:
        exec:
          command:
          - sleep
          - "15"
  - name: cloud-sql-proxy
    image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
    args: ["--health-check", "--http-address=0.0.0.0", "p:r:i"]
    lifecycle:
      postStart:
        exec:
          command:
          - /cloud-sql-proxy
          - wait
          - --max
          - 120s
  - name: app
    image: app
`,
    info: [/^moved sidecars "istio-proxy", "cloud-sql-proxy" to the front of spec.containers; "istio-proxy" starts before "cloud-sql-proxy", though listed after: a mesh proxy starts ahead of the other sidecars/],
  },
  {
    name: "a blank line above a sidecar does not open the list once the sidecar is first",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: app
    image: nginx

  # the proxy
  - name: proxy
    image: envoy
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  # the proxy
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command:
          - /proxy
          - wait
          - --timeout=60s
  - name: app
    image: nginx
`,
    info: [/moved sidecar "proxy" to the front/],
  },
  {
    // yaml keeps `key: # c` over a block value as a comment before the value; printed on a line of
    // its own it would move, and kpt (copying comments back) would show it twice.
    name: "keeps comments on the lines of the keys they follow",
    in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers: # app and proxy
      # the app
      - name: app
        image: nginx
        ports: # http
        # the main port
        - containerPort: 8080
        resources: # small
          requests: {cpu: 10m}
      - name: proxy
        image: envoy
        args: # proxy flags
        - --verbose
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
      containers: # app and proxy
      - name: proxy
        image: envoy
        args: # proxy flags
        - --verbose
        lifecycle:
          postStart:
            exec:
              command:
              - /proxy
              - wait
              - --timeout=60s
      # the app
      - name: app
        image: nginx
        ports: # http
        # the main port
        - containerPort: 8080
        resources: # small
          requests: {cpu: 10m}
`,
    info: [/moved sidecar "proxy" to the front/, /^effective pod resources \(what the scheduler reserves\) are unchanged: requests cpu 10m; limits none$/],
  },
  {
    name: "moves the sidecar first, adds the hold hook and the default-container annotation",
    in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app # the app
        image: nginx
      # the proxy
      - name: proxy
        image: envoy
`,
    out: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels: {app: web}
      annotations:
        kubectl.kubernetes.io/default-container: app
    spec:
      containers:
      # the proxy
      - name: proxy
        image: envoy
        lifecycle:
          postStart:
            exec:
              command:
              - /proxy
              - wait
              - --timeout=60s
      - name: app # the app
        image: nginx
`,
    info: [/moved sidecar "proxy" to the front.*added a postStart hook.*\/proxy wait --timeout=60s.*default-container to "app"/],
  },
  {
    name: "keeps a preStop hook and the existing lifecycle keys",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: proxy
    image: envoy
    lifecycle:
      preStop:
        exec:
          command: ["/bin/sleep", "5"]
  - name: app
    image: nginx
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: proxy
    image: envoy
    lifecycle:
      preStop:
        exec:
          command: ["/bin/sleep", "5"]
      postStart:
        exec:
          command:
          - /proxy
          - wait
          - --timeout=60s
  - name: app
    image: nginx
`,
    info: [/^added a postStart hook to "proxy"/],
  },
  {
    name: "an already ordered workload is left byte-identical (a CronJob, accepted with allowLegacyJobs)",
    config: typedConfig(`strategy: legacy
allowLegacyJobs: true
sidecars:
- name: proxy
  wait:
    exec: [/proxy, wait, --timeout=60s]
`),
    warnings: [/legacy sidecar "proxy" would keep this CronJob's pod running.*accepted: allowLegacyJobs is true/],
    in: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            kubectl.kubernetes.io/default-container: app
        spec:
          restartPolicy: OnFailure
          containers:
          - name: proxy
            image: envoy
            lifecycle:
              postStart:
                exec:
                  command: ['/proxy', "wait", --timeout=60s]
          - name: app
            image: busybox
`,
  },
  {
    name: "a different postStart hook is kept, with a warning (onConflict: keep)",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: nginx
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command: [/bin/true]
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command: [/bin/true]
  - name: app
    image: nginx
`,
    info: [/moved sidecar "proxy"/],
    warnings: [/already has a different postStart hook; it was kept.*onConflict: replace/],
  },
  {
    name: "onConflict: replace swaps the hook",
    config: typedConfig(`strategy: legacy
onConflict: replace
sidecars:
- name: proxy
  wait: {exec: [/proxy, wait]}
`),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command: [/bin/true]
  - name: app
    image: nginx
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command:
          - /proxy
          - wait
  - name: app
    image: nginx
`,
    info: [/replaced the postStart hook of "proxy"/],
    // The reference: exec hooks have no kubelet timeout, so every wait needs its own.
    warnings: [/the wait command of sidecar "proxy" \(\/proxy wait\) shows no timeout.*holds the pod forever/],
  },
  {
    name: "onConflict: error refuses the workload",
    config: typedConfig(`strategy: legacy
onConflict: error
sidecars:
- name: proxy
  wait: {exec: [/proxy, wait]}
`),
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: nginx
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command: [/bin/true]
`,
    errors: [/already has a different postStart hook; nothing was changed/],
  },
  {
    name: "a sidecar without a wait command is moved first, with a warning; never an httpGet hook",
    config: typedConfig(`strategy: legacy
sidecars:
- image: "*/fluent-bit:*"
`),
    in: `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: logs
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
      - name: shipper
        image: docker.io/fluent/fluent-bit:3.1
        readinessProbe:
          httpGet: {path: /health, port: 2020}
`,
    out: `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: logs
spec:
  template:
    metadata:
      annotations:
        kubectl.kubernetes.io/default-container: app
    spec:
      containers:
      - name: shipper
        image: docker.io/fluent/fluent-bit:3.1
        readinessProbe:
          httpGet: {path: /health, port: 2020}
      - name: app
        image: nginx
`,
    info: [/moved sidecar "shipper"/],
    warnings: [/"shipper" is started before the app containers but has no wait command.*add wait.exec/],
  },
  {
    name: "the sidecars annotation declares sidecars per workload, in its order",
    config: typedConfig(`strategy: legacy
sidecars:
- name: b
  wait: {exec: [timeout, "120", /b, wait]}
`),
    in: `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: rs
spec:
  template:
    metadata:
      annotations:
        sidecar-order.dev/sidecars: "a, c, b"
    spec:
      containers:
      - name: app
        image: app
      - name: c
        image: c
      - name: b
        image: b
      - name: a
        image: a
`,
    out: `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: rs
spec:
  template:
    metadata:
      annotations:
        sidecar-order.dev/sidecars: "a, c, b"
        kubectl.kubernetes.io/default-container: app
    spec:
      containers:
      - name: b
        image: b
        lifecycle:
          postStart:
            exec:
              command:
              - timeout
              - "120"
              - /b
              - wait
      - name: a
        image: a
      - name: c
        image: c
      - name: app
        image: app
`,
    info: [/moved sidecars "b", "a", "c"/],
    warnings: [/"a" is started before the app containers but has no wait/, /"c" is started before the app containers but has no wait/],
  },
  {
    name: "an annotation naming a missing container is a warning",
    in: `apiVersion: v1
kind: PodTemplate
metadata:
  name: t
template:
  metadata:
    annotations:
      sidecar-order.dev/sidecars: ghost
  spec:
    containers:
    - name: app
      image: app
`,
    warnings: [/names "ghost", but the pod has no container of that name/, /sidecars\[0\] \(name "proxy"\) matches no container in any of the 1 workload, so it changes nothing; the containers in the package are named "app"/],
  },
  {
    name: "a local-config workload passes through",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    config.kubernetes.io/local-config: "true"
spec:
  containers:
  - name: app
    image: nginx
  - name: proxy
    image: envoy
`,
  },
  {
    name: "a workload with no containers is an error and left as it is",
    in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: empty
spec:
  template:
    spec:
      containers: []
`,
    errors: [/spec.template.spec.containers is empty/],
  },
  {
    name: "duplicate container names are an error",
    in: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: dup
spec:
  template:
    spec:
      initContainers:
      - name: proxy
        image: x
      containers:
      - name: app
        image: app
      - name: proxy
        image: envoy
`,
    errors: [/two containers are named "proxy"/],
  },
  {
    name: "a comment above a sidecar travels with it, even after a comment under the entry before it",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: app
    image: nginx
    # TODO: pin digest
  # the proxy: keep in step with the mesh
  - name: proxy
    image: envoy
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  # the proxy: keep in step with the mesh
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command:
          - /proxy
          - wait
          - --timeout=60s
  - name: app
    image: nginx
    # TODO: pin digest
`,
    info: [/moved sidecar "proxy" to the front/],
  },
  {
    name: "end-of-line comments in lists that do not move stay on their lines",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: app
    image: nginx
    args:
    - --config=/etc/app.yaml # mounted from the ConfigMap
    - --port=8080
    env:
    - {name: A, value: "1"} # about A
    - {name: B, value: "2"}
  - name: proxy
    image: envoy
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command:
          - /proxy
          - wait
          - --timeout=60s
  - name: app
    image: nginx
    args:
    - --config=/etc/app.yaml # mounted from the ConfigMap
    - --port=8080
    env:
    - {name: A, value: "1"} # about A
    - {name: B, value: "2"}
`,
    info: [/moved sidecar "proxy" to the front/],
  },
  {
    name: "a comment above a sidecar travels with it after a nested list, a comment under it and a blank line",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: app
    image: nginx
    volumeMounts:
    - name: data
      mountPath: /data
    # TODO: make readOnly

  # the proxy: keep in step with the mesh
  - name: proxy
    image: envoy
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  # the proxy: keep in step with the mesh
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command:
          - /proxy
          - wait
          - --timeout=60s
  - name: app
    image: nginx
    volumeMounts:
    - name: data
      mountPath: /data
    # TODO: make readOnly
`,
    info: [/moved sidecar "proxy" to the front/],
  },
  {
    name: "a comment above a sidecar travels with it after an end-of-line comment and a comment under the entry before",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: app
    image: nginx # pinned
    env:
    - name: A
      value: "1"
      # end
    # ----
    - name: B
      value: "2"
      # end
  # ----
  - name: proxy
    image: envoy
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  # ----
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command:
          - /proxy
          - wait
          - --timeout=60s
  - name: app
    image: nginx # pinned
    env:
    - name: A
      value: "1"
      # end
    # ----
    - name: B
      value: "2"
      # end
`,
    info: [/moved sidecar "proxy" to the front/],
  },
  {
    name: "a comment above a sidecar travels with it after an end-of-line comment on the last line of the entry before",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: app
    image: nginx:1.27 # pinned
    # TODO: move to a digest
  # the proxy
  - name: proxy
    image: envoy
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  # the proxy
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command:
          - /proxy
          - wait
          - --timeout=60s
  - name: app
    image: nginx:1.27 # pinned
    # TODO: move to a digest
`,
    info: [/moved sidecar "proxy" to the front/],
  },
  {
    name: "a blank line above comments that stay under the entry before a sidecar is kept, with a comment above the sidecar moving with it",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: app
    image: nginx

    # about the app
  # the proxy
  - name: proxy
    image: envoy
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  # the proxy
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command:
          - /proxy
          - wait
          - --timeout=60s
  - name: app
    image: nginx

    # about the app
`,
    info: [/moved sidecar "proxy" to the front/],
  },
  {
    name: "a blank line above comments that stay under the entry before a sidecar is kept",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: app
    image: nginx

    # about the app
  - name: proxy
    image: envoy
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command:
          - /proxy
          - wait
          - --timeout=60s
  - name: app
    image: nginx

    # about the app
`,
    info: [/moved sidecar "proxy" to the front/],
  },
  {
    name: "an empty initContainers list the user wrote is kept (only a list the move emptied goes)",
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  initContainers: []
  containers:
  - name: app
    image: nginx
  - name: proxy
    image: envoy
  volumes: []
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  initContainers: []
  containers:
  - name: proxy
    image: envoy
    lifecycle:
      postStart:
        exec:
          command:
          - /proxy
          - wait
          - --timeout=60s
  - name: app
    image: nginx
  volumes: []
`,
    info: [/moved sidecar "proxy" to the front/],
  },
  {
    name: "ReplicationController and wide lists keep their style",
    in: `apiVersion: v1
kind: ReplicationController
metadata:
  name: rc
spec:
  template:
    spec:
      containers:
        - name: app
          image: app
          ports:
            - containerPort: 80
        - name: proxy
          image: envoy
`,
    out: `apiVersion: v1
kind: ReplicationController
metadata:
  name: rc
spec:
  template:
    metadata:
      annotations:
        kubectl.kubernetes.io/default-container: app
    spec:
      containers:
        - name: proxy
          image: envoy
          lifecycle:
            postStart:
              exec:
                command:
                  - /proxy
                  - wait
                  - --timeout=60s
        - name: app
          image: app
          ports:
            - containerPort: 80
`,
    info: [/moved sidecar "proxy"/],
  },
];

describe("legacy strategy", () => {
  it("does not ask for a timeout where the wait command times out by default (pilot-agent wait, cloud-sql-proxy wait)", () => {
    const cfg = typedConfig("strategy: legacy\nsidecars:\n- name: proxy\n  wait: {exec: [pilot-agent, wait]}\n- name: db\n  wait: {exec: [/cloud-sql-proxy, wait]}\n");
    const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: a\n  - name: proxy\n    image: p\n  - name: db\n    image: d\n";
    const out = runChecked(resourceList([pod], cfg));
    expect(messages(out.results, "warning")).toEqual([]);
  });

  it.each(rows)("$name", (row) => checkRow(row, PROXY_CONFIG));

  it("says when sidecars is empty and nothing else names a sidecar (kpt's sidecars=, an unset variable)", () => {
    const pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: app\n  - name: istio-proxy\n    image: docker.io/istio/proxyv2:1.24.0\n";
    const empty = runChecked(resourceList([pod], typedConfig("strategy: legacy\nsidecars: []\n")));
    expect(empty.bodies[1]).toBe(pod);
    expect(empty.results).toEqual([
      expect.objectContaining({ severity: "warning", field: { path: "sidecars" }, message: "sidecars is empty and no workload names its sidecars in the sidecar-order.dev/sidecars annotation, so nothing was ordered in the one workload; list the sidecars you run, or leave sidecars out to use every preset" }),
    ]);
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: function-input\ndata:\n  strategy: legacy\n  sidecars: \"\"\n";
    expect(messages(runChecked(resourceList([pod], cm)).results, "warning")).toEqual([expect.stringMatching(/^sidecars is empty/)]);
    // The annotation names the sidecar: an empty list is how that is meant.
    const annotated = pod.replace("  name: p\n", "  name: p\n  annotations:\n    sidecar-order.dev/sidecars: istio-proxy\n");
    const named = runChecked(resourceList([annotated], typedConfig("strategy: legacy\nsidecars: []\n")));
    expect(messages(named.results, "warning")).toEqual([expect.stringMatching(/^sidecar "istio-proxy" is started before the app containers but has no wait command/)]);
    expect(messages(named.results, "info")).toEqual([expect.stringMatching(/moved sidecar "istio-proxy" to the front/)]);
  });

  it.each(rows.filter((r) => /comment/.test(r.name)).map((r) => [r.name, r] as const))("the plain-manifest path (Helm, --in-place) re-prints alike: %s", (_, row) => {
    // Plain streams re-print a changed item through yaml, where comments are re-attached by print.ts.
    const out = runFiles(["-"], { functionConfig: parse(row.config ?? PROXY_CONFIG), inPlace: false, readStdin: () => new TextEncoder().encode(row.in) });
    expect(out.stdout).toBe(row.out ?? row.in);
    const again = runFiles(["-"], { functionConfig: parse(row.config ?? PROXY_CONFIG), inPlace: false, readStdin: () => new TextEncoder().encode(out.stdout) });
    expect(again.stdout).toBe(out.stdout);
  });

  it("points results at the workload, the field and the file", () => {
    const item = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    config.kubernetes.io/path: 'apps/web.yaml'
    config.kubernetes.io/index: '2'
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
      - name: proxy
        image: envoy
`;
    const out = runChecked(resourceList([item], PROXY_CONFIG));
    expect(out.results).toEqual([
      {
        message: expect.stringMatching(/^moved sidecar "proxy"/),
        severity: "info",
        resourceRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop" },
        field: { path: "spec.template.spec.containers" },
        file: { path: "apps/web.yaml", index: 2 },
      },
    ]);
  });
});

describe("how long a wait command runs at most (waitLimitSeconds, which explain uses)", () => {
  it.each([
    ["a timeout flag", ["/proxy", "wait", "--timeout=60s"], 60],
    ["minutes", ["/proxy", "wait", "--max", "2m"], 120],
    ["a Go duration of two units (cloud-sql-proxy's --max)", ["/cloud-sql-proxy", "wait", "--max", "5m30s"], 330],
    ["hours", ["/usr/lib/linkerd/linkerd-await", "--timeout=1h", "--port=4191"], 3600],
    ["a decimal Go duration, without float noise", ["/usr/lib/linkerd/linkerd-await", "--timeout=8.3m"], 498],
    ["a Go duration starting with a dot", ["/cloud-sql-proxy", "wait", "--max", ".5m"], 30],
    ["an upper-case unit, which Go refuses", ["/cloud-sql-proxy", "wait", "--max", "5M"], 30],
    ["timeout in front", ["timeout", "60", "sh", "-c", "until ready; do sleep 1; done"], 60],
    ["timeout with its own options", ["timeout", "-s", "KILL", "--preserve-status", "1.5m", "wait-ready"], 90],
    ["timeout at the head of an sh -c script", ["sh", "-c", "timeout 120 /bin/wait-ready"], 120],
    ["timeout 0, which sets no limit", ["timeout", "0", "wait-ready"], undefined],
    ["a flag that only ends in -timeout", ["sh", "-c", "until curl --connect-timeout 1 localhost:8080; do sleep 1; done"], undefined],
    ["a timeout of one try inside a loop that never ends", ["sh", "-c", "until wget --timeout=1 -qO- localhost:8080/ready; do sleep 1; done"], undefined],
    ["a flag that only ends in -timeout, as the command's own", ["/probe", "--connect-timeout", "1"], undefined],
    ["a self-timed wait's default", ["pilot-agent", "wait"], 60],
    ["a wait that says nothing", ["/proxy", "wait"], undefined],
  ])("%s", (_, command, seconds) => {
    expect(waitLimitSeconds(command as string[])).toBe(seconds);
  });
});
