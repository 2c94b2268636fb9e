import { describe, expect, it } from 'vitest';
import { replayPolicy } from '../../src/analysis/replay.js';
import { parsePolicy, PolicyError, resolvePolicy } from '../../src/analysis/policy.js';
import { retriesFor } from '../../src/analysis/resilience.js';
import type { ReplayPolicy } from '../../src/analysis/types.js';
import { livePolicy, readPolicy } from '../../src/scenario/policy-file.js';
import { encodeMs, lognormalMs } from './helpers.js';

const ttfb = lognormalMs(50_000, 40, 200, 5);
const input = {
  histograms: { ttfb: encodeMs(ttfb), total: encodeMs(ttfb) },
  requests: 50_000,
  errors: { total: 0, byKind: {}, byStatus: {} },
};
const base: ReplayPolicy = {
  timeouts: {},
  retries: { max: 0, backoff: 'exponential', baseMs: 20, maxBackoffMs: 200, jitter: 'full', on: ['timeout', '5xx'] },
  samples: 20_000,
  seed: 7,
};

describe('replayPolicy', () => {
  it('gives the same figures for the same seed, and different ones for another', () => {
    const a = replayPolicy(input, base);
    expect(replayPolicy(input, base)).toEqual(a);
    expect(replayPolicy(input, { ...base, seed: 8 }).effective.p50).not.toBe(a.effective.p50);
  });

  it('cuts the share above the timeout, and one retry squares it', () => {
    const p99 = 40 * Math.exp(2.326 * (Math.log(5) / 2.326)); // the lognormal's own p99 = 200 ms
    const once = replayPolicy(input, { ...base, timeouts: { firstByteMs: p99 } });
    expect(once.successRate).toBeGreaterThan(0.985);
    expect(once.successRate).toBeLessThan(0.995);
    const retried = replayPolicy(input, { ...base, timeouts: { firstByteMs: p99 }, retries: { ...base.retries, max: 1 } });
    expect(retried.successRate).toBeGreaterThan(0.9995);
    expect(retried.extraLoadShare).toBeCloseTo(1 - once.successRate, 2);
  });

  it('models the failure mix the run saw: 5% 503s, retried once, leave ~0.25%', () => {
    const failing = { ...input, errors: { total: 2500, byKind: { status: 2500 }, byStatus: { '503': 2500 } } };
    const result = replayPolicy(failing, { ...base, retries: { ...base.retries, max: 1 } });
    expect(result.baseline.successRate).toBeCloseTo(0.95, 2);
    // 5% × 5% = 0.25% of 20,000 calls: ~50 failures, binomial σ ≈ 7 (0.035 pp). Three σ of room: a seed is one
    // draw of that noise (20 seeds read 0.185–0.295%, mean 0.246%).
    const sigma = Math.sqrt((0.0025 * 0.9975) / 20_000);
    expect(Math.abs(1 - result.successRate - 0.0025)).toBeLessThan(3 * sigma);
  });

  it('prices a p95 hedge at ~5% extra load and lowers p99', () => {
    const hedged = replayPolicy(input, { ...base, hedge: { delayMs: 40 * Math.exp(1.645 * (Math.log(5) / 2.326)) } });
    expect(hedged.extraLoadShare).toBeGreaterThan(0.04);
    expect(hedged.extraLoadShare).toBeLessThan(0.06);
    // P(hedged > t) = P(X > t)·P(X > t − delay): at t = 165 ms, 2.0% × 50% = 1%, so p99 falls from ~200 to ~165.
    expect(hedged.effective.p99).toBeGreaterThan(155);
    expect(hedged.effective.p99).toBeLessThan(175);
    expect(hedged.baseline.p99).toBeGreaterThan(185);
  });

  it('holds retries to the budget', () => {
    const budgeted = replayPolicy(input, {
      ...base,
      timeouts: { firstByteMs: 40 },
      retries: { ...base.retries, max: 3 },
      budgetRatio: 0.1,
    });
    // half the attempts time out at the median; the budget admits ≤ 10% of requests (+10 tokens) as retries
    expect(budgeted.extraLoadShare).toBeLessThanOrEqual(0.1 + 10 / 20_000 + 1e-9);
  });
});

