/**
 * Anchors, aliases and merge keys on an edit's way: whole documents in and out. Every row also
 * checks, through checkRow, that the neighbours come out byte for byte and that a second run
 * changes nothing; and here, that every place the function was not asked to change still means
 * what it meant (read as kubectl and kpt read it: merge keys honoured).
 */
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { resourceList, runChecked, typedConfig } from "../support/resource-list";
import { checkRow, type Row } from "../support/table";

const native = typedConfig("strategy: native\nsidecars:\n- name: proxy\n");
const legacy = typedConfig("strategy: legacy\nsidecars:\n- name: proxy\n  wait: {exec: [wait-ready, --timeout=60s]}\n");

const rows: Row[] = [
  {
    name: "a lifecycle that is an alias keeps its preStop when a postStart is added (native)",
    config: native,
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
    lifecycle: &drain
      preStop:
        exec: {command: [sh, -c, "sleep 5"]}
  - name: proxy
    image: envoy
    lifecycle: *drain
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: proxy
    image: envoy
    lifecycle:
      preStop:
        exec: {command: [sh, -c, "sleep 5"]}
    restartPolicy: Always
  containers:
  - name: app
    image: app
    lifecycle: &drain
      preStop:
        exec: {command: [sh, -c, "sleep 5"]}
`,
    info: [/spelled\ out\ the\ YAML\ alias\ \*drain,\ which\ the\ move\ put\ before\ its\ anchor/],
    warnings: [/native\ sidecar\ "proxy"\ has\ no\ startupProbe,\ readinessProbe\ o/],
  },
  {
    name: "a lifecycle that is an alias keeps its preStop when a postStart is added (legacy)",
    config: legacy,
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
    lifecycle: &drain
      preStop:
        exec: {command: [sh, -c, "sleep 5"]}
  - name: proxy
    image: envoy
    lifecycle: *drain
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
        exec: {command: [sh, -c, "sleep 5"]}
      postStart:
        exec:
          command:
          - wait-ready
          - --timeout=60s
  - name: app
    image: app
    lifecycle: &drain
      preStop:
        exec: {command: [sh, -c, "sleep 5"]}
`,
    info: [/spelled\ out\ the\ YAML\ alias\ \*drain\ at\ spec\.containers\[0\]\.lifecycle\ so\ that\ only\ this\ place\ changes/],
  },
  {
    name: "a startupProbe that is an alias keeps its handler when the sidecar moves before the anchor (native)",
    config: native,
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
    readinessProbe: &ready
      httpGet: {path: /ready, port: 9901}
      periodSeconds: 2
  - name: proxy
    image: envoy
    startupProbe: *ready
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
      httpGet: {path: /ready, port: 9901}
      periodSeconds: 2
    restartPolicy: Always
  containers:
  - name: app
    image: app
    readinessProbe: &ready
      httpGet: {path: /ready, port: 9901}
      periodSeconds: 2
`,
    info: [/spelled\ out\ the\ YAML\ alias\ \*ready,\ which\ the\ move\ put\ before\ its\ anchor/],
  },
  {
    name: "a startupProbe that is an alias keeps its handler when the sidecar moves before the anchor (legacy)",
    config: legacy,
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
    readinessProbe: &ready
      httpGet: {path: /ready, port: 9901}
      periodSeconds: 2
  - name: proxy
    image: envoy
    startupProbe: *ready
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
    startupProbe:
      httpGet: {path: /ready, port: 9901}
      periodSeconds: 2
    lifecycle:
      postStart:
        exec:
          command:
          - wait-ready
          - --timeout=60s
  - name: app
    image: app
    readinessProbe: &ready
      httpGet: {path: /ready, port: 9901}
      periodSeconds: 2
`,
    info: [/spelled\ out\ the\ YAML\ alias\ \*ready,\ which\ the\ move\ put\ before\ its\ anchor/],
  },
  {
    name: "a containers list shared with another place of the item: only the pod template changes (native)",
    config: native,
    in: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: c
  annotations:
    example.com/containers-copy: "see below"
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: &cs
          - name: app
            image: app
          - name: proxy
            image: envoy
            startupProbe: {tcpSocket: {port: 9901}}
  x-copy:
    containers: *cs
`,
    out: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: c
  annotations:
    example.com/containers-copy: "see below"
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          initContainers:
          - name: proxy
            image: envoy
            startupProbe: {tcpSocket: {port: 9901}}
            restartPolicy: Always
          containers: &cs
            - name: app
              image: app
  x-copy:
    containers:
    - name: app
      image: app
    - name: proxy
      image: envoy
      startupProbe: {tcpSocket: {port: 9901}}
`,
    info: [/spelled\ out\ the\ YAML\ alias\ \*cs\ elsewhere\ in\ the\ item\ so\ that\ it\ keeps\ what\ it\ meant\ before\ the\ edit/],
  },
  {
    name: "a containers list shared with another place of the item: only the pod template changes (legacy)",
    config: legacy,
    in: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: c
  annotations:
    example.com/containers-copy: "see below"
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: &cs
          - name: app
            image: app
          - name: proxy
            image: envoy
            startupProbe: {tcpSocket: {port: 9901}}
  x-copy:
    containers: *cs
`,
    errors: [/the\ legacy\ sidecar\ "proxy"\ would\ keep\ this\ CronJob's\ pod\ run/],
  },
  {
    name: "a container that merges the sidecar (plain <<) does not inherit the sidecar's new fields (native)",
    config: native,
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - &proxy
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
  - <<: *proxy
    name: app
    image: app
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - &proxy
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
    restartPolicy: Always
  containers:
  - startupProbe: {tcpSocket: {port: 9901}}
    name: app
    image: app
`,
    info: [/spelled\ out\ the\ YAML\ alias\ \*proxy\ elsewhere\ in\ the\ item\ so\ that\ it\ keeps\ what\ it\ meant\ before\ the\ edit/],
  },
  {
    name: "a container that merges the sidecar (plain <<) does not inherit the sidecar's new fields (legacy)",
    config: legacy,
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - &proxy
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
  - <<: *proxy
    name: app
    image: app
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - &proxy
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
    lifecycle:
      postStart:
        exec:
          command:
          - wait-ready
          - --timeout=60s
  - startupProbe: {tcpSocket: {port: 9901}}
    name: app
    image: app
`,
    info: [/spelled\ out\ the\ YAML\ alias\ \*proxy\ elsewhere\ in\ the\ item\ so\ that\ it\ keeps\ what\ it\ meant\ before\ the\ edit/],
  },
  {
    name: "a sidecar that merges another container (!!merge <<) keeps the merged preStop (native)",
    config: native,
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - &base
    name: app
    image: app
    lifecycle:
      preStop: {exec: {command: [sh, -c, "sleep 3"]}}
  - !!merge <<: *base
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - lifecycle:
      preStop: {exec: {command: [sh, -c, "sleep 3"]}}
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
    restartPolicy: Always
  containers:
  - &base
    name: app
    image: app
    lifecycle:
      preStop: {exec: {command: [sh, -c, "sleep 3"]}}
`,
    info: [/spelled\ out\ the\ merge\ key/],
  },
  {
    name: "a sidecar that merges another container (!!merge <<) keeps the merged preStop (legacy)",
    config: legacy,
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - &base
    name: app
    image: app
    lifecycle:
      preStop: {exec: {command: [sh, -c, "sleep 3"]}}
  - !!merge <<: *base
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
`,
    out: `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  containers:
  - lifecycle:
      preStop: {exec: {command: [sh, -c, "sleep 3"]}}
      postStart:
        exec:
          command:
          - wait-ready
          - --timeout=60s
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
  - &base
    name: app
    image: app
    lifecycle:
      preStop: {exec: {command: [sh, -c, "sleep 3"]}}
`,
    info: [/spelled\ out\ the\ merge\ key/],
  },
  {
    name: "a whole container that is an alias is edited as a copy; the anchor stays as it was (native)",
    config: native,
    in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  x-sidecar: &proxy
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
  template:
    spec:
      containers:
      - name: app
        image: app
      - *proxy
`,
    out: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  x-sidecar: &proxy
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
  template:
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
    info: [/spelled\ out\ the\ YAML\ alias\ \*proxy\ at\ spec\.template\.spec\.containers\[1\]\ so\ that\ only\ this\ place\ changes/],
  },
  {
    name: "a whole container that is an alias is edited as a copy; the anchor stays as it was (legacy)",
    config: legacy,
    in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  x-sidecar: &proxy
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
  template:
    spec:
      containers:
      - name: app
        image: app
      - *proxy
`,
    out: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  x-sidecar: &proxy
    name: proxy
    image: envoy
    startupProbe: {tcpSocket: {port: 9901}}
  template:
    metadata:
      annotations:
        kubectl.kubernetes.io/default-container: app
    spec:
      containers:
      - name: proxy
        image: envoy
        startupProbe: {tcpSocket: {port: 9901}}
        lifecycle:
          postStart:
            exec:
              command:
              - wait-ready
              - --timeout=60s
      - name: app
        image: app
`,
    info: [/spelled\ out\ the\ YAML\ alias\ \*proxy\ at\ spec\.template\.spec\.containers\[1\]\ so\ that\ only\ this\ place\ changes/],
  },
  {
    name: "a pod spec that is an alias is edited as a copy; the anchor stays as it was (native)",
    config: native,
    in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  x-spec: &spec
    containers:
    - name: app
      image: app
    - name: &n proxy
      image: envoy
      startupProbe: {tcpSocket: {port: 9901}}
  template:
    spec: *spec
`,
    out: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  x-spec: &spec
    containers:
    - name: app
      image: app
    - name: &n proxy
      image: envoy
      startupProbe: {tcpSocket: {port: 9901}}
  template:
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
    info: [/spelled\ out\ the\ YAML\ alias\ \*spec\ at\ spec\.template\.spec\ so\ that\ only\ this\ place\ changes/],
  },
  {
    name: "a pod spec that is an alias is edited as a copy; the anchor stays as it was (legacy)",
    config: legacy,
    in: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  x-spec: &spec
    containers:
    - name: app
      image: app
    - name: &n proxy
      image: envoy
      startupProbe: {tcpSocket: {port: 9901}}
  template:
    spec: *spec
`,
    out: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  x-spec: &spec
    containers:
    - name: app
      image: app
    - name: &n proxy
      image: envoy
      startupProbe: {tcpSocket: {port: 9901}}
  template:
    metadata:
      annotations:
        kubectl.kubernetes.io/default-container: app
    spec:
      containers:
      - name: proxy
        image: envoy
        startupProbe: {tcpSocket: {port: 9901}}
        lifecycle:
          postStart:
            exec:
              command:
              - wait-ready
              - --timeout=60s
      - name: app
        image: app
`,
    info: [/spelled\ out\ the\ YAML\ alias\ \*spec\ at\ spec\.template\.spec\ so\ that\ only\ this\ place\ changes/],
  },
  {
    name: "an alias the move would put before its anchor is spelled out (native)",
    config: native,
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
    env: &env
    - {name: MODE, value: prod}
  - name: proxy
    image: envoy
    env: *env
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
    env:
    - {name: MODE, value: prod}
    startupProbe: {tcpSocket: {port: 9901}}
    restartPolicy: Always
  containers:
  - name: app
    image: app
    env: &env
      - {name: MODE, value: prod}
`,
    info: [/spelled\ out\ the\ YAML\ alias\ \*env,\ which\ the\ move\ put\ before\ its\ anchor/],
  },
  {
    name: "an alias the move would put before its anchor is spelled out (legacy)",
    config: legacy,
    in: `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: app
    image: app
    env: &env
    - {name: MODE, value: prod}
  - name: proxy
    image: envoy
    env: *env
    startupProbe: {tcpSocket: {port: 9901}}
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
    env:
    - {name: MODE, value: prod}
    startupProbe: {tcpSocket: {port: 9901}}
    lifecycle:
      postStart:
        exec:
          command:
          - wait-ready
          - --timeout=60s
  - name: app
    image: app
    env: &env
      - {name: MODE, value: prod}
`,
    info: [/spelled\ out\ the\ YAML\ alias\ \*env,\ which\ the\ move\ put\ before\ its\ anchor/],
  },
];

