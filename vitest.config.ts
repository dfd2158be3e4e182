import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The real-kubelet scenarios run apart: `npm run test:cluster` (root, Linux).
    exclude: ["test/cluster/**", "**/node_modules/**"],
    // End-to-end tests start real kpt, kustomize and kubectl processes; the machine has 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
