// Bundle src/ into one executable file (no node_modules needed at run time) and the library entries.
import { build } from "esbuild";
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";

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
await build({ ...common, format: "cjs", entryPoints: ["src/bin.ts"], outfile: "dist/sidecar-order.cjs", banner: { js: "#!/usr/bin/env node" }, plugins: [lazyYaml] });
chmodSync("dist/sidecar-order.cjs", 0o755);

// The library entries leave their dependencies to the installing project.
await build({ ...common, format: "esm", entryPoints: ["src/index.ts"], outfile: "dist/index.js", packages: "external" });
await build({ ...common, format: "esm", entryPoints: ["src/adapters/kpt-functions.ts"], outfile: "dist/kpt-functions.js", packages: "external" });

// `sidecar-order` on the PATH for kpt pipelines (`exec: sidecar-order`) in tests and examples.
mkdirSync("dist/bin", { recursive: true });
rmSync("dist/bin/sidecar-order", { force: true });
symlinkSync("../sidecar-order.cjs", "dist/bin/sidecar-order");
