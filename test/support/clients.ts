/**
 * Real clients for end-to-end tests. Under CI a missing client fails the run; on a developer's
 * machine the tests that need it are skipped with a visible message.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** Whether to run tests that need `name`; throws under CI when it is missing. */
export function requireClient(name: string): boolean {
  if (hasCommand(name)) return true;
  if (process.env["CI"] === "true") throw new Error(`${name} is not on the PATH, and CI=true: end-to-end tests need the real ${name}`);
  console.warn(`SKIPPED: ${name} is not on the PATH; its end-to-end tests do not run here`);
  return false;
}

/**
 * A tool that test/tools/build.sh builds into test/tools/.bin/ (Helm 3 and 4, kustomize v5,
 * pre-commit): its path, or undefined (skipped with a message; under CI a missing tool fails).
 */
export function requireTool(name: string): string | undefined {
  const path = join(__dirname, "..", "tools", ".bin", name);
  if (existsSync(path)) return path;
  const hint = `run \`npm run tools\` (test/tools/build.sh) to build it`;
  if (process.env["CI"] === "true") throw new Error(`test/tools/.bin/${name} is missing, and CI=true: ${hint}`);
  console.warn(`SKIPPED: test/tools/.bin/${name} is missing, so its end-to-end tests do not run here; ${hint}`);
  return undefined;
}
