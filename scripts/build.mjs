// Bundle src/ into one executable file (no node_modules needed at run time) and a library entry.
import { build } from "esbuild";
import { chmodSync, readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  define: { __SIDECAR_ORDER_VERSION__: JSON.stringify(pkg.version) },
  legalComments: "none",
  minify: true,
  // Names stay readable in error messages and profiles.
  keepNames: false,
  logLevel: "warning",
};
await build({ ...common, entryPoints: ["src/cli.ts"], outfile: "dist/sidecar-order.js", banner: { js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from \"node:module\";\nconst require = __createRequire(import.meta.url);" } });
chmodSync("dist/sidecar-order.js", 0o755);
// The library entries leave their dependencies to the installing project.
await build({ ...common, entryPoints: ["src/index.ts"], outfile: "dist/index.js", packages: "external" });
await build({ ...common, entryPoints: ["src/adapters/kpt-functions.ts"], outfile: "dist/kpt-functions.js", packages: "external" });

// `sidecar-order` on the PATH for kpt pipelines (`exec: sidecar-order`) in tests and examples.
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
mkdirSync("dist/bin", { recursive: true });
rmSync("dist/bin/sidecar-order", { force: true });
symlinkSync("../sidecar-order.js", "dist/bin/sidecar-order");
