/** Legacy "stop last": preStop waits and the grace-period arithmetic. */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { preStopSleepSeconds } from "../../src/strategies/shutdown";
import { messages, resourceList, runChecked, typedConfig } from "../support/resource-list";

const pod = (grace?: number, appPreStop = "", proxyImage = "docker.io/istio/proxyv2:1.24.0") => `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
${grace !== undefined ? `  terminationGracePeriodSeconds: ${grace}\n` : ""}  containers:
  - name: istio-proxy
    image: ${proxyImage}
    lifecycle:
      postStart:
        exec:
          command:
          - pilot-agent
          - wait
          - --timeoutSeconds=120
  - name: app
    image: app${appPreStop}
`;

type Out = { spec: { terminationGracePeriodSeconds?: number; containers: { name: string; lifecycle?: { preStop?: unknown } }[] } };
const preStopOf = (body: string) => (parse(body) as Out).spec.containers[0]!.lifecycle?.preStop;

describe("legacy stopAfterApp", () => {
  it("adds an exec sleep of the app's shutdown time where the image has sleep (version unknown)", () => {
    const out = runChecked(resourceList([pod()], typedConfig("strategy: legacy\nsidecars:\n- preset: istio\n")));
    expect(preStopOf(out.bodies[1]!)).toEqual({ exec: { command: ["sleep", "15"] } });
    expect(messages(out.results, "info")[0]).toMatch(/keeps it running 15 s into the app's shutdown \(sleep 15\)/);
  });

  it("uses the sleep action on 1.30 and later, and counts the app's own preStop sleep", () => {
    const appPreStop = "\n    lifecycle:\n      preStop:\n        exec:\n          command: [sh, -c, sleep 5]";
    const out = runChecked(resourceList([pod(60, appPreStop)], typedConfig('strategy: legacy\nkubernetesVersion: "1.31"\nsidecars:\n- preset: istio\n')));
    expect(preStopOf(out.bodies[1]!)).toEqual({ sleep: { seconds: 20 } });
  });

  it("keeps a sidecar's own longer sleep, and replaces a shorter one (saying so)", () => {
    const withSleep = (seconds: number) =>
      pod(60).replace("          - --timeoutSeconds=120\n", `          - --timeoutSeconds=120\n      preStop:\n        exec:\n          command: [/bin/sleep, "${seconds}"]\n`);
    const cfg = typedConfig('strategy: legacy\nkubernetesVersion: "1.31"\nsidecars:\n- preset: istio\n');
    const longer = runChecked(resourceList([withSleep(40)], cfg));
    expect(longer.bodies[1]).toBe(withSleep(40));
    expect(longer.results).toEqual([]);
    const shorter = runChecked(resourceList([withSleep(3)], cfg));
    expect(preStopOf(shorter.bodies[1]!)).toEqual({ sleep: { seconds: 15 } });
    expect(messages(shorter.results, "info")[0]).toMatch(/replaced the preStop hook of "istio-proxy" \(it runs "\/bin\/sleep 3"\) with one that keeps it running 15 s/);
  });

  it("keeps a longer sleep even with onConflict: replace, but not a sleep action the kubelets cannot run", () => {
    const withHook = (hook: string) => pod(60).replace("          - --timeoutSeconds=120\n", `          - --timeoutSeconds=120\n      preStop:\n${hook}`);
    const execSleep = withHook('        exec:\n          command: [/bin/sleep, "40"]\n');
    const replace = runChecked(resourceList([execSleep], typedConfig('strategy: legacy\nonConflict: replace\nkubernetesVersion: "1.31"\nsidecars:\n- preset: istio\n')));
    expect(replace.bodies[1]).toBe(execSleep);
    const sleepAction = withHook("        sleep:\n          seconds: 40\n");
    // Kubelets at 1.29 have no sleep action: that hook would not sleep at all.
    const old = runChecked(resourceList([sleepAction], typedConfig('strategy: legacy\nkubernetesVersion: "1.30"\nkubeletVersion: "1.29"\nsidecars:\n- preset: istio\n')));
    expect(preStopOf(old.bodies[1]!)).toEqual({ exec: { command: ["sleep", "15"] } });
    const current = runChecked(resourceList([sleepAction], typedConfig('strategy: legacy\nkubernetesVersion: "1.31"\nsidecars:\n- preset: istio\n')));
    expect(current.bodies[1]).toBe(sleepAction);
  });

  it("a legacy-ordered Istio pod converted to native trades its stop-last sleep for Istio's drain", () => {
    const legacy = runChecked(resourceList([pod(60)], typedConfig('strategy: legacy\nkubernetesVersion: "1.31"\nsidecars:\n- preset: istio\n'))).bodies[1]!;
    expect(preStopOf(legacy)).toEqual({ sleep: { seconds: 15 } });
    const native = runChecked(resourceList([legacy], typedConfig('strategy: native\nkubernetesVersion: "1.33"\nsidecars:\n- preset: istio\n')));
    const init = (parse(native.bodies[1]!) as { spec: { initContainers: { lifecycle?: { preStop?: unknown } }[] } }).spec.initContainers[0]!;
    expect(init.lifecycle?.preStop).toEqual({ exec: { command: ["pilot-agent", "request", "--debug-port=15020", "POST", "drain"] } });
    expect(messages(native.results, "info")[0]).toMatch(/replaced the preStop hook of "istio-proxy" \(a sleep\) with Istio proxy drain \(pilot-agent request --debug-port=15020 POST drain\); native sidecars are stopped after the app anyway/);
  });

  it("a legacy-ordered Linkerd pod converted to native loses its stop-last sleep (no drain to trade it for), said, and the budget no longer counts it", () => {
    const linkerd = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: linkerd-proxy
    image: cr.l5d.io/linkerd/proxy:edge-24.11.8
    lifecycle:
      postStart:
        exec:
          command:
          - /usr/lib/linkerd/linkerd-await
          - --timeout=120s
          - --port=4191
      preStop:
        exec:
          command:
          - /bin/sleep
          - "25"
  - name: app
    image: app
`;
    const native = runChecked(resourceList([linkerd], typedConfig('kubernetesVersion: "1.34.2"\nsidecars:\n- preset: linkerd\n')));
    expect(native.bodies[1]).toBe(`apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubectl.kubernetes.io/default-container: app
spec:
  terminationGracePeriodSeconds: 20
  initContainers:
  - name: linkerd-proxy
    image: cr.l5d.io/linkerd/proxy:edge-24.11.8
    restartPolicy: Always
    startupProbe:
      httpGet:
        path: /ready
        port: 4191
      periodSeconds: 1
      failureThreshold: 120
  containers:
  - name: app
    image: app
`);
    expect(messages(native.results, "info")[0]).toMatch(/; removed the preStop hook of "linkerd-proxy" \(it runs "\/bin\/sleep 25"\), the legacy "stop last" wait: native sidecars are stopped after the app anyway, and it would only hold back the sidecar's stop \(and a Job's completion\)/);
    // The 25 s sleep is gone, so the 20 s grace period holds the app's 15 s stop and the margin: nothing to warn about.
    expect(messages(native.results, "warning")).toEqual([]);
    // A sleep preStop the user put on a sidecar without the legacy wait beside it stays.
    const own = linkerd.replace(/ {4}lifecycle:\n {6}postStart:\n(?: {8,}.*\n)+?(?= {6}preStop)/, "    lifecycle:\n");
    expect(own).not.toContain("postStart");
    expect(runChecked(resourceList([own], typedConfig('kubernetesVersion: "1.34.2"\nsidecars:\n- preset: linkerd\n'))).bodies[1]).toContain("    lifecycle:\n      preStop:\n        exec:\n          command:\n          - /bin/sleep\n");
  });

  it("warns and shortens the wait when the grace period cannot hold it", () => {
    const out = runChecked(resourceList([pod(12)], typedConfig("strategy: legacy\nsidecars:\n- preset: istio\n")));
    // 12 s less the margin: the app's shutdown before the proxy's drain.
    expect(preStopOf(out.bodies[1]!)).toEqual({ exec: { command: ["sleep", "7"] } });
    expect(messages(out.results, "warning")).toEqual([
      expect.stringMatching(/^terminationGracePeriodSeconds \(12 s\) cannot hold the app's 15 s stop \(shutdown.appSeconds\), then "istio-proxy" 5 s terminationDrainDuration, plus a 5 s margin \(25 s\), so the sidecars wait only 7 s and may stop before the app; raise terminationGracePeriodSeconds to 25, or set shutdown.raiseGracePeriod: true$/),
    ]);
    // Room for the app but not for the drain (20 s here): the proxy waits the app's whole stop; its drain is what is cut.
    const drains = pod(25).replace("  annotations:\n", "  annotations:\n    proxy.istio.io/config: |\n      terminationDrainDuration: 20s\n");
    const tight = runChecked(resourceList([drains], typedConfig("strategy: legacy\nsidecars:\n- preset: istio\n")));
    expect(preStopOf(tight.bodies[1]!)).toEqual({ exec: { command: ["sleep", "15"] } });
    expect(messages(tight.results, "warning")).toEqual([expect.stringMatching(/\(40 s\), so "istio-proxy" is killed before its drain ends; raise terminationGracePeriodSeconds to 40/)]);
    // Room for the app and the drain, not the margin: only the margin is short, and said so.
    const margin = runChecked(resourceList([pod(20)], typedConfig("strategy: legacy\nsidecars:\n- preset: istio\n")));
    expect(preStopOf(margin.bodies[1]!)).toEqual({ exec: { command: ["sleep", "15"] } });
    expect(messages(margin.results, "warning")).toEqual([expect.stringMatching(/\(25 s\), so the shutdown leaves less than the 5 s margin; raise terminationGracePeriodSeconds to 25/)]);
    // A drain longer than what is left, but within the kubelet's 2 s minimum after SIGTERM, is not cut.
    const quick = pod(10).replace("  annotations:\n", "  annotations:\n    proxy.istio.io/config: |\n      terminationDrainDuration: 1500ms\n");
    const minimum = runChecked(resourceList([quick], typedConfig("strategy: legacy\nshutdown: {appSeconds: 9, marginSeconds: 1}\nsidecars:\n- preset: istio\n")));
    expect(messages(minimum.results, "warning")).toEqual([expect.stringMatching(/so the shutdown leaves less than the 1 s margin/)]);
  });

  it("counts the drain the pod's Istio proxy config sets (terminationDrainDuration), as --explain and native mode do", () => {
    const drained = pod(20).replace("  annotations:\n", "  annotations:\n    proxy.istio.io/config: |\n      terminationDrainDuration: 20s\n");
    expect(drained).toContain("terminationDrainDuration: 20s");
    const out = runChecked(resourceList([drained], typedConfig("strategy: legacy\nkubernetesVersion: \"1.30\"\nshutdown: {raiseGracePeriod: true}\nsidecars:\n- preset: istio\n")));
    expect((parse(out.bodies[1]!) as Out).spec.terminationGracePeriodSeconds).toBe(40);
    expect(messages(out.results, "info")[0]).toMatch(/raised terminationGracePeriodSeconds from 20 to 40 s so the sidecars can outlive the app's shutdown: the app's 15 s stop \(shutdown.appSeconds\), then "istio-proxy" 20 s terminationDrainDuration, plus a 5 s margin/);
  });

  it.each([
    ["terminationDrainDuration: 1m 30s", '"1m 30s"'],
    ["terminationDrainDuration: 30", "30"],
    ["terminationDrainDuration: [5s]", '["5s"]'],
  ])("warns that Istio refuses a proxy config whose drain is not a Go duration (%s), in legacy and native alike", (line, shown) => {
    const bad = pod(60).replace("  annotations:\n", `  annotations:\n    proxy.istio.io/config: |\n      ${line}\n`);
    for (const strategy of ["legacy", "native"]) {
      const out = runChecked(resourceList([bad], typedConfig(`strategy: ${strategy}\nkubernetesVersion: "1.33"\nsidecars:\n- preset: istio\n`)));
      const warning = out.results.find((r) => r.severity === "warning" && r.message.includes("terminationDrainDuration"));
      expect(warning?.message).toBe(
        `terminationDrainDuration in proxy.istio.io/config is ${shown}, not a duration Istio reads, so Istio refuses the whole proxy config ("could not parse proxy config"): the injector rejects the pod, and an injected proxy does not start. The shutdown budget assumed Istio's 5 s drain; write a Go duration string such as "5s" or "1m30s"`,
      );
      expect(warning?.field?.path).toBe("metadata.annotations.proxy.istio.io/config");
    }
  });

  it("warns, once, that Istio refuses a proxy config that is not a YAML map; a negative drain ends at once", () => {
    const notMap = pod(60).replace("  annotations:\n", "  annotations:\n    proxy.istio.io/config: 'terminationDrainDuration=5s'\n");
    const out = runChecked(resourceList([notMap], typedConfig("strategy: legacy\nsidecars:\n- preset: istio\n")));
    expect(messages(out.results, "warning")).toEqual([expect.stringMatching(/^proxy.istio.io\/config is not a YAML map, so Istio refuses the whole proxy config .*; write it as one, such as terminationDrainDuration: 5s$/)]);
    const negative = pod(20).replace("  annotations:\n", "  annotations:\n    proxy.istio.io/config: |\n      terminationDrainDuration: -5s\n");
    const fits = runChecked(resourceList([negative], typedConfig("strategy: legacy\nsidecars:\n- preset: istio\n")));
    // 15 s stop + 0 s drain + 5 s margin fits in 20 s: no warning at all.
    expect(messages(fits.results, "warning")).toEqual([]);
  });

  it("raises the grace period instead when asked", () => {
    const out = runChecked(resourceList([pod(12)], typedConfig("strategy: legacy\nshutdown: {appSeconds: 25, raiseGracePeriod: true}\nsidecars:\n- preset: istio\n")));
    const item = parse(out.bodies[1]!) as Out;
    expect(item.spec.terminationGracePeriodSeconds).toBe(35);
    expect(preStopOf(out.bodies[1]!)).toEqual({ exec: { command: ["sleep", "25"] } });
    expect(messages(out.results, "info")[0]).toMatch(/raised terminationGracePeriodSeconds from 12 to 35 s/);
  });

  it("warns when there is no way to wait (distroless image, version unknown)", () => {
    const out = runChecked(resourceList([pod(undefined, "", "docker.io/istio/proxyv2:1.24.0-distroless")], typedConfig("strategy: legacy\nsidecars:\n- preset: istio\n")));
    expect(preStopOf(out.bodies[1]!)).toBeUndefined();
    expect(messages(out.results, "warning")).toEqual([expect.stringMatching(/cannot be kept running until the app has stopped: its image has no sleep/)]);
  });

  it("native needs none of this, and says so when stopAfterApp was asked for", () => {
    const out = runChecked(resourceList([pod()], typedConfig("strategy: native\nsidecars:\n- preset: istio\n  stopAfterApp: true\n")));
    expect(messages(out.results, "info")[0]).toMatch(/stopAfterApp needs no preStop wait for "istio-proxy": native sidecars are stopped after the app containers/);
  });

  it.each([
    [{ sleep: { seconds: 7 } }, 7],
    [{ exec: { command: ["/bin/sleep", "9"] } }, 9],
    [{ exec: { command: ["sh", "-c", "sleep 4"] } }, 4],
    [{ exec: { command: ["/drain"] } }, 0],
  ])("reads an app preStop %j as %i s", (preStop, seconds) => {
    expect(preStopSleepSeconds({ name: "a", lifecycle: { preStop } })).toBe(seconds);
  });
});