describe('a circuit breaker on the simulated clock', () => {
  // Every attempt fails with a 503 after a fixed latency; one call every 10 ms. The breaker opens on one failure,
  // stays open 50 ms, then sends one probe, which fails and opens it again when its answer arrives. Worked by
  // hand for a 25 ms latency: calls at 0, 10 and 20 ms go out before the first answer (25 ms) opens it; the
  // probe goes at 80 ms (25 + 50, on the 10 ms grid), answers at 105, opens it until 155, and the next probe goes
  // at 160: one probe every 80 ms up to the last call at 79,990 ms, 999 of them. At 45 ms: five calls go out before
  // the first answer, and a probe every 100 ms from 100 ms on, 799 of them. Had the breaker heard each answer as
  // its attempt started, a probe would go every 50 ms whatever the latency (1,600 attempts).
  const failingAfter = (latencyMs: number) => {
    const values = new Array<number>(1_000).fill(latencyMs);
    return {
      histograms: { ttfb: encodeMs(values), total: encodeMs(values), totalFailed: encodeMs(values), ttfbFailed: encodeMs(values) },
      requests: values.length,
      errors: { total: values.length, byKind: { status: values.length }, byStatus: { '503': values.length } },
      callsPerSec: 100,
    };
  };
  const breaker = { window: 1, failureRate: 1, minCalls: 1, openMs: 50, halfOpenProbes: 1 };

  it.each([
    { latencyMs: 25, sent: 3 + 999 },
    { latencyMs: 45, sent: 5 + 799 },
  ])('hears each answer when it arrives: at $latencyMs ms, $sent of 8,000 calls are sent', ({ latencyMs, sent }) => {
    const result = replayPolicy(failingAfter(latencyMs), { ...base, samples: 8_000, breaker });
    expect(result.successRate).toBe(0);
    expect(result.failuresByCause.breaker).toBe(8_000 - sent);
  });

  // The same breaker at 25 ms, now with one retry 33 ms after a failure. Worked by hand: calls at 0, 10 and 20 ms
  // go out; the first answer opens it at 25; their retries come due at 58, 68 and 78, and only the last finds it
  // half open and goes (a probe, answered at 103: open again, and the call has no retry left). Then a call probes
  // at 160 and every 80 ms after, 998 of them up to 79,920 ms, and each probe's retry comes due 33 ms after the
  // answer that opened the breaker: refused. Sent: 3 + 1 + 998. (The drawn latencies sit within 0.02 ms of 25, so
  // every instant above is 3 ms or more from a boundary.) A replay that judged each retry by the answers its call
  // had heard when it started let the first calls' retries through: 1,006 sent.
  it('refuses a retry that comes due while answers heard since its call started hold the breaker open', () => {
    const retries = { ...base.retries, max: 1, backoff: 'constant' as const, baseMs: 33, jitter: 'none' as const };
    const result = replayPolicy(failingAfter(25), { ...base, samples: 8_000, breaker, retries });
    expect(result.extraLoadShare * 8_000 + 8_000).toBeCloseTo(3 + 1 + 998, 6);
    expect(result.failuresByCause).toEqual({ '5xx': 1, breaker: 7_999 });
  });
});

