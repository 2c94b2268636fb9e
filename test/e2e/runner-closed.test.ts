import { describe, expect, it } from 'vitest';
import { metric, runYaml } from '../helpers/run.js';
import { meanTargetBetween } from '../../src/load/curve.js';
import { compileStages } from '../../src/scenario/compile.js';
import { evaluateThresholds } from '../../src/analysis/thresholds/evaluate.js';

const AUTH = `auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }`;

describe('closed model against the mock', () => {
  it('tracks a 1→32 ramp within one interval', async () => {
    const result = await runYaml(`name: ramp
target: { mock: { profile: fixed-20ms } }
${AUTH}
requests: [{ name: g, method: POST, path: /v1/generate, json: { prompt: p, max_tokens: 4, temperature: 0 } }]
load: { closed: [{ ramp: 4s, from: 1, to: 32 }] }
interval: 500ms
workers: 2
warmup: 500ms
`);
    const segments = compileStages([{ ramp: 4000, from: 1, to: 32 }], 'closed');
    const slopePerInterval = (31 / 4000) * 500;
    const full = result.intervals.filter((i) => i.endMs <= 4000 && i.endMs - i.startMs === 500);
    expect(full.length).toBeGreaterThanOrEqual(7);
    for (const interval of full) {
      const wanted = meanTargetBetween(segments, interval.startMs, interval.endMs);
      // Users are whole (rounding ±0.5) and start on a 20 ms control tick: well inside one interval's rise.
      expect(Math.abs(interval.achievedConcurrency - wanted)).toBeLessThan(slopePerInterval);
    }
    expect(result.totals.errors).toBe(0);
  });

  it('refreshes an expiring token ahead of time: no request fails and no 401 is seen', async () => {
    const result = await runYaml(`name: expiry
target:
  mock:
    profile: { name: short-tokens, auth: { tokenTtlSeconds: 2 }, generate: { latency: 10ms } }
${AUTH}
requests: [{ name: g, method: POST, path: /v1/generate, json: { prompt: p, max_tokens: 4, temperature: 0 } }]
load: { closed: [{ hold: 5s, concurrency: 4 }] }
workers: 2
# counts only: no warm-up needed
warmup: 0s
`);
    expect(result.totals.errors).toBe(0);
    expect(result.totals.counters.authRefreshes).toBe(0);
    expect(result.totals.requests).toBeGreaterThan(800);
    // Tokens live 2 s and are refreshed at half life: at least 4 token requests per worker in 5 s.
    const tokenRequests = metric(result.histograms, 'auth')?.count ?? 0;
    expect(tokenRequests).toBeGreaterThanOrEqual(2 * 4);
  });

  it('waits out 429s: every 429 is an attempt that status(429) counts, and the call latency includes the waits', async () => {
    const result = await runYaml(`name: limited
target:
  mock:
    profile: { name: limited, generate: { latency: 5ms }, rateLimit: { ratePerSec: 40, burst: 10 } }
${AUTH}
requests: [{ name: g, method: POST, path: /v1/generate, json: { prompt: p, max_tokens: 4, temperature: 0 } }]
load: { closed: [{ hold: 3s, concurrency: 8 }] }
thresholds: ['status(429) < 5%', 'error_rate(call) < 0.1%', 'p99(call) < 2s']
workers: 1
# counts and waits of a second: no warm-up needed
warmup: 0s
`);
    const { totals } = result;
    const seen429 = totals.errorsByKind.byStatus['429'] ?? 0;
    // Every 429 the target sent is an attempt, waited out or not; the waits made no call fail.
    expect(totals.counters.rateLimited).toBeGreaterThan(0);
    expect(seen429).toBe(totals.counters.rateLimited);
    expect(totals.errors).toBe(seen429);
    const calls = totals.calls!;
    expect(calls.failed).toBe(0);
    expect(calls.outcomes.succeededAfterRetries).toBeGreaterThan(0);
    expect(calls.outcomes.succeededFirstTime + calls.outcomes.succeededAfterRetries).toBe(calls.calls);
    // Successful attempts are the calls that got through: the bucket lets at most burst + rate × time pass.
    expect(totals.requests - seen429).toBe(calls.calls);
    expect(calls.calls).toBeGreaterThanOrEqual(10);
    expect(calls.calls).toBeLessThanOrEqual(10 + 40 * (result.durationMs / 1000) + 5);
    // The mock's Retry-After is whole seconds (≥ 1 s): a call that waited once took at least that long, while
    // no single 5 ms attempt did. The call histogram holds the waits; the attempt histogram cannot.
    expect(calls.latency.max).toBeGreaterThanOrEqual(1000);
    expect(totals.latency.max).toBeLessThan(1000);
    const verdicts = evaluateThresholds(result, result.thresholds);
    const byName = Object.fromEntries(verdicts.map((v) => [v.expression, v]));
    expect(byName['status(429) < 5%']).toMatchObject({ pass: false });
    expect(byName['status(429) < 5%']!.observed).toBeCloseTo((seen429 / totals.requests) * 100, 6);
    expect(byName['error_rate(call) < 0.1%']).toMatchObject({ pass: true, observed: 0 });
    expect(byName['p99(call) < 2s']!.observed).toBeGreaterThanOrEqual(1000);
  });
});
