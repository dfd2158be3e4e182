/** Every workload kind, custom ones through podTemplatePaths, and kinds that cannot be ordered. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { messages, resourceList, runChecked, typedConfig } from "../support/resource-list";

const CONTAINERS = "containers:\n- name: app\n  image: app\n- name: istio-proxy\n  image: docker.io/istio/proxyv2:1.24.0\n";
const indent = (text: string, n: number) => text.replace(/^(?=.)/gm, " ".repeat(n));
const withTemplate = (apiVersion: string, kind: string, path: string[], extra = "") => {
  let body = `spec:\n${indent(CONTAINERS, 2)}`;
  for (const seg of [...path].reverse()) body = `${seg}:\n${indent(body, 2)}`;
  return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: w\n${extra}${body}`;
};
const NATIVE = typedConfig('kubernetesVersion: "1.31"\nsidecars:\n- preset: istio\n');

const initOf = (body: string, path: string[]) => {
  let cur: unknown = parse(body);
  for (const seg of [...path, "spec", "initContainers"]) cur = (cur as Record<string, unknown>)[seg];
  return cur as { name: string }[] | undefined;
};

describe("workload kinds", () => {
  it.each([
    ["v1", "Pod", []],
    ["v1", "PodTemplate", ["template"]],
    ["v1", "ReplicationController", ["spec", "template"]],
    ["apps/v1", "Deployment", ["spec", "template"]],
    ["extensions/v1beta1", "Deployment", ["spec", "template"]],
    ["apps/v1", "ReplicaSet", ["spec", "template"]],
    ["apps/v1", "StatefulSet", ["spec", "template"]],
    ["apps/v1", "DaemonSet", ["spec", "template"]],
    ["batch/v1", "Job", ["spec", "template"]],
    ["batch/v1", "CronJob", ["spec", "jobTemplate", "spec", "template"]],
    ["argoproj.io/v1alpha1", "Rollout", ["spec", "template"]],
    ["apps.kruise.io/v1alpha1", "CloneSet", ["spec", "template"]],
    ["apps.kruise.io/v1beta1", "StatefulSet", ["spec", "template"]],
    ["apps.kruise.io/v1alpha1", "DaemonSet", ["spec", "template"]],
    ["apps.openshift.io/v1", "DeploymentConfig", ["spec", "template"]],
    ["jobset.x-k8s.io/v1alpha2", "JobSet", ["spec", "replicatedJobs", "template", "spec", "template"]],
    ["v1", "DeploymentConfig", ["spec", "template"]],
  ])("%s %s", (apiVersion, kind, path) => {
    const out = runChecked(resourceList([withTemplate(apiVersion, kind, path)], NATIVE));
    expect(initOf(out.bodies[1]!, path)?.map((c) => c.name)).toEqual(["istio-proxy"]);
  });

  it("skips an Argo Rollout that uses workloadRef, with an info", () => {
    const rollout = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: r\nspec:\n  workloadRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n";
    const out = runChecked(resourceList([rollout], NATIVE));
    expect(out.bodies[1]).toBe(rollout);
    expect(out.results).toEqual([expect.objectContaining({ severity: "info", message: expect.stringMatching(/workloadRef names; order that Deployment instead/), field: { path: "spec.workloadRef" } })]);
  });

  it("leaves a Knative Service unchanged and warns why", () => {
    const ksvc = withTemplate("serving.knative.dev/v1", "Service", ["spec", "template"]);
    const out = runChecked(resourceList([ksvc], NATIVE));
    expect(out.bodies[1]).toBe(ksvc);
    expect(messages(out.results, "warning")).toEqual([expect.stringMatching(/Knative Serving rejects lifecycle hooks and restartPolicy/)]);
  });

  it("orders any CRD named in podTemplatePaths (kustomize fieldSpec style)", () => {
    const crd = withTemplate("example.com/v1", "Worker", ["spec", "pod"]);
    const cfg = typedConfig('kubernetesVersion: "1.31"\npodTemplatePaths:\n- group: example.com\n  kind: Worker\n  path: spec/pod/spec\nsidecars:\n- preset: istio\n');
    const out = runChecked(resourceList([crd], cfg));
    expect(initOf(out.bodies[1]!, ["spec", "pod"])?.map((c) => c.name)).toEqual(["istio-proxy"]);
    const untouched = runChecked(resourceList([crd], NATIVE));
    expect(untouched.bodies[1]).toBe(crd);
  });

  it("orders every entry's pod template where a podTemplatePaths path meets a list, as kustomize's fieldSpecs do", () => {
    const ray = `apiVersion: ray.io/v1
kind: RayCluster
metadata:
  name: r
spec:
  workerGroupSpecs:
  - groupName: a # first
    template:
      spec:
        containers:
        - name: worker
          image: ray
        # the mesh
        - name: istio-proxy
          image: docker.io/istio/proxyv2:1.24.0
  - groupName: b
    template:
      spec:
        containers:
        - name: worker
          image: ray
  - groupName: c
    template:
      spec:
        containers:
        - name: worker
          image: 'ray'
        - name: istio-proxy
          image: docker.io/istio/proxyv2:1.24.0
`;
    const want = `apiVersion: ray.io/v1
kind: RayCluster
metadata:
  name: r
spec:
  workerGroupSpecs:
  - groupName: a # first
    template:
      spec:
        initContainers:
        # the mesh
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
        - name: worker
          image: ray
  - groupName: b
    template:
      spec:
        containers:
        - name: worker
          image: ray
  - groupName: c
    template:
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
        - name: worker
          image: 'ray'
`;
    const cfg = typedConfig('kubernetesVersion: "1.31"\npodTemplatePaths:\n- group: ray.io\n  kind: RayCluster\n  path: spec/workerGroupSpecs/template/spec\nsidecars:\n- preset: istio\n');
    const out = runChecked(resourceList([ray], cfg));
    expect(out.bodies[1]).toBe(want);
    const infos = out.results.filter((r) => r.severity === "info").map((r) => r.field?.path);
    expect(infos).toEqual(["spec.workerGroupSpecs[0].template.spec.initContainers", "spec.workerGroupSpecs[2].template.spec.initContainers"]);
    // Its own output changes nothing; an empty list orders nothing and says nothing.
    expect(runChecked(resourceList([want], cfg)).bodies[1]).toBe(want);
    const none = ray.replace(/  workerGroupSpecs:\n[\s\S]*$/, "  workerGroupSpecs: []\n");
    const empty = runChecked(resourceList([none], cfg));
    expect(empty.bodies[1]).toBe(none);
    expect(empty.results).toEqual([]);
  });

  it("orders the pod template of every podTemplatePaths entry that names the kind (a RayCluster's head group and worker groups)", () => {
    const ray = `apiVersion: ray.io/v1\nkind: RayCluster\nmetadata:\n  name: r\nspec:\n  headGroupSpec:\n    template:\n      spec:\n${indent(CONTAINERS, 8)}  workerGroupSpecs:\n  - template:\n      spec:\n${indent(CONTAINERS, 8)}`;
    const both = 'kubernetesVersion: "1.31"\nsidecars:\n- preset: istio\npodTemplatePaths:\n- group: ray.io\n  kind: RayCluster\n  path: spec/headGroupSpec/template/spec\n- {group: ray.io, version: v1, kind: RayCluster, path: spec/workerGroupSpecs/template/spec}\n- group: ray.io\n  kind: RayCluster\n  path: spec.headGroupSpec.template.spec\n';
    const out = runChecked(resourceList([ray], typedConfig(both)));
    expect(initOf(out.bodies[1]!, ["spec", "headGroupSpec", "template"])?.map((c) => c.name)).toEqual(["istio-proxy"]);
    expect(initOf(out.bodies[1]!, ["spec", "workerGroupSpecs", "0", "template"])?.map((c) => c.name)).toEqual(["istio-proxy"]);
    // The same path twice counts once.
    expect(out.results.filter((r) => r.severity === "info" && /moved sidecar/.test(r.message)).map((r) => r.field?.path)).toEqual(["spec.headGroupSpec.template.spec.initContainers", "spec.workerGroupSpecs[0].template.spec.initContainers"]);
    // An entry whose field the object leaves out (no worker groups) is skipped, as kustomize skips it.
    const headOnly = ray.replace(/  workerGroupSpecs:\n[\s\S]*$/, "");
    const skipped = runChecked(resourceList([headOnly], typedConfig(both)));
    expect(initOf(skipped.bodies[1]!, ["spec", "headGroupSpec", "template"])?.map((c) => c.name)).toEqual(["istio-proxy"]);
    expect(skipped.results.filter((r) => r.severity !== "info")).toEqual([]);
    // An entry that reached a list keeps every path in it: a bad list entry is named, not skipped.
    const typo = ray.replace("  workerGroupSpecs:\n  - template:", "  workerGroupSpecs:\n  - templete:");
    const named = runChecked(resourceList([typo], typedConfig(both)));
    expect(named.bodies[1]).toBe(typo);
    expect(named.results.map((r) => [r.severity, r.field?.path])).toEqual([["error", "spec.workerGroupSpecs[0].template"]]);
    // A null field (a chart's empty range renders one) is missing too.
    const nullWorkers = runChecked(resourceList([`${headOnly}  workerGroupSpecs:\n`], typedConfig(both)));
    expect(initOf(nullWorkers.bodies[1]!, ["spec", "headGroupSpec", "template"])?.map((c) => c.name)).toEqual(["istio-proxy"]);
    expect(nullWorkers.results.filter((r) => r.severity !== "info")).toEqual([]);
    // An entry for another version does not count for this one.
    const other = both.replace("version: v1", "version: v2");
    const head = runChecked(resourceList([ray], typedConfig(other)));
    expect(initOf(head.bodies[1]!, ["spec", "workerGroupSpecs", "0", "template"])).toBeUndefined();
  });

  it("leaves the whole object as it was when one of its pod templates is refused, and says what each would need", () => {
    const job = (containers: string) => `  - template:\n      spec:\n        template:\n          spec:\n${indent(containers, 12)}`;
    const jobset = `apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata:\n  name: mixed\nspec:\n  replicatedJobs:\n${job(CONTAINERS)}${job("containers: 3\n")}${job(CONTAINERS)}`;
    const out = runChecked(resourceList([jobset], NATIVE));
    expect(out.bodies[1]).toBe(jobset);
    expect(out.results.map((r) => [r.severity, r.field?.path])).toEqual([["error", "spec.replicatedJobs[1].template.spec.template.spec.containers"]]);
    // mode: check says what mode: apply would do: nothing but the refusal, not "run with mode: apply to fix" for the other templates.
    const checked = runChecked(resourceList([jobset], NATIVE.replace("kubernetesVersion", "mode: check\nkubernetesVersion")));
    expect(checked.bodies[1]).toBe(jobset);
    expect(checked.results.map((r) => [r.severity, r.field?.path])).toEqual([["error", "spec.replicatedJobs[1].template.spec.template.spec.containers"]]);
    // Nothing said of changes not made: a sidecar with no probe would have been warned about where it would have gone.
    const noProbe = jobset.replaceAll("image: docker.io/istio/proxyv2:1.24.0", "image: docker.io/istio/proxyv2:1.24.0\n              readinessProbe: null");
    const bare = runChecked(resourceList([noProbe], typedConfig('kubernetesVersion: "1.31"\nsidecars:\n- name: istio-proxy\n')));
    expect(bare.results.map((r) => r.severity)).toEqual(["error"]);
    // An anchor a later item aliases: the refused edit is not carried into the templates after it.
    const anchored = jobset.replace("containers: 3\n", "containers: 3\n").replace(/(  - template:\n      spec:\n        template:\n          spec:\n            )containers:/, "$1containers: &ctrs");
    const copy = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: copy\ndata:\n  copy: *ctrs\n";
    const shared = runChecked(resourceList([anchored, copy], NATIVE));
    expect(shared.bodies[1]).toBe(anchored);
    expect(shared.results.map((r) => [r.severity, r.field?.path])).toEqual([
      ["error", "spec.replicatedJobs[0].template.spec.template.spec"],
      ["error", "spec.replicatedJobs[1].template.spec.template.spec.containers"],
    ]);
  });

  it("steps into a list where a podTemplatePaths path ends, and names a list entry that is no object where it stands", () => {
    const pool = `apiVersion: example.com/v1\nkind: Pool\nmetadata:\n  name: p\nspec:\n  podTemplates:\n  - spec:\n${indent(CONTAINERS, 6)}  - spec:\n${indent(CONTAINERS, 6)}`;
    const cfg = typedConfig('kubernetesVersion: "1.31"\npodTemplatePaths:\n- group: example.com\n  kind: Pool\n  path: spec/podTemplates/spec\nsidecars:\n- preset: istio\n');
    const out = runChecked(resourceList([pool], cfg));
    for (const i of ["0", "1"]) expect(initOf(out.bodies[1]!, ["spec", "podTemplates", i])?.map((c) => c.name)).toEqual(["istio-proxy"]);
    const scalar = runChecked(resourceList([pool.replace(/  podTemplates:\n[\s\S]*$/, "  podTemplates:\n  - just-a-string\n")], cfg));
    expect(scalar.results.map((r) => [r.severity, r.message])).toEqual([["error", "spec.podTemplates[0] is not an object; the workload was left as it is"]]);
    // One object is one workload, however many pod templates it has, and once only when refused.
    const refusedPool = pool.replace("  podTemplates:\n  - spec:", "  podTemplates:\n  - nospec: {}\n  - spec:");
    const once = runChecked(resourceList([refusedPool], cfg.replace("- preset: istio", "- preset: istio\n- preset: linkerd")));
    expect(messages(once.results, "warning")).toEqual([expect.stringContaining("matches no container in any of the 1 workload,")]);
    expect(messages(once.results, "error")).toEqual(["spec.podTemplates[0].spec is missing or not an object; the workload was left as it is"]);
    const unused = runChecked(resourceList([pool], cfg.replace("- preset: istio", "- preset: istio\n- preset: linkerd")));
    expect(messages(unused.results, "warning")).toEqual([expect.stringContaining("matches no container in any of the 1 workload,")]);
  });

  it("warns about a skip annotation that does not skip on any one pod template of a list", () => {
    const job = (annotations: string) => `  - template:\n      spec:\n        template:\n${annotations}          spec:\n${indent(CONTAINERS, 12)}`;
    const jobset = `apiVersion: jobset.x-k8s.io/v1alpha2\nkind: JobSet\nmetadata:\n  name: s\nspec:\n  replicatedJobs:\n${job("")}${job('          metadata:\n            annotations:\n              sidecar-order.dev/skip: "yes"\n')}`;
    const out = runChecked(resourceList([jobset], NATIVE));
    expect(out.results.filter((r) => r.severity === "warning").map((r) => r.field?.path)).toEqual(["spec.replicatedJobs[1].template.spec.template.metadata.annotations"]);
  });

  it("orders each of a JobSet's replicated jobs, and refuses legacy sidecars in them as in any Job", () => {
    const jobset = `apiVersion: jobset.x-k8s.io/v1alpha2
kind: JobSet
metadata:
  name: train
spec:
  replicatedJobs:
${["leader", "workers"].map((n) => `  - name: ${n}\n    template:\n      spec:\n        template:\n          spec:\n${indent(CONTAINERS, 12)}`).join("")}`;
    const out = runChecked(resourceList([jobset], NATIVE));
    for (const i of [0, 1]) expect(initOf(out.bodies[1]!, ["spec", "replicatedJobs", String(i), "template", "spec", "template"])?.map((c) => c.name)).toEqual(["istio-proxy"]);
    const legacy = runChecked(resourceList([jobset], typedConfig('kubernetesVersion: "1.27"\nsidecars:\n- preset: istio\n')));
    expect(legacy.bodies[1]).toBe(jobset);
    expect(legacy.results.filter((r) => r.severity === "error").map((r) => r.field?.path)).toEqual([
      "spec.replicatedJobs[0].template.spec.template.spec.containers",
      "spec.replicatedJobs[1].template.spec.template.spec.containers",
    ]);
  });

  it("warns about an unknown kind whose pod spec holds a sidecar, with the podTemplatePaths entry that would order it", () => {
    const crd = withTemplate("example.com/v1", "Worker", ["spec", "pod"]);
    const out = runChecked(resourceList([crd], NATIVE));
    expect(out.bodies[1]).toBe(crd);
    expect(out.results).toEqual([
      expect.objectContaining({
        severity: "warning",
        message: 'Worker (example.com/v1) is not a kind sidecar-order knows, but spec.pod.spec.containers holds sidecar "istio-proxy" (sidecars[0]), so it was left as it is; to have it ordered, add {group: "example.com", kind: "Worker", path: "spec/pod/spec"} to podTemplatePaths',
        field: { path: "spec.pod.spec.containers" },
        resourceRef: { apiVersion: "example.com/v1", kind: "Worker", name: "w" },
      }),
    ]);
    // No sidecar in it, or nothing like a pod spec: nothing to say.
    const plain = withTemplate("example.com/v1", "Worker", ["spec", "pod"]).replace(/- name: istio-proxy\n.*\n/, "");
    expect(runChecked(resourceList([plain], NATIVE)).results).toEqual([]);
    expect(runChecked(resourceList(["apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\nspec:\n  containers: 3\n"], NATIVE)).results).toEqual([]);
  });

  it("warns about a pod spec with a sidecar inside a list (Ray's worker groups), with the podTemplatePaths entry that reaches every entry", () => {
    const ray = `apiVersion: ray.io/v1
kind: RayCluster
metadata:
  name: r
spec:
  workerGroupSpecs:
  - groupName: a
    template:
      spec:
        containers:
        - name: worker
          image: rayproject/ray
        - name: istio-proxy
          image: docker.io/istio/proxyv2:1.22.0
`;
    const out = runChecked(resourceList([ray], NATIVE));
    expect(out.bodies[1]).toBe(ray);
    expect(out.results).toEqual([
      expect.objectContaining({
        severity: "warning",
        message: expect.stringMatching(/^RayCluster \(ray.io\/v1\) is not a kind sidecar-order knows, but spec.workerGroupSpecs\[0\].template.spec.containers holds sidecar "istio-proxy" .*add \{group: "ray.io", kind: "RayCluster", path: "spec\/workerGroupSpecs\/template\/spec"\} to podTemplatePaths$/),
        field: { path: "spec.workerGroupSpecs[0].template.spec.containers" },
      }),
    ]);
  });

  it("says that a List's items, or a ResourceList read as an item, are not looked into when they hold a sidecar", () => {
    const deploy = withTemplate("apps/v1", "Deployment", ["spec", "template"]);
    const list = `apiVersion: v1\nkind: List\nitems:\n${indent(deploy, 2).replace(/^  /, "- ")}`;
    const out = runChecked(resourceList([list], NATIVE));
    expect(out.bodies[1]).toBe(list);
    expect(out.results).toEqual([
      expect.objectContaining({
        severity: "warning",
        message: 'List (v1) holds its objects in items, which sidecar-order does not look into, so the sidecar "istio-proxy" (sidecars[0]) in items[0] (Deployment w) was left where it is; write the objects as documents of their own (kubectl get -o yaml wraps them in a List)',
        field: { path: "items[0].spec.template.spec.containers" },
      }),
    ]);
    const nested = list.replace("apiVersion: v1\nkind: List", "apiVersion: config.kubernetes.io/v1\nkind: ResourceList");
    expect(messages(runChecked(resourceList([nested], NATIVE)).results, "warning")).toEqual([
      'this ResourceList (kpt\'s wire format) was read as a plain manifest, so the sidecar "istio-proxy" (sidecars[0]) in items[0] (Deployment w) was left where it is; to run sidecar-order on its items, pipe it in with no PATH (sidecar-order < FILE) or run it through kpt',
    ]);
    // Items with no sidecar: nothing to say.
    expect(runChecked(resourceList([list.replace(/- name: istio-proxy\n.*\n/, "")], NATIVE)).results).toEqual([]);
  });

  it("refuses a podTemplatePaths path that does not end at a pod spec", () => {
    const out = runChecked(resourceList([], typedConfig("podTemplatePaths:\n- kind: Worker\n  path: spec/pod\n")));
    expect(out.exitCode).toBe(1);
    expect(messages(out.results, "error")[0]).toMatch(/podTemplatePaths\[0\]\.path: a path to the pod spec ending in "spec"/);
  });
});

describe("duplicate workloads", () => {
  it("names the duplicated workload, also when neither copy has anything else to say", () => {
    const plain = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app\n";
    const out = runChecked(resourceList([plain, plain], NATIVE));
    expect(out.exitCode).toBe(1);
    expect(messages(out.results, "error")).toEqual(["items[2] repeats items[1]: both are Deployment shop/web (same kind, namespace and name); all copies were kept and left as they are, remove all but one"]);
  });

  it.each([
    ["extensions/v1beta1", "apps/v1"],
    ["apps/v1beta1", "apps/v1"],
    ["apps/v1beta2", "extensions/v1beta1"],
    ["v1", "apps.openshift.io/v1"],
  ])("the same object under %s and %s is one workload listed twice", (a, b) => {
    const kind = a === "v1" ? "DeploymentConfig" : "Deployment";
    const first = withTemplate(a, kind, ["spec", "template"]);
    const second = withTemplate(b, kind, ["spec", "template"]);
    const out = runChecked(resourceList([first, second], NATIVE));
    expect(out.exitCode).toBe(1);
    expect(messages(out.results, "error")).toEqual([expect.stringMatching(new RegExp(`^items\\[2\\] repeats items\\[1\\]: both are ${kind} w \\(same kind, namespace and name\\)`))]);
    expect(out.bodies[1]).toBe(first);
    expect(out.bodies[2]).toBe(second);
  });

  it("a copy says only its errors: no risk of a change that is not made", () => {
    // A Job whose native sidecar would get a startupProbe on kubelet 1.30 (kubernetes#132826) is warned about, once.
    const job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: app\n        image: app\n      - name: istio-proxy\n        image: docker.io/istio/proxyv2:1.24.0\n";
    const cfg = typedConfig('kubernetesVersion: "1.30"\nsidecars:\n- preset: istio\n');
    expect(runChecked(resourceList([job], cfg)).results.some((r) => r.severity === "warning")).toBe(true);
    const twice = runChecked(resourceList([job, job], cfg));
    expect(twice.results.map((r) => r.severity)).toEqual(["error"]);
  });

  it("objects named by the API server (generateName, no name) are no copies of each other: each is ordered", () => {
    const job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: app\n        image: app\n      - name: istio-proxy\n        image: docker.io/istio/proxyv2:1.24.0\n";
    const out = runChecked(resourceList([job, job], typedConfig('kubernetesVersion: "1.33"\nsidecars:\n- preset: istio\n')));
    expect(out.exitCode).toBe(0);
    expect(messages(out.results, "error")).toEqual([]);
    expect(out.bodies[1]).toContain("restartPolicy: Always");
    expect(out.bodies[2]).toBe(out.bodies[1]);
  });

  it("the same name in another API group is another object", () => {
    const out = runChecked(resourceList([withTemplate("apps/v1", "DaemonSet", ["spec", "template"]), withTemplate("apps.kruise.io/v1alpha1", "DaemonSet", ["spec", "template"])], NATIVE));
    expect(out.exitCode).toBe(0);
  });
});