describe('a per-load-level timeout, replayed stage by stage', () => {
  // Two stages of one run: light load answers in ~40 ms, heavy load in ~200 ms; each holds half the calls.
  const light = lognormalMs(20_000, 40, 200, 11);
  const heavy = lognormalMs(20_000, 200, 1_000, 12);
  const stage = (name: string, values: number[], level: number) => ({
    name,
    histograms: { ttfb: encodeMs(values), total: encodeMs(values) },
    requests: values.length,
    errors: { total: 0, byKind: {}, byStatus: {} },
    calls: values.length,
    levelFrom: level,
    levelTo: level,
  });
  const both = [...light, ...heavy];
  const run = {
    histograms: { ttfb: encodeMs(both), total: encodeMs(both) },
    requests: both.length,
    errors: { total: 0, byKind: {}, byStatus: {} },
    stages: [stage('light', light, 10), stage('heavy', heavy, 100)],
  };
  const share = (values: number[], aboveMs: number) => values.filter((v) => v > aboveMs).length / values.length;

  it('cuts each stage at its own band: 100 ms at level 10 cuts the light stage only', () => {
    const replay = replayPolicy(run, { ...base, loadLevelTimeouts: [{ upTo: 50, total: { ms: 100 } }, { total: { ms: 5_000 } }] });
    // ground truth: half the calls are light, and the light ones above 100 ms are cut; no heavy one reaches 5 s
    const expected = 1 - share(light, 100) / 2 - share(heavy, 5_000) / 2;
    expect(Math.abs(replay.successRate - expected)).toBeLessThan(0.005);
    expect(replay.failuresByCause.timeout_total).toBeGreaterThan(0);
    expect(replay.method).toMatch(/per-load-level timeout.*\(2 stages/);
  });

  it('reads a quantile band off each stage: p99 cuts ~1% at both levels', () => {
    const replay = replayPolicy(run, { ...base, loadLevelTimeouts: [{ total: { quantile: 0.99 } }] });
    // one run-wide p99 (~800 ms) would cut almost nothing of the light stage and ~2% of the heavy one
    expect(Math.abs(1 - replay.successRate - 0.01)).toBeLessThan(0.003);
  });

  it('draws the baseline from the same stages, and leaves levels above every band uncut', () => {
    const replay = replayPolicy(run, { ...base, loadLevelTimeouts: [{ upTo: 50, total: { ms: 100 } }] });
    expect(replay.baseline.successRate).toBe(1);
    expect(Math.abs(1 - replay.successRate - share(light, 100) / 2)).toBeLessThan(0.005);
    // the heavy stage's median is ~200 ms: the baseline's p50 sits between the stages' medians
    expect(replay.baseline.p50).toBeGreaterThan(60);
    expect(replay.baseline.p50).toBeLessThan(200);
  });

  it('refuses a run without stages to draw from', () => {
    expect(() => replayPolicy(input, { ...base, loadLevelTimeouts: [{ total: { ms: 100 } }] })).toThrow(/stage by stage/);
  });
});

describe('policy files', () => {
  it('read a per-load-level timeout: bands ascend, only the last leaves out upTo, quantiles only in a replay', () => {
    const text = 'timeout:\n  perLoadLevel:\n    - { upTo: 50, total: 300ms }\n    - { total: p99 }\n';
    const replayed = resolvePolicy(parsePolicy(text, 'p.yaml'), input.histograms, 'p.yaml');
    expect(replayed.loadLevelTimeouts).toEqual([{ upTo: 50, total: { ms: 300 } }, { total: { quantile: 0.99 } }]);
    expect(() => livePolicy(readPolicy(text, 'p.yaml'), 'p.yaml')).toThrow(
      /p\.yaml:4:\d+: timeout\.perLoadLevel\[1\]\.total: p99 is read from a recorded run/,
    );
    const live = livePolicy(readPolicy('timeout:\n  perLoadLevel: [{ upTo: 50, total: 300ms }, { total: 1s }]\n', 'p.yaml'), 'p.yaml');
    expect(live.callPolicy.loadLevelTimeouts).toEqual([{ upTo: 50, totalMs: 300 }, { totalMs: 1000 }]);

    const problem = (yaml: string) => {
      try {
        parsePolicy(yaml, 'p.yaml');
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(problem('timeout:\n  perLoadLevel:\n    - { upTo: 50, total: 1s }\n    - { upTo: 20, total: 2s }\n')).toMatch(
      /p\.yaml:4:\d+: timeout\.perLoadLevel\[1\]\.upTo: bands ascend: upTo 20 must be above the previous band's 50/,
    );
    expect(problem('timeout:\n  perLoadLevel:\n    - { total: 1s }\n    - { upTo: 20, total: 2s }\n')).toMatch(
      /p\.yaml:3:\d+: timeout\.perLoadLevel\[0\]: only the last band may leave out upTo/,
    );
    expect(problem('timeout: {}\n')).toMatch(/timeout: timeout takes adaptive, perLoadLevel or both/);
    expect(problem('timeout: { perLoadLevel: [] }\n')).toMatch(/timeout\.perLoadLevel/);
  });

  it('reads quantiles off the run', () => {
    const policy = resolvePolicy(
      parsePolicy('timeouts: { firstByte: p99 }\nretries: { max: 1 }\nbudget: 20%\n', 'p.yaml'),
      input.histograms,
      'p.yaml',
    );
    expect(policy.timeouts.firstByteMs).toBeGreaterThan(180);
    expect(policy.timeouts.firstByteMs).toBeLessThan(220);
    expect(policy.budgetRatio).toBe(0.2);
  });

  it('names the file, line and field of every problem', () => {
    expect(() => parsePolicy('timeouts:\n  firstByte: soon\nretries: { max: -1 }\n', 'p.yaml')).toThrowError(PolicyError);
    try {
      parsePolicy('timeouts:\n  firstByte: soon\nhedge: { delay: 10ms, extra: 1 }\n', 'p.yaml');
    } catch (error) {
      expect((error as Error).message).toMatch(/^p\.yaml:2:\d+: timeouts\.firstByte: expected a duration/m);
      expect((error as Error).message).toMatch(/p\.yaml:3:\d+: hedge\.extra: unknown field "extra"/);
    }
  });
});

describe('retriesFor', () => {
  it.each([
    [0, 1],
    [0.001, 1],
    [0.01, 1],
    [0.05, 3],
    [0.2, 3],
    [0.6, 0],
  ])('failure share %f → %i retries', (share, expected) => expect(retriesFor(share, 1e-4)).toBe(expected));
});
