import { defineConfig } from 'vitest/config';

/**
 * Files that measure time: latency against ground truth, deadlines, rates, or a run's own health verdict (which
 * CPU taken by another test can turn into "saturated"). They run one at a time, after everything else: on a
 * 2-core machine two of them loading the cores at once would measure each other rather than the target.
 */
const TIMED = [
  'test/e2e/**/*.test.ts',
  'test/cli/exit-codes.test.ts',
  'test/cli/start-up-signals.test.ts',
  'test/mock-server/timing.test.ts',
  'test/mock-server/clock.test.ts',
  'test/mock-server/faults.test.ts',
  'test/mock-server/jobs-admin.test.ts',
  'test/mock-server/proxy.test.ts',
  'test/mock-server/scale.test.ts',
  'test/mock-server/stream.test.ts',
  'test/engines/wire/engine.test.ts',
  'test/scenario/limits.test.ts',
  'test/report/html.test.ts',
  'test/client/oauth2.test.ts',
];

/**
 * Files that start servers, worker threads or CLI runs but check only what was counted, said or written, with
 * bounds a slower CPU cannot break: they run two at a time, before the timed files.
 */
const COUNTED = [
  'test/e2e/real-api.test.ts',
  'test/e2e/hostile-targets.test.ts',
  'test/e2e/engines-agree.test.ts',
  'test/e2e/dashboard.test.ts',
  'test/e2e/secrets-by-value.test.ts',
  'test/e2e/report-secrets.test.ts',
  'test/e2e/report-browser.test.ts',
  'test/e2e/usage-tokens.test.ts',
  'test/e2e/init-mock.test.ts',
  'test/e2e/mock-cli.test.ts',
  'test/e2e/report-cli.test.ts',
  'test/cli/bad-policy.test.ts',
  'test/cli/bad-result-corpus.test.ts',
  'test/cli/bad-scenario-corpus.test.ts',
  'test/cli/bad-scenario.test.ts',
  'test/cli/fleet-flags.test.ts',
  'test/cli/init.test.ts',
  'test/mock-server/auth.test.ts',
  'test/mock-server/hostile-input.test.ts',
  'test/mock-server/malformed.test.ts',
  'test/mock-server/profiles.test.ts',
  'test/runner/flow-runner.test.ts',
  'test/runner/unreachable.test.ts',
  'test/engines/kept-response.test.ts',
  'test/engines/wire/engine-tls.test.ts',
];

export default defineConfig({
  test: {
    // End-to-end runs start real servers and worker threads; give them room on a busy 2-core runner.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      // Pure logic, spread over both cores (vitest's default on 2 cores is one worker).
      {
        extends: true,
        test: { name: 'pure', include: ['test/**/*.test.ts'], exclude: [...TIMED, ...COUNTED], maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'counted', include: COUNTED, maxWorkers: 2, sequence: { groupOrder: 1 } } },
      {
        extends: true,
        test: { name: 'timed', include: TIMED, exclude: COUNTED, fileParallelism: false, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
