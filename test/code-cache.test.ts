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

/** A copy of the executable (launcher and bundle) in its own directory, with `cache` (or nothing) beside it. */
function copyWith(name: string, cache?: Buffer, bundle: Buffer | null = readFileSync(`${bin}.bundle`)): string {
  const d = join(dir, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  const exe = join(d, "sidecar-order.cjs");
  copyFileSync(bin, exe);
  if (bundle) writeFileSync(`${exe}.bundle`, bundle);
  if (cache) writeFileSync(`${exe}.cache`, cache);
  return exe;
}

describe("the executable's code cache", () => {
  const built = run(bin);
  const cache = readFileSync(`${bin}.cache`);
  const headerEnd = cache.indexOf(0x0a) + 1;
  const [hash, v8, sum] = cache.subarray(0, headerEnd - 1).toString("latin1").split(" ");
  const withHeader = (header: string, body = cache.subarray(headerEnd)) => Buffer.concat([Buffer.from(`${header}\n`, "latin1"), body]);
  /** The launcher's checksum: FNV-1a (32 bits) over little-endian words, the last padded with zeros. */
  const fnv1a = (b: Buffer) => {
    const padded = Buffer.concat([b, Buffer.alloc(3)]);
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < b.length; i += 4) h = Math.imul(h ^ padded.readInt32LE(i), 0x01000193);
    return String(h >>> 0);
  };
  /** The body with `count` bytes flipped at `at` (a fraction of the body's length). */
  const flipped = (at: number, count = 64) => {
    const body = Buffer.from(cache.subarray(headerEnd));
    const from = Math.floor(body.length * at);
    for (let k = from; k < from + count; k++) body[k] = body[k]! ^ 0x55;
    return withHeader(`${hash} ${v8} ${sum}`, body);
  };
  const cutShort = cache.subarray(headerEnd, headerEnd + 1001); // not a whole number of words: the padding counts

  it("is made by the build for this bundle and this V8, and used", () => {
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(v8).toBe(process.versions.v8);
    expect(sum).toBe(fnv1a(cache.subarray(headerEnd)));
    expect(built.state).toBe("used");
    expect(built.status).toBe(0);
    expect(built.stdout).toContain("name: cloud-sql-proxy");
    expect(built.stdout).not.toBe(input);
  });

  it("is beside a bundle the launcher refuses, with one line saying what to copy, unless it is from the same build", () => {
    const bundle = readFileSync(`${bin}.bundle`);
    const otherBuild = Buffer.concat([Buffer.from(`// sidecar-order ${"0".repeat(64)}\n`), bundle.subarray(bundle.indexOf(0x0a) + 1)]);
    for (const [name, b, says] of [
      ["no bundle", null, "is missing; it must be beside"],
      ["another build's bundle", otherBuild, "is not the one built with"],
    ] as const) {
      const exe = copyWith(name.replace(/ /g, "-"), cache, b);
      const r = spawnSync(process.execPath, [exe], { input, encoding: "utf8" });
      expect(r.status, name).toBe(1);
      expect(r.stdout, name).toBe("");
      expect(r.stderr, name).toBe(`sidecar-order: ${exe}.bundle ${says} ${exe}: copy both (and the .cache beside them) from the same build\n`);
    }
  });

  it("is used from wherever the executable is copied to", () => {
    const r = run(copyWith("moved", cache));
    expect(r.state).toBe("used");
    expect(r.stdout).toBe(built.stdout);
  });

  it("changes nothing when missing, not this build's, not this V8's, or damaged anywhere", () => {
    const cases: [string, Buffer | undefined, string][] = [
      ["missing", undefined, "none"],
      ["another build", withHeader(`${"0".repeat(64)} ${v8} ${sum}`), "made for another build or V8"],
      ["another V8", withHeader(`${hash} 0.0.0.0-other ${sum}`), "made for another build or V8"],
      ["damaged V8 header", flipped(0, 32), "damaged"],
      ["damaged in the middle", flipped(0.5), "damaged"],
      ["damaged near the end", flipped(0.95), "damaged"],
      ["damaged checksum", withHeader(`${hash} ${v8} ${Number(sum) ^ 1}`), "damaged"],
      ["no checksum", withHeader(`${hash} ${v8}`), "made for another build or V8"],
      ["cut short", withHeader(`${hash} ${v8} ${sum}`, cutShort), "damaged"],
      // Past the checksum, V8's own checks still hold: a short cache whose checksum matches is refused.
      ["cut short with a matching checksum", withHeader(`${hash} ${v8} ${fnv1a(cutShort)}`, cutShort), "refused by V8"],
    ];
    for (const [name, c, state] of cases) {
      const r = run(copyWith(name.replace(/ /g, "-"), c));
      expect(r.state, name).toBe(state);
      expect(r.status, name).toBe(built.status);
      expect(r.stdout, name).toBe(built.stdout);
    }
  });
});
