/**
 * `npm run bench`: sidecar-order against the `yaml` package's whole-document round trip of the
 * same input, measured in the same run, reported as ratios (machines are noisy; ratios less so).
 *
 * Timing and peak memory run each case alone in a child process of its own (a fresh heap; RSS
 * high-water marks cannot be split inside one process); cold start runs whole processes.
 * Results go to stdout and bench/results.json.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { runResourceList } from "../src/run";
import { LEGACY_CONFIG, NATIVE_CONFIG, resourceList } from "./generate";

type Case = "baseline" | "steady" | "migration-native" | "migration-legacy";
const CASES: Case[] = ["baseline", "steady", "migration-native", "migration-legacy"];
const self = process.argv[1]!;
const root = resolve(self, "..", "..");

function inputFor(c: Case, n: number): string {
  if (c === "migration-legacy") return resourceList(n, LEGACY_CONFIG);
  const migration = resourceList(n, NATIVE_CONFIG);
  if (c !== "steady") return migration;
  // The common re-render: a list already in the desired shape (the function's own output).
  return runResourceList(migration).text.replace(/\nresults:\n[\s\S]*$/, "\n");
}

function runCase(c: Case, input: string): void {
  if (c === "baseline") parseDocument(input).toString();
  else runResourceList(input);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Child: time one case and print its median in ms and its number of rounds as JSON. The case runs
 * at least `minRounds` times and until it has run for ROUND_BUDGET_MS (at most MAX_ROUNDS times),
 * so a fast case gets enough rounds for a steady median and a slow one is not run for minutes.
 * Each case has a process of its own: run after the baseline in one process, a case paid for
 * the garbage of the baseline's big YAML trees, by as much as half its time at 10,000 items.
 */
const ROUND_BUDGET_MS = 4000;
const MAX_ROUNDS = 201;
function timeChild(c: Case, n: number, minRounds: number): void {
  const input = inputFor(c, n);
  globalThis.gc?.(); // what making the input left behind; never between rounds (that would drop compiled code)
  runCase(c, input); // warm up the JIT on this path
  const times: number[] = [];
  let spent = 0;
  while (times.length < MAX_ROUNDS && (times.length < minRounds || spent < ROUND_BUDGET_MS)) {
    const t = performance.now();
    runCase(c, input);
    const took = performance.now() - t;
    times.push(took);
    spent += took;
  }
  process.stdout.write(JSON.stringify({ medianMs: median(times), rounds: times.length }));
}

/** Child: one case once; print the peak RSS in MB. The input is built before, and counted in both. */
function memChild(c: Case, n: number): void {
  const input = inputFor(c, n);
  globalThis.gc?.();
  runCase(c, input);
  process.stdout.write(String(process.resourceUsage().maxRSS / 1024));
}

function child(args: string[]): string {
  return execFileSync(process.execPath, ["--expose-gc", self, ...args], { encoding: "utf8", maxBuffer: 1 << 20 });
}

