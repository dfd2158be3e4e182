/** The kubelet model against the documented start and stop rules (sidecar-semantics.md, 1-3). */
import { describe, expect, it } from "vitest";
import { simulate, startsBefore, steps, stopsAfter, timeOf, waitsFor, type Container, type PodEvent } from "../../src/model/kubelet";

const hold = { postStart: { exec: { command: ["pilot-agent", "wait"] } } };
const probe = { httpGet: { path: "/ready", port: 15021 } };
const sleepPreStop = { preStop: { sleep: { seconds: 15 } } };

const app: Container = { name: "app" };
/** The legacy technique: first in spec.containers, with a postStart hook that waits until ready. */
const legacyProxy: Container = { name: "proxy", lifecycle: hold };
/** A native sidecar gated by its startupProbe. */
const nativeProxy: Container = { name: "proxy", restartPolicy: "Always", startupProbe: probe };

/** `what name @t` lines, for exact timelines. */
const timeline = (events: PodEvent[]) => events.map((e) => `${e.what} ${e.name} @${e.t}`);

describe("legacy ordering: spec.containers one by one, each postStart hook blocking the next", () => {
  it("starts the app only once the sidecar's wait hook has returned, i.e. once it is ready", () => {
    const events = simulate(
      { containers: [legacyProxy, app] },
      { containers: { proxy: { readyAfter: 5, postStart: { waitsForReady: true, timeoutSeconds: 120 } } } },
    );
    expect(timeline(events)).toEqual(["start proxy @0", "ready proxy @5", "started proxy @5", "start app @5", "started app @5"]);
    expect(waitsFor(events, "app", "proxy")).toBe(true);
  });

  it("without the hook the app races the sidecar: it starts before the sidecar is ready", () => {
    const events = simulate({ containers: [{ name: "proxy" }, app] }, { containers: { proxy: { readyAfter: 5 } } });
    expect(startsBefore(events, "proxy", "app")).toBe(true);
    expect(timeOf(events, "start", "app")).toBe(0);
    expect(steps(events).indexOf("start app")).toBeLessThan(steps(events).indexOf("ready proxy"));
  });

  it("holds every later container for each hook in turn", () => {
    const c = (name: string): Container => ({ name, lifecycle: hold });
    const facts = { postStart: { returnsAfter: 2 } };
    const events = simulate({ containers: [c("a"), c("b"), c("c")] }, { containers: { a: facts, b: facts, c: facts } });
    expect(["a", "b", "c"].map((n) => timeOf(events, "start", n))).toEqual([0, 2, 4]);
  });

  it("fails open: a wait hook that times out gets the sidecar killed, and the app starts anyway", () => {
    const events = simulate(
      { containers: [legacyProxy, app] },
      { containers: { proxy: { readyAfter: Infinity, postStart: { waitsForReady: true, timeoutSeconds: 3 } } } },
    );
    expect(timeline(events)).toEqual(["start proxy @0", "postStart-failed proxy @3", "kill proxy @3", "exited proxy @3", "start app @3", "started app @3"]);
    expect(waitsFor(events, "app", "proxy")).toBe(false);
  });

  it("fails open on a hook that fails outright, too", () => {
    const events = simulate({ containers: [legacyProxy, app] }, { containers: { proxy: { postStart: { failsAfter: 1 } } } });
    expect(steps(events)).toEqual(["start proxy", "postStart-failed proxy", "kill proxy", "exited proxy", "start app", "started app"]);
  });

  it("a hook that never returns blocks the pod forever", () => {
    const events = simulate({ containers: [legacyProxy, app] }, { containers: { proxy: { postStart: { hangs: true } } } });
    expect(steps(events)).toEqual(["start proxy"]);
    const waitsForever = simulate({ containers: [legacyProxy, app] }, { containers: { proxy: { readyAfter: Infinity, postStart: { waitsForReady: true } } } });
    expect(steps(waitsForever)).toEqual(["start proxy"]);
  });

  it("no startupProbe runs while the postStart hook does: the wait's own timeout decides (fails open), and a hook that never returns holds the pod", () => {
    // The kubelet probes a container once the pod's status shows it running, written only after the hook.
    const probed: Container = { ...legacyProxy, startupProbe: probe };
    const events = simulate({ containers: [probed, app] }, { containers: { proxy: { readyAfter: Infinity, postStart: { waitsForReady: true, timeoutSeconds: 120 } } } });
    expect(timeline(events)).toEqual(["start proxy @0", "postStart-failed proxy @120", "kill proxy @120", "exited proxy @120", "start app @120", "started app @120"]);
    const hangs = simulate({ containers: [probed, app] }, { containers: { proxy: { readyAfter: Infinity, postStart: { hangs: true } } } });
    expect(steps(hangs)).toEqual(["start proxy"]);
    // The hook returns before the sidecar is ready: probing starts then, and gives up 30 s later.
    const early = simulate({ containers: [probed, app] }, { containers: { proxy: { readyAfter: Infinity, postStart: { returnsAfter: 5 } } } });
    expect(timeOf(early, "start", "app")).toBe(5);
    expect(timeOf(early, "startupProbe-failed", "proxy")).toBe(35);
    // The same for a native sidecar: held by its hook, and probed only after it.
    const native = simulate({ initContainers: [{ ...nativeProxy, lifecycle: hold }], containers: [app] }, { containers: { proxy: { readyAfter: Infinity, postStart: { returnsAfter: 5 } } } });
    expect(timeOf(native, "startupProbe-failed", "proxy")).toBe(35);
    expect(steps(native)).not.toContain("start app");
  });

  it("spec.containers are started in one pass: none is probed until the last postStart hook of the pass has returned", () => {
    // Recorded on kubelet 1.34 (test/cluster/hooks.cluster.test.ts, test/model/recorded/hooks-app-hook.json).
    const probed: Container = { ...legacyProxy, startupProbe: probe };
    const slowApp: Container = { name: "app", lifecycle: hold };
    const events = simulate(
      { containers: [probed, slowApp] },
      { containers: { proxy: { readyAfter: 1, postStart: { waitsForReady: true, timeoutSeconds: 20 } }, app: { postStart: { returnsAfter: 6 } } } },
    );
    expect(timeline(events)).toEqual(["start proxy @0", "ready proxy @1", "start app @1", "started app @7", "started proxy @7"]);
    // The probe's patience counts from the pass's end: 30 s after the app's hook, not the proxy's.
    const never = simulate(
      { containers: [{ ...probed, lifecycle: undefined }, slowApp] },
      { containers: { proxy: { readyAfter: Infinity }, app: { postStart: { returnsAfter: 6 } } } },
    );
    expect(timeOf(never, "startupProbe-failed", "proxy")).toBe(36);
    // A hook later in the pass that never returns leaves the proxy unprobed: never started, never killed.
    const hangs = simulate({ containers: [probed, slowApp] }, { containers: { proxy: { readyAfter: 1, postStart: { waitsForReady: true } }, app: { postStart: { hangs: true } } } });
    expect(steps(hangs)).toEqual(["start proxy", "ready proxy", "start app"]);
  });

  it("a regular container's startupProbe does not hold the next container", () => {
    const events = simulate({ containers: [{ name: "proxy", startupProbe: probe }, app] }, { containers: { proxy: { readyAfter: 5 } } });
    expect(timeOf(events, "start", "app")).toBe(0);
    expect(timeOf(events, "started", "proxy")).toBe(5);
  });
});

