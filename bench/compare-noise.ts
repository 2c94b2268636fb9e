/**
 * How often `compare` would cry wolf on this machine: pairs of identical runs (same mock profile, different
 * seeds, one after the other as CI runs them) compared with the default rules. The statistics alone raise no
 * alarm on seeded samples (test/analysis/compare.test.ts); what this measures is the machine's own noise
 * between runs, which no unit test can promise.
 *
 *   npm run bench:compare-noise [-- --runs N]     (N pairs, default 10)
 */
import { startMockServer, type MockProfile } from '../mock-server/index.js';
import { parseScenario } from '../src/scenario/read.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { compareRuns } from '../src/analysis/compare/compare.js';
import type { RunResult } from '../src/result/types.js';
import { benchOptions, log } from './lib/options.js';

const PROFILE: MockProfile = {
  name: 'ci-lognormal',
  capacity: { slots: 'unlimited' },
  generate: { latency: { type: 'lognormal', median: '100ms', p99: '200ms' } },
};

async function runOnce(seed: number): Promise<RunResult> {
  const server = await startMockServer({ port: 0, host: '127.0.0.1', profile: PROFILE, seed });
  try {
    return await runScenario(
      parseScenario(
        `name: ci-compare
target: { url: "${server.url}" }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests:
  - { name: generate, method: POST, path: /v1/generate, json: { prompt: "ping", max_tokens: 8, temperature: 0 } }
load:
  closed:
    - { hold: 2s, concurrency: 64 }
interval: 200ms
workers: 1
`,
        'compare-noise.yaml',
        {},
      ),
    );
  } finally {
    await server.close();
  }
}

export async function compareNoiseBenchmark(argv: readonly string[]): Promise<void> {
  const options = benchOptions(argv, { runs: 10 });
  let previous = await runOnce(1000);
  let alarms = 0;
  for (let pair = 0; pair < options.runs; pair++) {
    const next = await runOnce(1001 + pair);
    const comparison = compareRuns(previous, next);
    const regressions = comparison.rules.filter((r) => r.outcome === 'regression').map((r) => r.rule);
    if (regressions.length > 0) alarms += 1;
    const changes = ['p50', 'p99', 'throughput'].map((label) => {
      const c = comparison.changes.find((x) => x.label === label)!;
      return `${label} ${(c.change * 100).toFixed(1)}% [${(c.ci[0] * 100).toFixed(1)}, ${(c.ci[1] * 100).toFixed(1)}]`;
    });
    log(`pair ${pair}: ${changes.join('; ')}${regressions.length ? `; FALSE ALARM: ${regressions.join(', ')}` : ''}`);
    previous = next;
  }
  log(`${alarms} false alarm(s) in ${options.runs} pairs of identical runs`);
}

if (import.meta.url === `file://${process.argv[1]}`) await compareNoiseBenchmark(process.argv.slice(2));
