/**
 * The executable's V8 code cache is a start-up shortcut only: with it, without it, with one from
 * another build or with a damaged one, the executable writes the same bytes and exit code.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resourceList } from "./support/resource-list";

const bin = resolve(__dirname, "../dist/sidecar-order.cjs");
const dir = mkdtempSync(join(tmpdir(), "sidecar-order-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The README's example package: its workload changes, so the light reader and the `yaml` printer both run.
const example = resolve(__dirname, "../examples/legacy-cloud-sql-proxy");
const input = resourceList([readFileSync(join(example, "deployment.yaml"), "utf8")], readFileSync(join(example, "sidecar-order.yaml"), "utf8"));

function run(executable: string) {
  const r = spawnSync(process.execPath, [executable], { input, encoding: "utf8", env: { ...process.env, SIDECAR_ORDER_DEBUG: "1" } });
  const state = /code cache ([^\n]+)\n/.exec(r.stderr)?.[1];
  return { status: r.status, stdout: r.stdout, state };
}

/** A copy of the executable in its own directory, with `cache` (or nothing) beside it. */
function copyWith(name: string, cache?: Buffer): string {
  const d = join(dir, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  const exe = join(d, "sidecar-order.cjs");
  copyFileSync(bin, exe);
  if (cache) writeFileSync(`${exe}.cache`, cache);
  return exe;
}

describe("the executable's code cache", () => {
  const built = run(bin);

  it("is made by the build for this Node, and used", () => {
    expect(built.state).toBe("used");
    expect(built.status).toBe(0);
    expect(built.stdout).toContain("name: cloud-sql-proxy");
    expect(built.stdout).not.toBe(input);
  });

  it("changes nothing when missing, from another build, or damaged", () => {
    const cache = readFileSync(`${bin}.cache`);
    const newline = cache.indexOf(0x0a);
    const otherBuild = Buffer.concat([Buffer.from("0".repeat(newline)), cache.subarray(newline)]);
    const damaged = Buffer.concat([cache.subarray(0, newline + 1), Buffer.alloc(cache.length - newline - 1, 7)]);
    const cases: [string, Buffer | undefined, string][] = [
      ["none", undefined, "none"],
      ["other", otherBuild, "from another build"],
      ["damaged", damaged, "rejected by this Node"],
    ];
    for (const [name, c, state] of cases) {
      const r = run(copyWith(name, c));
      expect(r.state, name).toBe(state);
      expect(r.status, name).toBe(built.status);
      expect(r.stdout, name).toBe(built.stdout);
    }
  });
});
