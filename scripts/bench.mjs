// Bundle bench/run.ts (it imports the TypeScript sources) and run it; arguments pass through
// (--rounds N, --in-process). Run it after `npm run build`: it times dist/sidecar-order.cjs.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
await build({
  entryPoints: ["bench/run.ts"],
  outfile: ".tmp/bench.mjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  logLevel: "warning",
  banner: { js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);' },
});
const r = spawnSync(process.execPath, [".tmp/bench.mjs", ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(r.status ?? 1);
