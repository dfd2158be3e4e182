/** The effective pod requests and limits, as rows of whole pod specs in and figures out. */
import { describe as group, expect, it } from "vitest";
import { parse } from "yaml";
import { describe, formatQuantity, parseQuantity, podResources } from "../../src/pod/resources";

const rows: { name: string; spec: string; requests: string; limits: string }[] = [
  {
    name: "app containers only: the sum",
    spec: `containers:
- {name: app, resources: {requests: {cpu: 500m, memory: 256Mi}}}
- {name: proxy, resources: {requests: {cpu: 100m, memory: 128Mi}}}`,
    requests: "cpu 600m, memory 384Mi",
    limits: "",
  },
  {
    name: "a plain init container bigger than the app sets the figure",
    spec: `initContainers:
- {name: migrate, resources: {requests: {cpu: "2", memory: 1Gi}}}
containers:
- {name: app, resources: {requests: {cpu: 500m, memory: 256Mi}}}`,
    requests: "cpu 2, memory 1Gi",
    limits: "",
  },
  {
    name: "a native sidecar before a plain init container runs beside it: they add up",
    spec: `initContainers:
- {name: proxy, restartPolicy: Always, resources: {requests: {cpu: 100m, memory: 128Mi}}}
- {name: migrate, resources: {requests: {cpu: "1", memory: 512Mi}}}
containers:
- {name: app, resources: {requests: {cpu: 500m, memory: 256Mi}}}`,
    requests: "cpu 1100m, memory 640Mi",
    limits: "",
  },
  {
    name: "a native sidecar after the plain init container does not",
    spec: `initContainers:
- {name: migrate, resources: {requests: {cpu: "1", memory: 512Mi}}}
- {name: proxy, restartPolicy: Always, resources: {requests: {cpu: 100m, memory: 128Mi}}}
containers:
- {name: app, resources: {requests: {cpu: 500m, memory: 256Mi}}}`,
    requests: "cpu 1, memory 512Mi",
    limits: "",
  },
  {
    name: "several init containers and sidecars: the largest running set wins, per resource",
    spec: `initContainers:
- {name: a, resources: {requests: {cpu: 300m, memory: 2Gi}}}
- {name: s1, restartPolicy: Always, resources: {requests: {cpu: 200m, memory: 64Mi}}}
- {name: b, resources: {requests: {cpu: "1", memory: 64Mi}}}
- {name: s2, restartPolicy: Always, resources: {requests: {cpu: 200m, memory: 64Mi}}}
- {name: c, resources: {requests: {cpu: 900m}}}
containers:
- {name: app, resources: {requests: {cpu: 100m, memory: 100Mi}}}`,
    requests: "cpu 1300m, memory 2Gi",
    limits: "",
  },
  {
    name: "limits without requests count as requests (API defaulting); limits add up like requests",
    spec: `initContainers:
- {name: proxy, restartPolicy: Always, resources: {limits: {cpu: 200m, memory: 128Mi}}}
containers:
- {name: app, resources: {limits: {cpu: "1", memory: 1Gi}}}`,
    requests: "cpu 1200m, memory 1152Mi",
    limits: "cpu 1200m, memory 1152Mi",
  },
  {
    name: "overhead is added to requests, and to limits that are set",
    spec: `overhead: {cpu: 250m, memory: 120Mi}
containers:
- {name: app, resources: {requests: {cpu: 500m}, limits: {memory: 256Mi}}}`,
    requests: "cpu 750m, memory 376Mi",
    limits: "memory 376Mi",
  },
  {
    name: "pod-level resources replace the containers' figure for cpu and memory, not for other resources",
    spec: `resources: {requests: {cpu: "2"}, limits: {memory: 4Gi}}
containers:
- {name: app, resources: {requests: {cpu: 500m, memory: 256Mi, ephemeral-storage: 1Gi}, limits: {nvidia.com/gpu: "1"}}}`,
    requests: "cpu 2, memory 256Mi, ephemeral-storage 1Gi, nvidia.com/gpu 1",
    limits: "memory 4Gi, nvidia.com/gpu 1",
  },
];

group("effective pod requests and limits (component-helpers/resource v0.34)", () => {
  for (const row of rows) {
    it(row.name, () => {
      const r = podResources(parse(row.spec) as Record<string, unknown>);
      expect(describe(r.requests, r.binary)).toBe(row.requests);
      expect(describe(r.limits, r.binary)).toBe(row.limits);
    });
  }
});

group("quantities", () => {
  it("reads every notation Kubernetes accepts and writes it back in the user's", () => {
    const cases: [string, string][] = [["100m", "100m"], ["1.5", "1500m"], ["0.1", "100m"], [".5", "500m"], ["128Mi", "128Mi"], ["1Gi", "1Gi"], ["1.5Gi", "1536Mi"], ["1e3", "1k"], ["1.5e3", "1500"], ["500M", "500M"], ["2", "2"], ["250u", "250u"]];
    for (const [text, back] of cases) {
      const q = parseQuantity(text)!;
      expect(formatQuantity(q.nanos, q.binary), text).toBe(back);
    }
    expect(parseQuantity(2)?.nanos).toBe(2_000_000_000n);
    for (const bad of ["", "m", "1Xi", "abc", "1.2.3"]) expect(parseQuantity(bad), bad).toBeUndefined();
  });
});