/** The item as kubectl reads it. */
function data(text: string): Record<string, unknown> {
  return parseDocument(text, { merge: true }).toJS() as Record<string, unknown>;
}

/** Fields the function may change on a sidecar it orders; everything else must survive. */
const SIDECAR_FIELDS = new Set(["restartPolicy", "startupProbe", "lifecycle", "resizePolicy"]);

/** Every container keeps every field it had (a sidecar's own fields aside), and every other place is as it was. */
function expectNothingLost(before: Record<string, unknown>, after: Record<string, unknown>): void {
  const containers = (o: unknown): Map<string, Record<string, unknown>> => {
    const found = new Map<string, Record<string, unknown>>();
    const walk = (v: unknown, key: string) => {
      if (Array.isArray(v)) {
        for (const c of v) if ((key === "containers" || key === "initContainers") && c && typeof c === "object" && "name" in c) found.set(String((c as { name: unknown }).name), c as Record<string, unknown>);
        v.forEach((x) => walk(x, ""));
      } else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
    };
    walk(o, "");
    return found;
  };
  const was = containers(before);
  const now = containers(after);
  for (const [name, c] of was) {
    for (const [k, v] of Object.entries(c)) {
      if (name === "proxy" && SIDECAR_FIELDS.has(k)) continue;
      expect(now.get(name)?.[k], `${name}.${k}`).toEqual(v);
    }
  }
  // Places outside the pod template (x-copy, x-spec, metadata) mean what they meant.
  for (const [k, v] of Object.entries((before["spec"] ?? {}) as Record<string, unknown>)) {
    if (k === "template" || k === "jobTemplate" || k === "containers" || k === "initContainers") continue;
    expect((after["spec"] as Record<string, unknown>)[k], `spec.${k}`).toEqual(v);
  }
}