/** Whole processes, interleaved, median: the bundled executable against `node -e 0`. */
function coldStart(runs: number): { steady: number; migration: number; node: number } {
  const dir = mkdtempSync(join(tmpdir(), "sidecar-order-bench-"));
  try {
    const migration = resourceList(20, NATIVE_CONFIG);
    const steady = runResourceList(migration).text.replace(/\nresults:\n[\s\S]*$/, "\n");
    writeFileSync(join(dir, "list.yaml"), migration);
    const bin = join(root, "dist", "sidecar-order.cjs");
    const times = { steady: [] as number[], migration: [] as number[], node: [] as number[] };
    const spawn = (args: string[], input: string) => {
      const t = performance.now();
      const r = spawnSync(process.execPath, args, { input, stdio: ["pipe", "ignore", "ignore"] });
      if (r.status !== 0) throw new Error(`cold-start run failed: ${args.join(" ")}`);
      return performance.now() - t;
    };
    for (let i = 0; i < runs; i++) {
      times.node.push(spawn(["-e", "0"], ""));
      times.steady.push(spawn([bin], steady));
      times.migration.push(spawn([bin], migration));
    }
    return { steady: median(times.steady), migration: median(times.migration), node: median(times.node) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Target {
  name: string;
  value: number;
  limit: number;
}

function main(): void {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === "time") return timeChild(a as Case, Number(b), Number(c));
  if (mode === "mem") return memChild(a as Case, Number(b));

  const sizes = [1000, 10000];
  const minRounds = 5;
  const time: Record<number, Record<Case, number>> = {};
  const rounds: Record<number, Record<Case, number>> = {};
  const mem: Record<number, Record<Case, number>> = {};
  for (const n of sizes) {
    const timed = Object.fromEntries(CASES.map((c) => [c, JSON.parse(child(["time", c, String(n), String(minRounds)]))])) as Record<Case, { medianMs: number; rounds: number }>;
    time[n] = Object.fromEntries(CASES.map((c) => [c, timed[c].medianMs])) as Record<Case, number>;
    rounds[n] = Object.fromEntries(CASES.map((c) => [c, timed[c].rounds])) as Record<Case, number>;
    mem[n] = Object.fromEntries(CASES.map((c) => [c, Number(child(["mem", c, String(n)]))])) as Record<Case, number>;
    const t = time[n]!;
    const m = mem[n]!;
    console.log(`\n${n} items (${(inputFor("baseline", n).length / 1e6).toFixed(1)} MB)`);
    console.log("case               time ms   ratio   rounds   peak RSS MB   ratio");
    for (const c of CASES) {
      console.log(
        `${c.padEnd(18)} ${t[c].toFixed(0).padStart(7)}   ${(t[c] / t.baseline).toFixed(3)}   ${String(rounds[n]![c]).padStart(6)}   ${m[c].toFixed(0).padStart(11)}   ${(m[c] / m.baseline).toFixed(3)}`,
      );
    }
  }
  const cold = coldStart(41);
  console.log(
    `\ncold start, 20 resources: node -e 0 ${cold.node.toFixed(0)} ms; re-render (already in shape) ${cold.steady.toFixed(0)} ms, ratio ${(cold.steady / cold.node).toFixed(2)}; ` +
      `first run (every workload changes) ${cold.migration.toFixed(0)} ms, ratio ${(cold.migration / cold.node).toFixed(2)}`,
  );

  const t10 = time[10000]!;
  const t1 = time[1000]!;
  const m10 = mem[10000]!;
  const migration10 = Math.max(t10["migration-native"], t10["migration-legacy"]) / t10.baseline;
  const targets: Target[] = [
    { name: "steady state, 10,000 items (time / baseline)", value: t10.steady / t10.baseline, limit: 0.15 },
    { name: "migration, 10,000 items (slower of legacy/native, time / baseline)", value: migration10, limit: 0.7 },
    { name: "peak RSS, 10,000 items, steady (/ baseline)", value: m10.steady / m10.baseline, limit: 0.5 },
    { name: "peak RSS, 10,000 items, migration (worse of legacy/native, / baseline)", value: Math.max(m10["migration-native"], m10["migration-legacy"]) / m10.baseline, limit: 0.5 },
    { name: "cold start, 20-resource re-render (/ node -e 0)", value: cold.steady / cold.node, limit: 1.5 },
    { name: "growth, steady (10,000-item time / 1,000-item time)", value: t10.steady / t1.steady, limit: 11 },
    {
      name: "growth, migration (worse of legacy/native, 10,000-item time / 1,000-item time)",
      value: Math.max(t10["migration-native"] / t1["migration-native"], t10["migration-legacy"] / t1["migration-legacy"]),
      limit: 11,
    },
  ];
  console.log("\ntargets");
  for (const x of targets) console.log(`${x.value <= x.limit ? "PASS" : "MISS"}  ${x.name}: ${x.value.toFixed(3)} (target <= ${x.limit})`);

  const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryGB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  } catch {
    /* not a checkout */
  }
  const out = { date: new Date().toISOString(), commit, machine, time, rounds, memoryMB: mem, coldStartMs: cold, targets: targets.map((x) => ({ ...x, pass: x.value <= x.limit })) };
  writeFileSync(join(root, "bench", "results.json"), JSON.stringify(out, null, 2) + "\n");
  console.log("\nwritten to bench/results.json");
}

main();
