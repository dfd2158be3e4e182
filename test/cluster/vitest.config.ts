import { defineConfig } from "vitest/config";

/** `npm run test:cluster`: the function's outputs on a real kubelet and kube-apiserver (root, Linux). */
export default defineConfig({
  test: {
    include: ["test/cluster/**/*.cluster.test.ts"],
    globalSetup: ["test/cluster/global-setup.ts"],
    // One cluster, one pod at a time per file; scenarios wait on real containers.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
  },
});
