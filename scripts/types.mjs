// After tsc: make the declarations loadable by every TypeScript resolution mode.
// - ESM under node16/nodenext needs explicit extensions on relative imports: "./run" -> "./run.js".
// - The `require` condition needs the declarations marked CommonJS (TypeScript reads a .d.ts's
//   module kind from the nearest package.json, and this package is ESM): a copy in types-cjs/.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

function declarations(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? declarations(path) : name.endsWith(".d.ts") ? [path] : [];
  });
}

for (const file of declarations("dist/types")) {
  const text = readFileSync(file, "utf8").replace(/(from |import\()(["'])(\.{1,2}\/[^"']*)\2/g, (whole, lead, quote, spec) => {
    if (/\.js$/.test(spec)) return whole;
    const target = resolve(dirname(file), spec);
    if (existsSync(`${target}.d.ts`)) return `${lead}${quote}${spec}.js${quote}`;
    if (existsSync(join(target, "index.d.ts"))) return `${lead}${quote}${spec}/index.js${quote}`;
    throw new Error(`${file}: cannot resolve ${spec}`);
  });
  writeFileSync(file, text);
}

rmSync("dist/types-cjs", { recursive: true, force: true });
cpSync("dist/types", "dist/types-cjs", { recursive: true });
writeFileSync("dist/types-cjs/package.json", JSON.stringify({ type: "commonjs" }) + "\n");
