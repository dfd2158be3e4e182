/**
 * `npm run bench`: sidecar-order as a user's shell measures it. Every figure is whole processes,
 * a fresh `node` per run as `time` would start it: stdin read from a file, stdout written to a
 * file. Each round runs every program once (the small ones several times), candidate and baseline
 * next to each other and in alternating order, so a slow moment of a shared machine hits both;
 * each figure is the median over rounds of that round's ratio, with its spread (min–max).
 *
 * Baselines: the `yaml` package's identity round trip of the same input in a fresh process, the
 * I/O floor (a process that reads stdin, decodes it, counts its lines and writes it back) and
 * `node -e 0`. The big runs carry a preload that records peak RSS and CPU time at exit
 * (bench/baselines/usage.cjs: an exit hook, nothing else); the small ones run bare.
 *
 * `--in-process` adds the old in-process table (a warm function called in a loop), for profiling
 * only: no user runs the function that way. `--bin PATH` times another build of the executable
 * (results then go to .tmp/bench-results-other.json). Results go to stdout and bench/results.json.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { runResourceList } from "../src/run";
import { LEGACY_CONFIG, NATIVE_CONFIG, resourceList } from "./generate";

const self = process.argv[1]!;
const root = resolve(self, "..", "..");
/** The executable measured: the build's, or another one (`--bin PATH`, e.g. an older build to compare with). */
const binAt = process.argv.indexOf("--bin");
const BIN = binAt === -1 ? join(root, "dist", "sidecar-order.cjs") : resolve(process.argv[binAt + 1]!);
const ROUND_TRIP = join(root, "bench", "baselines", "yaml-round-trip.cjs");
const IO_FLOOR = join(root, "bench", "baselines", "io-floor.cjs");
const USAGE = join(root, "bench", "baselines", "usage.cjs");
/** Items in the small package of the start-up figure. */
const SMALL = 20;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** The function's output without its results: the list a re-render reads. */
const withoutResults = (out: string) => out.replace(/\nresults:\n[\s\S]*$/, "\n");

// ---------------------------------------------------------------------------------------------
// Whole processes

interface Program {
  /** node's arguments */
  args: string[];
  /** Input file; none reads /dev/null. */
  input?: string;
  /** Record peak RSS and CPU time (a preload). */
  usage: boolean;
}

interface Sample {
  wallMs: number;
  cpuMs?: number;
  rssMB?: number;
}

