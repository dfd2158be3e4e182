// Bundle src/ into one executable (a launcher and its bundle; no node_modules needed at run time) and the library entries.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

// The executable's launcher and the build's cache driver must wrap and compile the bundle alike.
const WRAPPER_ARGS = "exports, require, module, __filename, __dirname";
/** The bundle the launcher runs is `<executable>.bundle` (its code cache, `<executable>.cache`). */
const BUNDLE = ".bundle";

/**
 * The cache's checksum: FNV-1a (32 bits) over its bytes, a 32-bit word at a time. V8 checks a code
 * cache's own checksum only under --verify-snapshot-checksum, and setting that flag takes node:v8,
 * which loads Node's streams (node:crypto loads more): about 3 ms of every cold start. The
 * launcher runs FNV-1a as 92 bytes of WebAssembly (assembled below: a JavaScript loop over 270 KB
 * would run in the interpreter); the build computes it in JavaScript, and fails unless the
 * executable, checking with its WebAssembly, uses the cache it wrote.
 */
function fnv1a(bytes) {
  // Over little-endian 32-bit words, the last one padded with zeros: a quarter of the steps.
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < bytes.length; i += 4) h = Math.imul(h ^ (bytes[i] | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)), 0x01000193);
  return h >>> 0;
}

/** `h(n)`: FNV-1a of the first n bytes of memory `m` (by words; zeros follow them), as a WebAssembly module. */
function fnv1aWasm() {
  const uleb = (n) => {
    const out = [];
    do {
      out.push((n & 0x7f) | (n >>> 7 ? 0x80 : 0));
      n >>>= 7;
    } while (n);
    return out;
  };
  const sleb = (n) => {
    const out = [];
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
      out.push(b | 0x80);
    }
  };
  const section = (id, content) => [id, ...uleb(content.length), ...content];
  // locals: 0 n (the parameter), 1 i, 2 h
  const body = [
    ...[0x01, 0x02, 0x7f], // two i32 locals
    ...[0x41, ...sleb(0x811c9dc5 | 0), 0x21, 0x02], // h = offset basis
    ...[0x02, 0x40, 0x03, 0x40], // block, loop
    ...[0x20, 0x01, 0x20, 0x00, 0x4f, 0x0d, 0x01], // if i >= n: break
    ...[0x20, 0x02, 0x20, 0x01, 0x28, 0x02, 0x00, 0x73, 0x41, ...sleb(0x01000193), 0x6c, 0x21, 0x02], // h = (h ^ word at i) * prime
    ...[0x20, 0x01, 0x41, 0x04, 0x6a, 0x21, 0x01], // i += 4
    ...[0x0c, 0x00, 0x0b, 0x0b], // continue; end loop, block
    ...[0x20, 0x02, 0x0b], // return h
  ];
  return [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]), // type (i32) -> i32
    ...section(3, [0x01, 0x00]), // one function of that type
    ...section(5, [0x01, 0x00, 0x01]), // one memory, one page to start with
    ...section(7, [0x02, 0x01, 0x6d, 0x02, 0x00, 0x01, 0x68, 0x00, 0x00]), // export "m", "h"
    ...section(10, [0x01, ...uleb(body.length), ...body]),
  ];
}

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  define: { __SIDECAR_ORDER_VERSION__: JSON.stringify(pkg.version) },
  legalComments: "none",
  // Every kpt render starts a process: a smaller file parses faster.
  minify: true,
  logLevel: "warning",
};

/**
 * Modules the executable requires on first use rather than at start-up, with the exports it uses
 * (esbuild says so if code imports another). A cold start is what every kpt render pays:
 * - `yaml`: a re-render that changes nothing never needs it (the light reader does that work);
 * - `node:tty`: asked only when stdin is a character device; `node:child_process`: only by
 *   --argocd. Each loads Node's streams, milliseconds of a cold start.
 */