describe("native sidecars (KEP-753)", () => {
  it("gate the app on the startupProbe", () => {
    const events = simulate({ initContainers: [nativeProxy], containers: [app] }, { containers: { proxy: { readyAfter: 5 } } });
    expect(timeline(events)).toEqual(["start proxy @0", "ready proxy @5", "started proxy @5", "start app @5", "started app @5"]);
    expect(waitsFor(events, "app", "proxy")).toBe(true);
  });

  it("never gate on the readinessProbe: with only that, the app starts as soon as the sidecar runs", () => {
    const readinessOnly: Container = { name: "proxy", restartPolicy: "Always", readinessProbe: probe };
    const events = simulate({ initContainers: [readinessOnly], containers: [app] }, { containers: { proxy: { runningAfter: 1, readyAfter: 5 } } });
    expect(timeOf(events, "started", "proxy")).toBe(1);
    expect(timeOf(events, "start", "app")).toBe(1);
    expect(steps(events).indexOf("start app")).toBeLessThan(steps(events).indexOf("ready proxy"));
  });

  it("count as started only once both the startupProbe has succeeded and the postStart hook has returned", () => {
    const both: Container = { ...nativeProxy, lifecycle: hold };
    const hookLast = simulate({ initContainers: [both], containers: [app] }, { containers: { proxy: { readyAfter: 5, postStart: { returnsAfter: 8 } } } });
    expect(timeOf(hookLast, "start", "app")).toBe(8);
    const probeLast = simulate({ initContainers: [both], containers: [app] }, { containers: { proxy: { readyAfter: 9, postStart: { returnsAfter: 2 } } } });
    expect(timeOf(probeLast, "start", "app")).toBe(9);
  });

  it("fail closed: a sidecar that never gets ready holds the app back, and its failing startupProbe gets it killed", () => {
    const events = simulate({ initContainers: [nativeProxy], containers: [app] }, { containers: { proxy: { readyAfter: Infinity } } });
    // The probe's defaults: no initial delay, every 10 s, 3 failures.
    expect(timeline(events)).toEqual(["start proxy @0", "startupProbe-failed proxy @30", "kill proxy @30", "exited proxy @30"]);
    const quick: Container = { ...nativeProxy, startupProbe: { ...probe, initialDelaySeconds: 2, periodSeconds: 1, failureThreshold: 4 } };
    expect(timeline(simulate({ initContainers: [quick], containers: [app] }, { containers: { proxy: { readyAfter: 7 } } }))).toEqual([
      "start proxy @0",
      "startupProbe-failed proxy @6",
      "kill proxy @6",
      "exited proxy @6",
    ]);
    expect(steps(simulate({ initContainers: [quick], containers: [app] }, { containers: { proxy: { readyAfter: 6 } } }))).toContain("start app");
    const hookFails = simulate({ initContainers: [{ ...nativeProxy, lifecycle: hold }], containers: [app] }, { containers: { proxy: { postStart: { failsAfter: 2 } } } });
    expect(steps(hookFails)).toEqual(["start proxy", "postStart-failed proxy", "kill proxy", "exited proxy"]);
  });

  it("are started before the init containers that come after them; those before run first", () => {
    const spec = {
      initContainers: [{ name: "istio-init" }, nativeProxy, { name: "migrate" }],
      containers: [app],
    };
    const events = simulate(spec, { containers: { "istio-init": { exitsAfter: 1 }, proxy: { readyAfter: 4 }, migrate: { exitsAfter: 2 } } });
    expect(timeline(events)).toEqual([
      "start istio-init @0",
      "exited istio-init @1",
      "start proxy @1",
      "ready proxy @5",
      "started proxy @5",
      "start migrate @5",
      "exited migrate @7",
      "start app @7",
      "started app @7",
    ]);
    expect(waitsFor(events, "migrate", "proxy")).toBe(true);
  });

  it("a plain init container that never exits holds everything after it", () => {
    const events = simulate({ initContainers: [{ name: "stuck" }, nativeProxy], containers: [app] });
    expect(steps(events)).toEqual(["start stuck"]);
  });

  it("are stopped after the app, in reverse order of definition, each after the next one has exited", () => {
    const mesh: Container = { name: "mesh", restartPolicy: "Always", startupProbe: probe };
    const logs: Container = { name: "logs", restartPolicy: "Always" };
    const events = simulate(
      { initContainers: [mesh, logs], containers: [app] },
      { terminateAt: 10, containers: { app: { stopTakes: 3 }, logs: { stopTakes: 1 }, mesh: { stopTakes: 1 } } },
    );
    expect(timeline(events).slice(-6)).toEqual(["stop app @10", "exited app @13", "stop logs @13", "exited logs @14", "stop mesh @14", "exited mesh @15"]);
    expect(stopsAfter(events, "logs", "app")).toBe(true);
    expect(stopsAfter(events, "mesh", "logs")).toBe(true);
  });

  it("run their preStop hook at the start of termination, but get SIGTERM only after the app exited", () => {
    const drained: Container = { ...nativeProxy, lifecycle: { preStop: { exec: { command: ["pilot-agent", "request", "POST", "drain"] } } } };
    const events = simulate(
      { initContainers: [drained], containers: [{ name: "app", lifecycle: sleepPreStop }] },
      { terminateAt: 10, containers: { proxy: { preStopTakes: 1 }, app: { preStopTakes: 5, stopTakes: 2 } } },
    );
    expect(timeline(events).slice(-6)).toEqual(["preStop proxy @10", "preStop app @10", "stop app @15", "exited app @17", "stop proxy @17", "exited proxy @17"]);
  });

  it("do not keep a Job's pod running: when the app exits the sidecar is stopped and the pod completes", () => {
    const events = simulate(
      { restartPolicy: "Never", initContainers: [nativeProxy], containers: [{ name: "job" }] },
      { containers: { proxy: { readyAfter: 2 }, job: { exitsAfter: 10 } } },
    );
    expect(timeline(events).slice(-4)).toEqual(["exited job @12", "stop proxy @12", "exited proxy @12", "completed pod @12"]);
  });
});

