import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { parsePolicy, resolvePolicy } from '../../src/analysis/policy.js';
import { demoAuth, generateRequest, profileFile, runScenarioObject } from '../analysis/run-helpers.js';

// Lognormal service and 4% injected 503s: the replay has to model the failure mix as well as the latency.
const profile = profileFile({
  name: 'replay',
  capacity: { slots: 'unlimited' },
  generate: { latency: { type: 'lognormal', median: '20ms', p99: '100ms' } },
  faults: { status: { '503': 0.04 } },
});
const scenario = (seed: number, client?: object) => ({
  name: `replay-${seed}`,
  target: { mock: { profile, seed } },
  auth: demoAuth,
  requests: [generateRequest],
  load: { closed: [{ hold: '3s', concurrency: 16 }] },
  workers: 1,
  // enough to warm the JIT and the pool before the tail is measured (the 2 s default is for runs people read)
  warmup: '500ms',
  ...(client ? { client } : {}),
});

describe('what-if replay against a real run with the same policy', () => {
  it('predicts the success rate of "timeout at p99, 1 retry" within 2 points', async () => {
    const recorded = await runScenarioObject(scenario(1));
    const policy = resolvePolicy(
      parsePolicy('timeouts: { firstByte: p99 }\nretries: { max: 1, base: 20ms, on: [5xx, timeout] }\n', 'policy.yaml'),
      recorded.histograms,
      'policy.yaml',
    );
    const replay = analyze(recorded, { policy: { policy } }).replay!;
    const firstByteMs = Math.round(policy.timeouts.firstByteMs!);
    const real = await runScenarioObject(
      scenario(2, {
        timeouts: { firstByte: `${firstByteMs}ms` },
        retries: { max: 1, base: '20ms', on: ['5xx', 'timeout'] },
      }),
    );
    // Every attempt is a request in result.json; a logical request is its first attempt, so logical requests
    // are attempts minus retries, and each success ends exactly one of them.
    const logical = real.totals.requests - real.totals.counters.retries;
    const successes = real.totals.requests - real.totals.errors;
    const realSuccess = successes / logical;
    const realExtraLoad = real.totals.counters.retries / logical;
    console.log(
      'replay measured',
      JSON.stringify({
        firstByteMs,
        replaySuccess: replay.successRate,
        realSuccess,
        replayExtraLoad: replay.extraLoadShare,
        realExtraLoad,
        recordedSuccess: replay.baseline.successRate,
        logical,
        replayP99: replay.effective.p99,
        realP99: real.totals.latency.p99,
      }),
    );
    expect(realSuccess).toBeGreaterThan(0.98);
    expect(Math.abs(replay.successRate - realSuccess)).toBeLessThanOrEqual(0.02);
    // and the failure mix was modelled: without retries ~95% would have succeeded
    expect(replay.baseline.successRate).toBeLessThan(0.97);
  });
});