function runOnce(p: Program, dir: string): Sample {
  const usageFile = join(dir, "usage.json");
  rmSync(usageFile, { force: true });
  const stdin = openSync(p.input ?? "/dev/null", "r");
  const stdout = openSync(join(dir, "stdout"), "w");
  try {
    const args = p.usage ? ["--require", USAGE, ...p.args] : p.args;
    const env = p.usage ? { ...process.env, BENCH_USAGE: usageFile } : process.env;
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: [stdin, stdout, "pipe"], env });
    const wallMs = performance.now() - t;
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${String(r.stderr).slice(0, 500)}`);
    if (!p.usage) return { wallMs };
    const u = JSON.parse(readFileSync(usageFile, "utf8")) as { maxRSSKB: number; cpuMs: number };
    return { wallMs, cpuMs: u.cpuMs, rssMB: u.maxRSSKB / 1024 };
  } finally {
    closeSync(stdin);
    closeSync(stdout);
  }
}

interface Figure {
  name: string;
  /** Program labels: candidate over baseline. */
  candidate: string;
  baseline: string;
  measure: "wall" | "rss" | "growth";
  limit: number;
  note?: string;
}

interface Ratio {
  median: number;
  min: number;
  max: number;
}

function wholeProcesses(rounds: number, dir: string) {
  // Inputs: a first migration (every workload changes), the re-render of its output, a small package.
  const files: Record<string, string> = {};
  const write = (name: string, text: string) => {
    writeFileSync((files[name] = join(dir, name)), text);
  };
  const rerenderOf = (file: string) => {
    const r = spawnSync(process.execPath, [BIN], { input: readFileSync(file), maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`making the re-render input: ${String(r.stderr)}`);
    return withoutResults(r.stdout.toString("utf8"));
  };
  for (const n of [1000, 10000]) {
    write(`migration-${n}.yaml`, resourceList(n, NATIVE_CONFIG));
    write(`rerender-${n}.yaml`, rerenderOf(files[`migration-${n}.yaml`]!));
  }
  write("legacy-10000.yaml", resourceList(10000, LEGACY_CONFIG));
  write(`small.yaml`, rerenderOf((write("small-migration.yaml", resourceList(SMALL, NATIVE_CONFIG)), files["small-migration.yaml"]!)));

  // A re-render changes nothing: its output must be its input, byte for byte.
  for (const f of ["rerender-10000.yaml", "small.yaml"]) {
    const r = spawnSync(process.execPath, [BIN], { input: readFileSync(files[f]!), maxBuffer: 1 << 30 });
    if (withoutResults(r.stdout.toString("utf8")) !== readFileSync(files[f]!, "utf8")) throw new Error(`the re-render of ${f} is not its input`);
  }

  const programs: Record<string, Program> = {
    "re-render, 10,000 items": { args: [BIN], input: files["rerender-10000.yaml"], usage: true },
    "yaml round trip of it": { args: [ROUND_TRIP], input: files["rerender-10000.yaml"], usage: true },
    "I/O floor of it": { args: [IO_FLOOR], input: files["rerender-10000.yaml"], usage: true },
    "first migration, native, 10,000 items": { args: [BIN], input: files["migration-10000.yaml"], usage: true },
    "first migration, legacy, 10,000 items": { args: [BIN], input: files["legacy-10000.yaml"], usage: true },
    "yaml round trip of the migration input": { args: [ROUND_TRIP], input: files["migration-10000.yaml"], usage: true },
    "re-render, 1,000 items": { args: [BIN], input: files["rerender-1000.yaml"], usage: true },
    "first migration, native, 1,000 items": { args: [BIN], input: files["migration-1000.yaml"], usage: true },
    [`re-render, small package (${SMALL} items)`]: { args: [BIN], input: files["small.yaml"], usage: false },
    "node -e 0": { args: ["-e", "0"], usage: false },
  };
  const [rr10, rt, floor, mig, leg, rtMig, rr1, mig1, small, node0] = Object.keys(programs) as [string, string, string, string, string, string, string, string, string, string];
  // Pairs run next to each other, in alternating order; small programs several times a round.
  const pairs: [string, string, number][] = [
    [small, node0, 15],
    [rr10, floor, 3],
    [rr10, rt, 1],
    [mig, rtMig, 1],
    [leg, rtMig, 1],
    [rr1, node0, 3],
    [mig1, node0, 1],
  ];
  const samples: Record<string, Sample[][]> = Object.fromEntries(Object.keys(programs).map((k) => [k, []]));
  const loads: number[] = [loadavg()[0]!];
  for (let r = 0; r < rounds; r++) {
    const round: Record<string, Sample[]> = Object.fromEntries(Object.keys(programs).map((k) => [k, []]));
    for (const [a, b, times] of pairs) {
      for (let i = 0; i < times; i++) {
        const order = (r + i) % 2 === 0 ? [a, b] : [b, a];
        for (const label of order) round[label]!.push(runOnce(programs[label]!, dir));
      }
    }
    for (const k of Object.keys(programs)) samples[k]!.push(round[k]!);
    loads.push(loadavg()[0]!);
    process.stderr.write(`round ${r + 1}/${rounds} done (load ${loadavg()[0]!.toFixed(1)})\n`);
  }

  /** One value per round and program: the median of the round's runs. */
  const perRound = (label: string, what: "wallMs" | "rssMB" | "cpuMs") => samples[label]!.map((runs) => median(runs.map((s) => s[what]!)));
  const ratioOf = (xs: readonly number[]): Ratio => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
  const divide = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x / b[i]!);
  const growth = (big: string, little: string) => {
    const n0 = perRound(node0, "wallMs");
    return perRound(big, "wallMs").map((x, i) => (x - n0[i]!) / (perRound(little, "wallMs")[i]! - n0[i]!));
  };

  const figures: (Figure & { ratio: Ratio; cpuRatio?: Ratio; pass: boolean })[] = [];
  const add = (f: Figure) => {
    let ratio: Ratio;
    let cpuRatio: Ratio | undefined;
    if (f.measure === "growth") ratio = ratioOf(growth(f.candidate, f.baseline));
    else if (f.measure === "rss") ratio = ratioOf(divide(perRound(f.candidate, "rssMB"), perRound(f.baseline, "rssMB")));
    else {
      ratio = ratioOf(divide(perRound(f.candidate, "wallMs"), perRound(f.baseline, "wallMs")));
      if (programs[f.candidate]!.usage && programs[f.baseline]!.usage) cpuRatio = ratioOf(divide(perRound(f.candidate, "cpuMs"), perRound(f.baseline, "cpuMs")));
    }
    figures.push({ ...f, ratio, ...(cpuRatio ? { cpuRatio } : {}), pass: ratio.median <= f.limit });
  };
  add({ name: "re-render of an already-ordered list / yaml round trip", candidate: rr10, baseline: rt, measure: "wall", limit: 0.1 });
  add({ name: "re-render / I/O floor", candidate: rr10, baseline: floor, measure: "wall", limit: 2 });
  add({ name: "first migration, native / round trip", candidate: mig, baseline: rtMig, measure: "wall", limit: 0.5 });
  add({ name: "first migration, legacy / round trip", candidate: leg, baseline: rtMig, measure: "wall", limit: 0.5 });
  add({ name: "peak RSS, re-render / round trip's", candidate: rr10, baseline: rt, measure: "rss", limit: 0.35 });
  add({ name: "peak RSS, first migration, native / round trip's", candidate: mig, baseline: rtMig, measure: "rss", limit: 0.35 });
  add({ name: "peak RSS, first migration, legacy / round trip's", candidate: leg, baseline: rtMig, measure: "rss", limit: 0.35 });
  add({ name: `re-render of a small package (${SMALL} items) / node -e 0`, candidate: small, baseline: node0, measure: "wall", limit: 1.2 });
  const linear = "each less node -e 0; 10 is linear";
  add({ name: "growth 1,000 → 10,000 items, re-render", candidate: rr10, baseline: rr1, measure: "growth", limit: 11, note: linear });
  add({ name: "growth 1,000 → 10,000 items, first migration", candidate: mig, baseline: mig1, measure: "growth", limit: 11, note: linear });

  const table = Object.fromEntries(
    Object.keys(programs).map((k) => {
      const w = perRound(k, "wallMs");
      const row: Record<string, unknown> = { wallMs: { median: median(w), min: Math.min(...w), max: Math.max(...w) }, runsPerRound: samples[k]![0]!.length };
      if (programs[k]!.usage) Object.assign(row, { cpuMs: median(perRound(k, "cpuMs")), peakRssMB: median(perRound(k, "rssMB")) });
      return [k, row];
    }),
  );
  const sizes = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, readFileSync(f).byteLength]));
  return { figures, programs: table, inputBytes: sizes, load1: { min: Math.min(...loads), max: Math.max(...loads), median: median(loads) } };
}

// ---------------------------------------------------------------------------------------------
// In process (for profiling only): one warm function called in a loop, in a child of its own.

type Case = "baseline" | "steady" | "migration-native" | "migration-legacy";
const CASES: Case[] = ["baseline", "steady", "migration-native", "migration-legacy"];

function inputFor(c: Case, n: number): string {
  if (c === "migration-legacy") return resourceList(n, LEGACY_CONFIG);
  const migration = resourceList(n, NATIVE_CONFIG);
  if (c !== "steady") return migration;
  return withoutResults(runResourceList(migration).text);
}

function runCase(c: Case, input: string): void {
  if (c === "baseline") parseDocument(input).toString();
  else runResourceList(input);
}

/** Child: time one case (after a warm-up run) until it has run ROUND_BUDGET_MS; print the median. */
const ROUND_BUDGET_MS = 3000;
const MAX_ROUNDS = 201;
function timeChild(c: Case, n: number, minRounds: number): void {
  const input = inputFor(c, n);
  globalThis.gc?.();
  runCase(c, input);
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

function inProcess(): Record<number, Record<Case, number>> {
  const time: Record<number, Record<Case, number>> = {};
  for (const n of [1000, 10000]) {
    const child = (c: Case) => JSON.parse(execFileSync(process.execPath, ["--expose-gc", self, "time", c, String(n), "3"], { encoding: "utf8" })) as { medianMs: number };
    time[n] = Object.fromEntries(CASES.map((c) => [c, child(c).medianMs])) as Record<Case, number>;
  }
  return time;
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  const argv = process.argv.slice(2);
  if (argv[0] === "time") return timeChild(argv[1] as Case, Number(argv[2]), Number(argv[3]));
  const roundsAt = argv.indexOf("--rounds");
  const rounds = roundsAt === -1 ? 5 : Number(argv[roundsAt + 1]);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds takes a whole number");

  const dir = mkdtempSync(join(tmpdir(), "sidecar-order-bench-"));
  let whole: ReturnType<typeof wholeProcesses>;
  try {
    whole = wholeProcesses(rounds, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const fmt = (x: number) => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
  console.log(`\nwhole processes, ${rounds} rounds (1-minute load average ${whole.load1.min.toFixed(1)}–${whole.load1.max.toFixed(1)} on ${cpus().length} cores)`);
  console.log("program                                         wall ms (median, min–max)     CPU ms   peak RSS MB");
  for (const [k, v] of Object.entries(whole.programs)) {
    const w = v["wallMs"] as Ratio;
    const cpu = v["cpuMs"] as number | undefined;
    const rss = v["peakRssMB"] as number | undefined;
    console.log(`${k.padEnd(46)} ${`${w.median.toFixed(0)} (${w.min.toFixed(0)}–${w.max.toFixed(0)})`.padStart(22)} ${(cpu === undefined ? "" : cpu.toFixed(0)).padStart(12)} ${(rss === undefined ? "" : rss.toFixed(0)).padStart(13)}`);
  }
  console.log("\nfigure                                                        ratio (median, min–max)   CPU-time ratio   target");
  for (const f of whole.figures) {
    const cpu = f.cpuRatio ? fmt(f.cpuRatio.median) : "";
    console.log(`${f.pass ? "PASS" : "MISS"}  ${f.name.padEnd(55)} ${`${fmt(f.ratio.median)} (${fmt(f.ratio.min)}–${fmt(f.ratio.max)})`.padStart(22)} ${cpu.padStart(16)}   ≤ ${f.limit}`);
  }

  let inProc: ReturnType<typeof inProcess> | undefined;
  if (argv.includes("--in-process")) {
    inProc = inProcess();
    console.log("\nin process, for profiling only (a warm function in a loop; median ms)");
    for (const [n, t] of Object.entries(inProc)) console.log(`${n.padStart(6)} items: ${CASES.map((c) => `${c} ${t[c].toFixed(0)}`).join(", ")}`);
  }

  const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryGB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    if (execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: root, encoding: "utf8" }).trim() !== "") commit += " (src/ has uncommitted changes)";
  } catch {
    /* not a checkout */
  }
  const out = { date: new Date().toISOString(), commit, machine, rounds, load1: whole.load1, figures: whole.figures, programs: whole.programs, inputBytes: whole.inputBytes, ...(inProc ? { inProcessMs: inProc } : {}) };
  // Another build's figures are not this tree's: they go to .tmp (not kept).
  const file = binAt === -1 ? join("bench", "results.json") : join(".tmp", "bench-results-other.json");
  writeFileSync(join(root, file), JSON.stringify(binAt === -1 ? out : { ...out, bin: process.argv[binAt + 1] }, null, 2) + "\n");
  console.log(`\nwritten to ${file}`);
}

main();