describe("legacy shutdown and Jobs", () => {
  it("stops every container at once: preStop, then SIGTERM, with no order", () => {
    const events = simulate({ containers: [legacyProxy, app] }, { terminateAt: 10, containers: { app: { stopTakes: 5 } } });
    expect(timeline(events).slice(-4)).toEqual(["stop proxy @10", "stop app @10", "exited proxy @10", "exited app @15"]);
    expect(stopsAfter(events, "proxy", "app")).toBe(false);
  });

  it("a sleep action takes its seconds unless the facts say otherwise", () => {
    const events = simulate({ containers: [{ name: "proxy", lifecycle: sleepPreStop }, app] }, { terminateAt: 10 });
    expect(timeOf(events, "stop", "proxy")).toBe(25);
  });

  it("a sleeping preStop on the sidecar keeps it up until the app has exited", () => {
    const events = simulate(
      { containers: [{ ...legacyProxy, lifecycle: { ...hold, ...sleepPreStop } }, app] },
      { terminateAt: 10, containers: { proxy: { preStopTakes: 15 }, app: { stopTakes: 5 } } },
    );
    expect(timeOf(events, "stop", "proxy")).toBe(25);
    expect(stopsAfter(events, "proxy", "app")).toBe(true);
  });

  it("the grace period cuts a long preStop short: SIGTERM at the deadline, SIGKILL 2 s later", () => {
    const events = simulate(
      { terminationGracePeriodSeconds: 30, containers: [{ name: "proxy", lifecycle: sleepPreStop }, app] },
      { terminateAt: 10, containers: { proxy: { preStopTakes: 60, stopTakes: 10 } } },
    );
    expect(timeline(events).slice(-4)).toEqual(["exited app @10", "stop proxy @40", "kill proxy @42", "exited proxy @42"]);
  });

  it("a legacy sidecar keeps a Job's pod running after the app exits", () => {
    const events = simulate({ restartPolicy: "Never", containers: [legacyProxy, { name: "job" }] }, { containers: { job: { exitsAfter: 10 } } });
    expect(steps(events)).toContain("exited job");
    expect(steps(events)).not.toContain("exited proxy");
    expect(steps(events)).not.toContain("completed pod");
  });

  it("a pod deleted during startup starts nothing more", () => {
    const events = simulate({ containers: [legacyProxy, app] }, { terminateAt: 3, containers: { proxy: { postStart: { returnsAfter: 5 } } } });
    expect(steps(events)).toEqual(["start proxy", "stop proxy", "exited proxy"]);
  });
});

