import { defineConfig } from 'vitest/config';

/**
 * Files that measure time, or start servers, worker threads and CLI processes. They run one at a time, after
 * everything else: they measure latency on a 2-core machine, and two of them loading the cores at once would
 * measure each other rather than the target. Every other file is pure logic and runs spread over the cores.
 */
const TIMED = [
  'test/e2e/**/*.test.ts',
  'test/cli/**/*.test.ts',
  'test/mock-server/**/*.test.ts',
  'test/runner/flow-runner.test.ts',
  'test/runner/unreachable.test.ts',
  'test/engines/kept-response.test.ts',
  'test/engines/wire/engine.test.ts',
  'test/engines/wire/engine-tls.test.ts',
  'test/scenario/limits.test.ts',
  'test/report/html.test.ts',
  'test/client/oauth2.test.ts',
];

export default defineConfig({
  test: {
    // End-to-end runs start real servers and worker threads; give them room on a busy 2-core runner.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'pure', include: ['test/**/*.test.ts'], exclude: TIMED, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'timed', include: TIMED, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
