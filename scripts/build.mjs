// Bundle src/ into one executable file (no node_modules needed at run time) and the library entries.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";

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
 * The executable loads the `yaml` package on first use: a re-render that changes nothing never
 * needs it (the light reader does that work), and a cold start is what every kpt render pays.
 */
const lazyYaml = {
  name: "lazy-yaml",
  setup(b) {
    const names = ["Document", "parse", "parseDocument", "parseAllDocuments", "visit", "isMap", "isSeq", "isScalar"];
    b.onResolve({ filter: /^yaml$/ }, (args) => (args.namespace === "lazy-yaml" ? undefined : { path: "yaml", namespace: "lazy-yaml" }));
    b.onLoad({ filter: /.*/, namespace: "lazy-yaml" }, () => ({
      resolveDir: process.cwd(),
      loader: "js",
      contents: [
        "let real;",
        'const load = () => (real ??= require("yaml"));',
        // `new Document(...)` works through a function that returns the real instance.
        ...names.map((n) => `export function ${n}(...a) { return ${n === "Document" ? "new (load().Document)(...a)" : `load().${n}(...a)`}; }`),
      ].join("\n"),
    }));
  },
};

// CommonJS (.cjs): Node loads it faster than an ES module, and it needs no package.json beside it.
const bundled = await build({ ...common, format: "cjs", entryPoints: ["src/bin.ts"], outfile: "dist/sidecar-order.cjs", plugins: [lazyYaml], write: false });
writeExecutable("dist/sidecar-order.cjs", bundled.outputFiles[0].text);
writeCodeCache("dist/sidecar-order.cjs");

// The library entries leave their dependencies to the installing project.
await build({ ...common, format: "esm", entryPoints: ["src/index.ts"], outfile: "dist/index.js", packages: "external" });
await build({ ...common, format: "esm", entryPoints: ["src/adapters/kpt-functions.ts"], outfile: "dist/kpt-functions.js", packages: "external" });

// `sidecar-order` on the PATH for kpt pipelines (`exec: sidecar-order`) in tests and examples.
mkdirSync("dist/bin", { recursive: true });
rmSync("dist/bin/sidecar-order", { force: true });
symlinkSync("../sidecar-order.cjs", "dist/bin/sidecar-order");

/**
 * The executable is the bundle wrapped in a short launcher that compiles it with V8's code cache
 * (`<executable>.cache`, written below). Every kpt render starts a new process, and compiling
 * the bundle was most of what a re-render cost over `node -e 0`. The cache is only a shortcut:
 * when it is missing, was made by another Node/V8, or belongs to another build (its first line
 * is the bundle's hash), V8 compiles the bundle as usual and the same code runs.
 */
function writeExecutable(file, bundle) {
  mkdirSync(dirname(file), { recursive: true });
  const source = `(function (exports, require, module, __filename, __dirname) {${bundle}\n})`;
  const hash = createHash("sha256").update(source).digest("hex");
  const launcher = `#!/usr/bin/env node
"use strict";
// sidecar-order: the function's bundle, compiled with the code cache beside this file when it fits.
const { Script } = require("node:vm");
const { readFileSync, writeFileSync } = require("node:fs");
const HASH = ${JSON.stringify(hash)};
const SOURCE = ${JSON.stringify(source)};
let cachedData;
let cacheState = "none";
try {
  const cache = readFileSync(__filename + ".cache");
  cacheState = "from another build";
  if (cache.toString("latin1", 0, HASH.length + 1) === HASH + "\\n") cachedData = cache.subarray(HASH.length + 1);
} catch {
  // No cache: compile as usual.
}
const script = new Script(SOURCE, { filename: __filename, cachedData });
if (cachedData) cacheState = script.cachedDataRejected ? "rejected by this Node" : "used";
if (process.env.SIDECAR_ORDER_DEBUG) process.stderr.write("sidecar-order: code cache " + cacheState + "\\n");
const cacheOut = process.env.SIDECAR_ORDER_WRITE_CODE_CACHE; // set only by the build (scripts/build.mjs)
if (cacheOut) process.on("exit", () => writeFileSync(cacheOut, Buffer.concat([Buffer.from(HASH + "\\n", "latin1"), script.createCachedData()])));
script.runInThisContext()(exports, require, module, __filename, __dirname);
`;
  writeFileSync(file, launcher);
  chmodSync(file, 0o755);
}

/**
 * Run the fresh executable on a few small ResourceLists (first run, legacy, re-render) so the
 * cache holds the code those paths compile, not only the top level. Each run starts from the
 * previous run's cache and writes a fuller one.
 */
function writeCodeCache(file) {
  const cache = `${file}.cache`;
  rmSync(cache, { force: true });
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
  const list = (strategy) => `apiVersion: config.kubernetes.io/v1
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
  const run = (input) => {
    const tmp = `${cache}.tmp`;
    const r = spawnSync(process.execPath, [file], { input, encoding: "utf8", env: { ...process.env, SIDECAR_ORDER_WRITE_CODE_CACHE: tmp } });
    if (r.status !== 0 || !existsSync(tmp)) throw new Error(`code cache: the executable failed (${r.status}): ${r.stderr}`);
    renameSync(tmp, cache);
    return r.stdout;
  };
  const first = run(list("native"));
  run(list("legacy"));
  // The re-render: the function's own output, its results taken off.
  run(first.replace(/\nresults:\n[\s\S]*$/, "\n"));
}