describe("anchors, aliases and merge keys", () => {
  for (const row of rows) {
    it(row.name, () => {
      checkRow(row, native);
      expectNothingLost(data(row.in), data(row.out ?? row.in));
    });
  }

  it("refuses to change an anchor that a later item aliases, and says why on both items", () => {
    const one = `apiVersion: apps/v1
kind: Deployment
metadata: {name: one}
spec:
  template:
    spec:
      containers: &cs
      - name: app
        image: app
      - name: proxy
        image: envoy
        startupProbe: {tcpSocket: {port: 9901}}
`;
    const two = `apiVersion: apps/v1
kind: Deployment
metadata: {name: two}
spec:
  template:
    spec:
      containers: *cs
`;
    const input = resourceList([one, two], native, false);
    const out = runChecked(input);
    expect(out.text.slice(0, out.text.indexOf("functionConfig:"))).toBe(input.slice(0, input.indexOf("functionConfig:")));
    expect(out.results.map((r) => `${r.severity}: ${r.message}`)).toEqual([
      expect.stringMatching(/^error: needs a change to what its YAML anchor &cs holds, which later items alias/),
      expect.stringMatching(/^warning: items\[1\] uses the YAML alias \*cs defined in an earlier item/),
    ]);
    expect(out.exitCode).toBe(1);
  });
});
