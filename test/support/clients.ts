/**
 * Real clients for end-to-end tests. Under CI a missing client fails the run; on a developer's
 * machine the tests that need it are skipped with a visible message.
 */
import { spawnSync } from "node:child_process";

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
