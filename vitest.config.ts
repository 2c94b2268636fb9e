import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end runs start real servers and worker threads; give them room on a busy 2-core runner.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Files run one at a time: end-to-end files measure latency on a 2-core machine, and two of them
    // loading the cores at once would measure each other rather than the target.
    fileParallelism: false,
  },
});
