/** The Config Sync recipe's render step: every package rendered by the real kpt into a wet tree. */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { requireClient } from "../support/clients";

const root = resolve(__dirname, "../..");

describe.runIf(requireClient("kpt"))("scripts/render-for-config-sync.sh", () => {
  it("renders every package of a directory, and fails when one fails", () => {
    const work = mkdtempSync(join(tmpdir(), "sidecar-order-configsync-"));
    try {
      const dry = join(work, "dry");
      for (const pkg of ["linkerd-native", "native-derived-probe"]) cpSync(join(root, "examples", pkg), join(dry, "team-a", pkg), { recursive: true });
      const env = { ...process.env, PATH: `${join(root, "dist", "bin")}${delimiter}${process.env["PATH"]}` };
      const r = spawnSync("bash", [join(root, "scripts", "render-for-config-sync.sh"), dry, join(work, "wet")], { env, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(readdirSync(join(work, "wet", "team-a")).sort()).toEqual(["linkerd-native", "native-derived-probe"]);
      const emoji = readFileSync(join(work, "wet", "team-a", "linkerd-native", "emoji.yaml"), "utf8");
      expect(emoji).toContain("restartPolicy: Always");
      // The dry source is untouched.
      expect(readFileSync(join(dry, "team-a", "linkerd-native", "emoji.yaml"), "utf8")).toBe(readFileSync(join(root, "examples", "linkerd-native", "emoji.yaml"), "utf8"));

      // A package removed from the dry tree goes from the wet one at the next render, and is said.
      rmSync(join(dry, "team-a", "native-derived-probe"), { recursive: true });
      const again = spawnSync("bash", [join(root, "scripts", "render-for-config-sync.sh"), dry, join(work, "wet")], { env, encoding: "utf8" });
      expect(again.status, again.stderr).toBe(0);
      expect(readdirSync(join(work, "wet", "team-a"))).toEqual(["linkerd-native"]);
      expect(again.stderr).toContain("removing team-a/native-derived-probe: no package there in");
      // SRC that is a package itself renders into OUT (it was refused by rm on "OUT/.").
      const single = spawnSync("bash", [join(root, "scripts", "render-for-config-sync.sh"), join(dry, "team-a", "linkerd-native"), join(work, "one")], { env, encoding: "utf8" });
      expect(single.status, single.stderr).toBe(0);
      expect(readFileSync(join(work, "one", "emoji.yaml"), "utf8")).toBe(emoji);

      cpSync(join(root, "examples", "cronjob-auto-old"), join(dry, "team-b"), { recursive: true });
      // cronjob-auto-old has no pipeline; give it one that fails (legacy CronJob on 1.27).
      const kptfile = join(dry, "team-b", "Kptfile");
      const text = readFileSync(kptfile, "utf8") + "pipeline:\n  mutators:\n  - exec: sidecar-order\n    configMap:\n      kubernetesVersion: \"1.27\"\n      sidecars: cloud-sql-proxy\n";
      writeFileSync(kptfile, text);
      const failing = spawnSync("bash", [join(root, "scripts", "render-for-config-sync.sh"), dry, join(work, "wet2")], { env, encoding: "utf8" });
      expect(failing.status).toBe(1);
      expect(failing.stderr).toContain("render failed: team-b");

      // OUT is emptied package by package: the same directory, one inside SRC, or one holding it
      // would lose the dry packages. Each is refused before anything is touched.
      const before = readFileSync(join(dry, "team-a", "linkerd-native", "emoji.yaml"), "utf8");
      for (const out of [dry, join(dry, "rendered"), work, "/"]) {
        const refused = spawnSync("bash", [join(root, "scripts", "render-for-config-sync.sh"), dry, out], { env, encoding: "utf8" });
        expect(refused.status, out).toBe(2);
        expect(refused.stderr).toMatch(/OUT_DIR .* must not (be SRC_DIR or inside it|contain SRC_DIR)/);
      }
      expect(readFileSync(join(dry, "team-a", "linkerd-native", "emoji.yaml"), "utf8")).toBe(before);
      expect(readdirSync(dry).sort()).toEqual(["team-a", "team-b"]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
