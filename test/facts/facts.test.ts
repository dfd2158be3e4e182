/** The version facts: parsing what users write, and the known-defect ranges. */
import { describe, expect, it } from "vitest";
import { KNOWN_DEFECTS, defectStatus, fixText } from "../../src/facts/kubernetes";
import { istioRelease, istioReadsNativeAnnotation, istioStatusPort, linkerdNativeKey, linkerdRelease } from "../../src/facts/meshes";
import { atLeast, parseVersion, versionProblem } from "../../src/facts/versions";

describe("Kubernetes versions", () => {
  it.each([
    ["1.33.4", { major: 1, minor: 33, patch: 4 }],
    ["v1.30.2", { major: 1, minor: 30, patch: 2 }],
    ["1.30.2-gke.1587003", { major: 1, minor: 30, patch: 2 }],
    ["1.29.3+k3s1", { major: 1, minor: 29, patch: 3 }],
    ["1.31", { major: 1, minor: 31 }],
  ])("reads %s", (text, version) => {
    expect(parseVersion(text)).toEqual(version);
    expect(versionProblem(text)).toBeUndefined();
  });

  it.each([
    ["1.3", /if you meant 1.30, quote it/],
    ["1.9", /Kubernetes 1.9 is from before 2018/],
    ["2.0", /there is no Kubernetes 2.x/],
    ["1.100", /not a plausible Kubernetes version/],
    ["latest", /is not a Kubernetes version/],
  ])("refuses %s", (text, problem) => {
    expect(versionProblem(text)).toMatch(problem);
  });

  it("compares patch levels, a missing one counting as .0", () => {
    expect(atLeast(parseVersion("1.33.6"), parseVersion("1.33.6"))).toBe(true);
    expect(atLeast(parseVersion("1.33.5"), parseVersion("1.33.6"))).toBe(false);
    expect(atLeast(parseVersion("1.33"), parseVersion("1.33.0"))).toBe(true);
    expect(atLeast(parseVersion("1.34"), parseVersion("1.33.6"))).toBe(true);
  });
});

describe("known defects", () => {
  const probe = KNOWN_DEFECTS.find((d) => d.refs.includes("kubernetes#132826"))!;
  const status = KNOWN_DEFECTS.find((d) => d.refs.includes("kubernetes#123709"))!;

  it.each([
    ["1.27", "fixed"], // before native sidecars: not this defect
    ["1.29.9", "affected"],
    ["1.32.9", "affected"], // the 1.32 cherry-pick was closed unmerged
    ["1.33", "unknown"],
    ["1.33.5", "affected"],
    ["1.33.6", "fixed"],
    ["1.34.1", "affected"],
    ["1.34.2", "fixed"],
    ["1.35.0", "fixed"],
  ])("kubernetes#132826 on kubelet %s: %s", (version, expected) => {
    expect(defectStatus(probe, parseVersion(version))).toBe(expected);
  });

  it.each([
    ["1.28.7", "affected"],
    ["1.28.8", "fixed"],
    ["1.29.2", "affected"],
    ["1.29.3", "fixed"],
    ["1.30.0", "fixed"],
  ])("kubernetes#123709/#123710 on kube-apiserver %s: %s", (version, expected) => {
    expect(defectStatus(status, parseVersion(version))).toBe(expected);
  });

  it("says where each is fixed", () => {
    expect(fixText(probe)).toBe("fixed in 1.33.6 and 1.34.2, and from 1.35");
    expect(fixText(status)).toBe("fixed in 1.28.8 and 1.29.3, and from 1.30");
  });
});

describe("mesh releases", () => {
  it("Istio reads the per-pod native annotation from 1.24", () => {
    expect(istioReadsNativeAnnotation(istioRelease("1.23.6")!)).toBe(false);
    expect(istioReadsNativeAnnotation(istioRelease("1.24")!)).toBe(true);
    expect(istioReadsNativeAnnotation(istioRelease("v1.28.1")!)).toBe(true);
    expect(istioRelease("2.0")).toBeUndefined();
  });

  it("Istio's status port annotation", () => {
    expect(istioStatusPort({})).toBe(15020);
    expect(istioStatusPort({ "status.sidecar.istio.io/port": "0" })).toBe(0);
    expect(istioStatusPort({ "status.sidecar.istio.io/port": "15030" })).toBe(15030);
    expect(istioStatusPort({ "status.sidecar.istio.io/port": "x" })).toBeUndefined();
  });

  it.each([
    ["stable-2.14.10", undefined],
    ["edge-23.11.3", undefined],
    ["edge-23.11.4", "config.alpha.linkerd.io/proxy-enable-native-sidecar"],
    ["2.15", "config.alpha.linkerd.io/proxy-enable-native-sidecar"],
    ["enterprise-2.18.2", "config.alpha.linkerd.io/proxy-enable-native-sidecar"],
    ["edge-25.10.1", "config.alpha.linkerd.io/proxy-enable-native-sidecar"],
    ["edge-25.10.2", "config.beta.linkerd.io/proxy-enable-native-sidecar"],
    ["2.19", "config.beta.linkerd.io/proxy-enable-native-sidecar"],
    ["edge-26.5.1", "config.beta.linkerd.io/proxy-enable-native-sidecar"],
    ["2.20", "config.linkerd.io/proxy-enable-native-sidecar"],
    ["2.21", "config.linkerd.io/proxy-enable-native-sidecar"],
  ])("Linkerd %s reads the native switch %s", (release, key) => {
    expect(linkerdNativeKey(linkerdRelease(release))).toBe(key);
  });
});