describe("the model refuses specs the API server rejects, and facts that do not fit", () => {
  it.each([
    ["a plain init container with a probe", { initContainers: [{ name: "i", startupProbe: probe }], containers: [app] }, {}],
    ["a regular container with restartPolicy", { containers: [{ name: "app", restartPolicy: "Always" }] }, {}],
    ["duplicate names", { initContainers: [{ name: "app" }], containers: [app] }, {}],
    ["facts for a container the pod lacks", { containers: [app] }, { containers: { ghost: {} } }],
    ["postStart facts for a container with no hook", { containers: [app] }, { containers: { app: { postStart: { returnsAfter: 1 } } } }],
    ["a native sidecar that exits by itself", { initContainers: [nativeProxy], containers: [app] }, { containers: { proxy: { exitsAfter: 1 } } }],
  ])("%s", (_, spec, script) => {
    expect(() => simulate(spec, script)).toThrow();
  });
});

describe("the grace period, as killContainer counts it", () => {
  it("takes a native sidecar's wait for its turn off in whole seconds, rounded down", () => {
    // The app exits 2.5 s after SIGTERM; the sidecar's turn comes then, 2 s counted: 4 s left, so SIGKILL at 6.5 s.
    const spec = { terminationGracePeriodSeconds: 6, initContainers: [{ name: "side", restartPolicy: "Always" }], containers: [{ name: "app" }] };
    const events = simulate(spec, { containers: { app: { stopTakes: 2.5 }, side: { stopTakes: 100 } }, terminateAt: 10 });
    expect(events.filter((e) => e.name === "side" && (e.what === "stop" || e.what === "kill")).map((e) => [e.what, e.t - 10])).toEqual([
      ["stop", 2.5],
      ["kill", 6.5],
    ]);
  });
});
