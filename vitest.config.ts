import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end runs start real servers and worker threads; give them room on a busy 2-core runner.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