const LAZY = {
  yaml: ["Document", "parse", "parseDocument", "parseAllDocuments", "visit", "isAlias", "isMap", "isNode", "isPair", "isSeq", "isScalar"],
  "node:tty": ["isatty"],
  "node:child_process": ["spawnSync"],
};
const lazyModules = {
  name: "lazy-modules",
  setup(b) {
    b.onResolve({ filter: /^(yaml|node:tty|node:child_process)$/ }, (args) => (args.namespace === "lazy-modules" ? undefined : { path: args.path, namespace: "lazy-modules" }));
    b.onLoad({ filter: /.*/, namespace: "lazy-modules" }, (args) => ({
      resolveDir: process.cwd(),
      loader: "js",
      contents: [
        "let real;",
        `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        // `new Document(...)` works through a function that returns the real instance.
        ...LAZY[args.path].map((n) => `export function ${n}(...a) { return ${n === "Document" ? "new (load().Document)(...a)" : `load().${n}(...a)`}; }`),
      ].join("\n"),
    }));
  },
};

/**
 * `--explain` and `explain: true` need the kubelet model; nothing else does. In the executable,
 * src/explain/load.ts becomes a require() made on first call, so esbuild puts the timeline and the
 * model (which import nothing else) behind a function that a run without explain never calls.
 */
const lazyExplain = {
  name: "lazy-explain",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]explain[\\/]load\.ts$/ }, (args) => ({
      resolveDir: dirname(args.path),
      loader: "js",
      contents: 'let real;\nexport function loadTimeline() { return (real ??= require("./timeline")); }\n',
    }));
  },
};

// CommonJS (.cjs): Node loads it faster than an ES module, and it needs no package.json beside it.
const bundled = await build({ ...common, format: "cjs", entryPoints: ["src/bin.ts"], outfile: "dist/sidecar-order.cjs", plugins: [lazyModules, lazyExplain], write: false });
writeCodeCache("dist/sidecar-order.cjs", writeExecutable("dist/sidecar-order.cjs", bundled.outputFiles[0].text));

// The library entries leave their dependencies to the installing project.
// Both module systems: projects on the kpt-functions SDK are often CommonJS.
for (const format of ["esm", "cjs"]) {
  const ext = format === "esm" ? "js" : "cjs";
  await build({ ...common, format, entryPoints: ["src/index.ts"], outfile: `dist/index.${ext}`, packages: "external" });
  await build({ ...common, format, entryPoints: ["src/adapters/kpt-functions.ts"], outfile: `dist/kpt-functions.${ext}`, packages: "external" });
}

// `sidecar-order` on the PATH for kpt pipelines (`exec: sidecar-order`) in tests and examples.
mkdirSync("dist/bin", { recursive: true });
rmSync("dist/bin/sidecar-order", { force: true });
symlinkSync("../sidecar-order.cjs", "dist/bin/sidecar-order");

/**
 * The executable is a short launcher that compiles the bundle beside it (`<executable>.bundle`)
 * with V8's code cache (`<executable>.cache`, written below). Every kpt render starts a new
 * process, and compiling the bundle was most of what a re-render cost over `node -e 0`. The
 * bundle is a file of its own, read as one string, because a launcher holding it as a string
 * literal made V8 scan and copy 300 KB before the first line ran. The bundle's first line names
 * it (a hash the launcher knows), so a bundle from another build is refused with a message. The
 * cache is only a shortcut: its first line names the bundle and the V8 that made it, and any
 * other cache is not even read; then the checksum of the rest, so a damaged cache is refused, not
 * a crash; V8 makes its own checks (flags, length) last. Whenever the cache is not used, V8
 * compiles the bundle as usual and the same code runs.
 */
function writeExecutable(file, bundle) {
  mkdirSync(dirname(file), { recursive: true });
  const wrapped = `(function (${WRAPPER_ARGS}) {${bundle}\n})`;
  const hash = createHash("sha256").update(wrapped).digest("hex");
  const firstLine = `// sidecar-order ${hash}\n`;
  const launcher = `#!/usr/bin/env node
"use strict";
// sidecar-order: runs the function's bundle beside this file, compiled from the code cache beside
// it when that cache was made for this bundle by this V8 (scripts/build.mjs says how and why).
const { Script } = require("node:vm");
const { readFileSync, writeSync } = require("node:fs");
const BUNDLE = __filename + ${JSON.stringify(BUNDLE)};
let source = "";
try {
  source = readFileSync(BUNDLE, "utf8");
} catch {
  // Said below.
}
if (!source.startsWith(${JSON.stringify(firstLine)})) {
  writeSync(2, "sidecar-order: " + BUNDLE + (source ? " is not the one built with " : " is missing; it must be beside ") + __filename + ": copy both (and the .cache beside them) from the same build\\n");
  process.exit(1);
}
const HEADER = ${JSON.stringify(hash + " ")} + process.versions.v8 + " ";
let cachedData;
let cacheState = "none";
try {
  const cache = readFileSync(__filename + ".cache");
  cacheState = "made for another build or V8";
  if (cache.toString("latin1", 0, HEADER.length) === HEADER) {
    // The header's last word is the checksum of the rest: anything else is a damaged cache.
    const end = cache.indexOf(10, HEADER.length);
    const data = cache.subarray(end + 1);
    const wasm = typeof WebAssembly === "object"; // not under node --jitless
    cacheState = wasm ? "damaged" : "not checked (no WebAssembly)";
    if (wasm && end !== -1 && String(fnv1a(data)) === cache.toString("latin1", HEADER.length, end)) cachedData = data;
  }
} catch {
  // No cache: compile as usual.
}
/** FNV-1a of the bytes, by WebAssembly (scripts/build.mjs assembles it). */
function fnv1a(bytes) {
  const { m, h } = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(${JSON.stringify(fnv1aWasm())}))).exports;
  const pages = Math.ceil((bytes.length + 4) / 65536) - m.buffer.byteLength / 65536;
  if (pages > 0) m.grow(pages);
  new Uint8Array(m.buffer).set(bytes);
  return h(bytes.length) >>> 0;
}
const script = new Script(source, { filename: BUNDLE, cachedData });
if (cachedData) cacheState = script.cachedDataRejected ? "refused by V8" : "used";
if (process.env.SIDECAR_ORDER_DEBUG) writeSync(2, "sidecar-order: code cache " + cacheState + "\\n");
script.runInThisContext().call(module.exports, ${WRAPPER_ARGS});
`;
  writeFileSync(file + BUNDLE, firstLine + wrapped);
  writeFileSync(file, launcher);
  chmodSync(file, 0o755);
  return { header: `${hash} ${process.versions.v8} ` };
}

/**
 * Run the bundle, the way the launcher does, on the re-render of a few small ResourceLists (native
 * and legacy), so the cache holds the code that path compiles and not only the top level. Each run
 * starts from the previous run's cache and writes a fuller one. A driver of the build's own does
 * it, so the shipped launcher has no way to write files; NODE_OPTIONS is left out, because V8 only
 * accepts a cache made under the flags it runs with. Last, the executable must say it used it.
 */
function writeCodeCache(file, { header }) {
  const cache = `${file}.cache`;
  rmSync(cache, { force: true });
  const work = mkdtempSync(join(tmpdir(), "sidecar-order-build-"));
  const { NODE_OPTIONS: _, ...env } = process.env;
  try {
    writeFileSync(
      join(work, "driver.cjs"),
      `"use strict";
const { Script } = require("node:vm");
const { existsSync, readFileSync, writeFileSync } = require("node:fs");
const [cacheFile, executable] = [process.env.CACHE_FILE, process.env.CACHE_FOR];
const header = ${JSON.stringify(header)};
${fnv1a.toString()}
const old = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
const before = old?.subarray(old.indexOf(10) + 1);
const bundle = executable + ${JSON.stringify(BUNDLE)};
const script = new Script(readFileSync(bundle, "utf8"), { filename: bundle, cachedData: before });
if (before && script.cachedDataRejected) throw new Error("V8 refused the cache this build just made");
if (process.env.CACHE_WRITE) process.on("exit", () => {
  const data = script.createCachedData();
  writeFileSync(cacheFile, Buffer.concat([Buffer.from(header + fnv1a(data) + "\\n", "latin1"), data]));
});
script.runInThisContext().call(module.exports, exports, require, module, executable, require("node:path").dirname(executable));
`,
    );
    const run = (input, write) => {
      const r = spawnSync(process.execPath, [join(work, "driver.cjs")], {
        input,
        encoding: "utf8",
        env: { ...env, CACHE_FILE: cache, CACHE_FOR: resolve(file), ...(write ? { CACHE_WRITE: "1" } : {}) },
      });
      if (r.status !== 0 || (write && !existsSync(cache))) throw new Error(`code cache: the bundle failed (${r.status}): ${r.stderr}`);
      return r.stdout;
    };
    // The cache holds what a re-render runs (the function's own output, its results taken off):
    // what every render pays for. V8 reads all of a cache before the first line runs, so code only
    // a first migration needs is left to be compiled when used (once per package, in a run that
    // costs more anyway); a cache with it too made a small re-render about 10% slower.
    const rerender = (out) => out.replace(/\nresults:\n[\s\S]*$/, "\n");
    const native = run(sampleList("native"), false);
    const legacy = run(sampleList("legacy"), false);
    run(rerender(native), true);
    run(rerender(legacy), true);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const check = spawnSync(process.execPath, [file, "--version"], { encoding: "utf8", env: { ...env, SIDECAR_ORDER_DEBUG: "1" } });
  if (!check.stderr.includes("code cache used")) throw new Error(`code cache: the executable does not use it: ${check.stderr}`);
}

/** A small ResourceList: two workloads with an app and two known sidecars, and two ConfigMaps. */
function sampleList(strategy) {
  const pod = (name) => `  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ${name} # a comment
      annotations:
        config.kubernetes.io/path: '${name}.yaml'
    spec:
      template:
        spec:
          containers:
          - name: app
            image: example/app:1
            readinessProbe: {httpGet: {path: /ready, port: 8080}}
          - name: istio-proxy
            image: docker.io/istio/proxyv2:1.26.0
          - name: cloud-sql-proxy
            image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.1
            args: ["--health-check", "--http-address=0.0.0.0"]
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: ${name}-settings
    data:
      key: "value"
`;
  return `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
${pod("api")}${pod("worker")}functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: function-input
  data:
    strategy: ${strategy}
`;
}
