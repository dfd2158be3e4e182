/** Which preStop hooks make a sidecar exit (removable), only sleep, or are the user's own business. */
import { describe, expect, it } from "vitest";
import type { Handler } from "../../src/pod/types";
import { judgePreStop } from "../../src/strategies/prestop";

const exec = (...command: string[]): Handler => ({ exec: { command } });

describe("judgePreStop", () => {
  it.each([
    [exec("curl", "-XPOST", "localhost:15020/quitquitquit"), "exits"],
    [exec("pilot-agent", "request", "POST", "quitquitquit"), "exits"],
    [exec("/cloud-sql-proxy", "shutdown"), "exits"],
    [exec("sh", "-c", "curl -X POST http://localhost:4191/shutdown"), "exits"],
    [exec("sh", "-c", "curl -X POST 'http://localhost:4191/shutdown'"), "exits"],
    [exec("kill", "1"), "exits"],
    [exec("/bin/sh", "-c", "sleep 5 && kill -TERM 1"), "exits"],
    [exec("sh", "-c", "kill -s KILL 1"), "exits"],
    [exec("pkill", "envoy"), "exits"],
    [exec("killall", "-9", "fluent-bit"), "exits"],
    [{ httpGet: { path: "/quitquitquit", port: 15020 } }, "exits"],
    [{ sleep: { seconds: 5 } }, "harmless"],
    [exec("/bin/sleep", "10"), "harmless"],
    [exec("sh", "-c", "sleep 10"), "harmless"],
    // A flush signal and a wait: the container keeps running, so the hook is the user's.
    [exec("sh", "-c", "kill -USR1 1; sleep 3"), "unknown"],
    [exec("sh", "-c", "kill -HUP 1"), "unknown"],
    [exec("kill", "-USR2", "1"), "unknown"],
    [exec("pkill", "-USR1", "fluent-bit"), "unknown"],
    // Flush first, then exit: not only an exit, so it stays too.
    [exec("sh", "-c", "kill -USR1 1; sleep 3; kill 1"), "unknown"],
    [exec("kill", "42"), "unknown"],
    [exec("sh", "-c", "kill $(pidof envoy)"), "unknown"],
    [exec("pilot-agent", "request", "--debug-port=15020", "POST", "drain"), "unknown"],
    [exec("/drain.sh"), "unknown"],
    [exec("sh", "-c", "curl -X POST localhost:15000/drain_listeners?graceful; sleep 5"), "unknown"],
    [{ httpGet: { path: "/flush", port: 2020 } }, "unknown"],
  ])("%j: %s", (hook, kind) => {
    expect(judgePreStop(hook).kind).toBe(kind);
  });
});
