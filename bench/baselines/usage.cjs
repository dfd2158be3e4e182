// Preloaded (`node --require`) into the bench's big runs: at exit, append the process's peak RSS
// and CPU time to the file BENCH_USAGE names. It only registers an exit hook.
"use strict";
const file = process.env.BENCH_USAGE;
if (file) {
  process.on("exit", () => {
    const u = process.resourceUsage();
    require("node:fs").appendFileSync(file, `${JSON.stringify({ maxRSSKB: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 })}\n`);
  });
}
