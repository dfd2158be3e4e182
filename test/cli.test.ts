/** The bundled executable, as kpt runs it: stdin in, stdout out, exit code from the results. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { resourceList, typedConfig } from "./support/resource-list";

const bin = resolve(__dirname, "../dist/sidecar-order.cjs");
const run = (input: string | Buffer, args: string[] = []) => spawnSync(process.execPath, [bin, ...args], { input, encoding: "utf8" });

describe("the sidecar-order executable", () => {
  it("is built", () => expect(existsSync(bin), "run `npm run build` first").toBe(true));

  it("answers unparsable input with one line on stderr, exit 1 and no stack trace", () => {
    for (const input of ["a: [1, 2", "", "kind: Deployment\n", Buffer.from([0xff, 0xfe, 0x00])]) {
      const r = run(input);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^sidecar-order: [^\n]+\n$/);
      expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+/);
    }
  });

  it("writes the ResourceList first, then exits 1 when a result is an error", () => {
    const input = resourceList([], typedConfig("strategy: sideways\n"));
    const r = run(input);
    expect(r.status).toBe(1);
    const out = parse(r.stdout) as { items: unknown[]; results: { severity: string; message: string }[] };
    expect(out.items).toHaveLength(2);
    expect(out.results[0]).toMatchObject({ severity: "error", message: expect.stringContaining("strategy must be one of") });
    // The error results on stderr too, one line each, for callers that show only stderr.
    expect(r.stderr).toMatch(/^\[error\] invalid functionConfig: strategy must be one of .*\n$/);
  });

  it("exits 0 and writes the input back when there is nothing to do", () => {
    const input = resourceList([]);
    const r = run(input);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(input);
  });

  it("prints its version and usage", () => {
    expect(run("", ["--version"]).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(run("", ["--help"]).stdout).toContain("kpt fn eval");
    const bad = run("", ["--frobnicate"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--help");
  });
});
