/** What the target's versions do to the pod the plan leaves: old clusters and known defects. */
import { describe, expect, it } from "vitest";
import { messages, resourceList, runChecked, typedConfig } from "../support/resource-list";

const job = (sidecar: string) => `apiVersion: batch/v1
kind: Job
metadata:
  name: export
spec:
  template:
    spec:
      restartPolicy: Never
      initContainers:
${sidecar}      containers:
      - name: export
        image: export
`;
const NATIVE_WITH_PROBE = `      - name: proxy
        image: proxy
        restartPolicy: Always
        startupProbe: {tcpSocket: {port: 15021}}
`;
const cfg = (versions: string) => typedConfig(`${versions}sidecars:\n- name: proxy\n`);

describe("existing native sidecars on a cluster too old for them", () => {
  it.each([
    // Before 1.28 no feature gate helps: an error, as strategy: native is there.
    ['kubernetesVersion: "1.27"\n', /but the API server runs 1.27: API servers before 1.28 do not know restartPolicy on init containers: with strict field validation \(kubectl's default\) they reject it.*; move it to spec.containers, or upgrade the cluster to 1.29 or later and raise kubernetesVersion; the workload was left as it is$/, "error"],
    ['kubernetesVersion: "1.28.4"\n', /but the API server runs 1.28.4: there the SidecarContainers feature gate is off by default, and without it the API server drops restartPolicy, then rejects the workload if the init container has a startupProbe/],
    // The API server keeps restartPolicy; the old kubelet is what ignores it.
    ['kubernetesVersion: "1.31"\nkubeletVersion: "1.28"\n', /but the kubelets run 1.28: the SidecarContainers feature gate is off by default on the kubelets, so the kubelet ignores restartPolicy and the sidecar runs as a plain init container that never exits.*or upgrade the nodes to 1.29 or later and raise kubeletVersion$/],
    ['kubernetesVersion: "1.31"\nkubeletVersion: "1.27"\n', /but the kubelets run 1.27: kubelets before 1.28 do not know restartPolicy on init containers, so the kubelet ignores/, "error"],
    // Both too old, in different ways: both said, and both to upgrade.
    ['kubernetesVersion: "1.28"\nkubeletVersion: "1.27"\n', /but the API server runs 1.28 and the kubelets run 1.27: there the SidecarContainers feature gate is off by default, .*; and kubelets before 1.28 do not know restartPolicy .*; move it to spec.containers, or upgrade the control plane and the nodes to 1.29 or later and raise kubernetesVersion and kubeletVersion; the workload was left as it is$/, "error"],
  ])("%s", (versions, message, severity = "warning") => {
    const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n  - name: logs\n    image: logs\n    restartPolicy: Always\n  containers:\n  - name: app\n    image: app\n`;
    const out = runChecked(resourceList([pod], typedConfig(`${versions}sidecars:\n- name: logs\n`)));
    expect(out.bodies[1]).toBe(pod);
    expect(out.results.map((r) => r.severity)).toEqual([severity]);
    expect(out.exitCode).toBe(severity === "error" ? 1 : 0);
    expect(out.results[0]!.message).toMatch(/^"logs" is a native sidecar \(an init container with restartPolicy: Always\), which needs Kubernetes 1.29 or later/);
    expect(out.results[0]!.message).toMatch(message);
    expect(out.results[0]!.field?.path).toBe("spec.initContainers[0].restartPolicy");
  });

  it("says nothing of the known defects of native sidecars where they cannot run at all (before 1.28), and says them on 1.28", () => {
    const old = runChecked(resourceList([job(NATIVE_WITH_PROBE)], cfg('kubernetesVersion: "1.27"\n')));
    expect(old.results.map((r) => r.message)).toEqual([expect.stringMatching(/^"proxy" is a native sidecar .* but the API server runs 1.27/)]);
    // On 1.28 the gate may be on: kubernetes#123710 was fixed in 1.28.8 only.
    const gated = runChecked(resourceList([job(NATIVE_WITH_PROBE)], cfg('kubernetesVersion: "1.28.3"\n')));
    expect(messages(gated.results, "warning")).toEqual([
      expect.stringMatching(/^"proxy" is a native sidecar .* but the API server runs 1.28.3/),
      expect.stringMatching(/kubernetes#132826/),
      expect.stringMatching(/kubernetes#123709, kubernetes#123710\) hits this pod on kube-apiserver 1.28.3/),
    ]);
  });

  it("a native sidecar no sidecars entry names is still one: warned too", () => {
    const pod = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: logs\n        image: logs\n        restartPolicy: Always\n      containers:\n      - name: app\n        image: app\n`;
    const out = runChecked(resourceList([pod], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: args\ndata:\n  kubernetesVersion: "1.27"\n'));
    expect(out.bodies[1]).toBe(pod);
    expect(out.results).toEqual([
      expect.objectContaining({ severity: "error", message: expect.stringMatching(/^"logs" is a native sidecar .* but the API server runs 1.27/), field: { path: "spec.template.spec.initContainers[0].restartPolicy" } }),
    ]);
  });

  it("nothing to say from 1.29 on, or with no version", () => {
    const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n  - name: logs\n    image: logs\n    restartPolicy: Always\n    startupProbe: {exec: {command: [/ready]}}\n  containers:\n  - name: app\n    image: app\n`;
    expect(runChecked(resourceList([pod], typedConfig('kubernetesVersion: "1.29"\nsidecars:\n- name: logs\n'))).results).toEqual([]);
    expect(runChecked(resourceList([pod], typedConfig("sidecars:\n- name: logs\n"))).results).toEqual([]);
  });
});

describe("known Kubernetes defects", () => {
  it("kubernetes#132826: restartPolicy Never, a native sidecar with a startupProbe, kubelet 1.32", () => {
    const out = runChecked(resourceList([job(NATIVE_WITH_PROBE)], cfg('kubernetesVersion: "1.32"\n')));
    expect(messages(out.results, "warning")).toEqual([
      "a known Kubernetes defect (kubernetes#132826) hits this pod on kubelet 1.32: the pod has restartPolicy: Never and a native sidecar with a startupProbe: if the sidecar's first start fails, the app containers never start (the sidecar's startup probe stops for good); it is fixed in 1.33.6 and 1.34.2, and from 1.35, so upgrade the nodes to a fixed release",
    ]);
    // A kubeletVersion newer than the API server's is taken for the API server's, as the skew warning says.
    const skewed = runChecked(resourceList([job(NATIVE_WITH_PROBE)], cfg('kubernetesVersion: "1.32"\nkubeletVersion: "1.34.2"\n')));
    expect(messages(skewed.results, "warning")).toEqual([expect.stringMatching(/^kubeletVersion 1.34.2 is newer than kubernetesVersion 1.32/), expect.stringMatching(/^a known Kubernetes defect \(kubernetes#132826\) hits this pod on kubelet 1.32:/)]);
  });

  it("says what it cannot know without a patch level, and nothing once fixed", () => {
    const unknown = runChecked(resourceList([job(NATIVE_WITH_PROBE)], cfg('kubernetesVersion: "1.34"\n')));
    expect(messages(unknown.results, "warning")).toEqual([expect.stringMatching(/on kubelet 1.34 unless every kubelet runs 1.34.2 or later:/)]);
    expect(runChecked(resourceList([job(NATIVE_WITH_PROBE)], cfg('kubernetesVersion: "1.34.2"\n'))).results).toEqual([]);
    expect(runChecked(resourceList([job(NATIVE_WITH_PROBE)], cfg('kubernetesVersion: "1.35"\n'))).results).toEqual([]);
    // The kubelet decides: a newer control plane does not help lagging nodes.
    expect(messages(runChecked(resourceList([job(NATIVE_WITH_PROBE)], cfg('kubernetesVersion: "1.35"\nkubeletVersion: "1.33.5"\n'))).results, "warning")).toEqual([
      expect.stringMatching(/kubernetes#132826\) hits this pod on kubelet 1.33.5:/),
    ]);
  });

  it("kubernetes#123709/#123710: a Job's native sidecar on an API server without the status fix", () => {
    const sidecar = "      - name: proxy\n        image: proxy\n        restartPolicy: Always\n        lifecycle: {postStart: {exec: {command: [/wait]}}}\n";
    const out = runChecked(resourceList([job(sidecar)], cfg('kubernetesVersion: "1.29.2"\n')));
    expect(messages(out.results, "warning")).toEqual([
      expect.stringMatching(/^a known Kubernetes defect \(kubernetes#123709, kubernetes#123710\) hits this pod on kube-apiserver 1.29.2: the pod runs to completion .*; it is fixed in 1.28.8 and 1.29.3, and from 1.30, so upgrade the control plane/),
    ]);
    expect(runChecked(resourceList([job(sidecar)], cfg('kubernetesVersion: "1.29.3"\n'))).results).toEqual([]);
  });

  it("counts the sidecars the plan makes native, with the startupProbe it gives them", () => {
    const deploymentJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: export
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: export
        image: export
      - name: proxy
        image: proxy
`;
    const out = runChecked(resourceList([deploymentJob], typedConfig('kubernetesVersion: "1.33.1"\nsidecars:\n- name: proxy\n  startupProbe: {tcpSocket: {port: 1}}\n')));
    expect(messages(out.results, "warning")).toEqual([expect.stringMatching(/kubernetes#132826\) hits this pod on kubelet 1.33.1:/)]);
    expect(messages(out.results, "info")[0]).toMatch(/moved sidecar "proxy" to spec.initContainers/);
  });
});
