import { describe, expect, it } from 'vitest';
import { metric, runYaml } from '../helpers/run.js';

const AUTH = `auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }`;

/**
 * Expected latency of each arrival through periodic stalls: a response that would complete inside a stall
 * window [k·every, k·every + for) is held until the window ends (mock-server/faults.ts).
 */
function expectedLatencies(rate: number, durationMs: number, serviceMs: number, everyMs: number, forMs: number): number[] {
  const latencies: number[] = [];
  for (let n = 0; n < (rate * durationMs) / 1000; n++) {
    const sentMs = (n * 1000) / rate;
    const doneMs = sentMs + serviceMs;
    const k = Math.floor(doneMs / everyMs);
    const inStall = k >= 1 && doneMs - k * everyMs < forMs;
    latencies.push(inStall ? k * everyMs + forMs - sentMs : serviceMs);
  }
  return latencies.sort((a, b) => a - b);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('open model against the mock', () => {
  it('measures a stall from the intended send time (corrected p99 within 10% of the schedule) and keeps the uncorrected view beside it', async () => {
    const rate = 100;
    const durationMs = 4000;
    const result = await runYaml(`name: stall
target:
  mock:
    profile: { name: stalling, generate: { latency: 10ms }, faults: { stall: { every: 2s, for: 500ms } } }
${AUTH}
requests: [{ name: g, method: POST, path: /v1/generate, json: { prompt: p, max_tokens: 4, temperature: 0 } }]
client: { poolSize: 2 }
load: { open: [{ hold: 4s, rate: ${rate} }], maxInFlight: 1000 }
workers: 1
`);
    // The mock counts stalls from its own start, a few ms before the run's time zero: the windows
    // shift by that much, which moves a handful of arrivals across the window edge.
    const expected = expectedLatencies(rate, durationMs, 10, 2000, 500);
    const expectedP99 = percentile(expected, 99);
    expect(result.model).toBe('open');
    expect(result.totals.errors).toBe(0);
    expect(result.totals.requests).toBe((rate * durationMs) / 1000);
    expect(result.totals.latency.p99).toBeGreaterThan(expectedP99 * 0.9);
    // The schedule implies the stall's share of the tail; what the machine adds on top is measured in this same
    // run: the median request's time beyond the 10 ms service (three in four arrivals miss the stalls) and how
    // late arrivals left at p99. A busy machine raises both, and the bound with them.
    const machineMs = Math.max(0, result.totals.latency.p50 - 10) + result.health.scheduleLagMs.p99;
    expect(result.totals.latency.p99).toBeLessThan(expectedP99 * 1.1 + machineMs);
    // With two connections, requests queue behind the stalled ones; timed from when they finally got a
    // socket (as a tool without correction would), the stall all but disappears from the tail.
    const uncorrected = result.totals.latencyUncorrected!;
    expect(uncorrected.count).toBe(result.totals.requests);
    expect(uncorrected.p99).toBeLessThan(result.totals.latency.p99 * 0.5);
    expect(result.stages[0]!.latencyUncorrected).toBeDefined();
    // Calls count from the intended send time too: with no retries, one attempt per call and the same tail,
    // but for where each stamps its end (the engine's last byte, the requester's return) and HDR's 0.1% buckets.
    expect(result.totals.calls!.calls).toBe(result.totals.requests);
    expect(Math.abs(result.totals.calls!.latency.p99 - result.totals.latency.p99)).toBeLessThan(result.totals.latency.p99 * 0.01);
  });

  it('marks a starved generator invalid instead of reporting its ceiling as the target’s', async () => {
    // 1,000 arrivals/s into a 20 ms service need ~20 requests in flight (Little's law); the generator may hold 4.
    // Most arrivals cannot be sent on time, by construction rather than by how busy the machine happens to be
    // (the wire engine keeps up with the old version of this test, 20,000/s against /healthz, on a quiet machine).
    const result = await runYaml(`name: starved
target: { mock: { profile: fixed-20ms } }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests: [{ name: g, method: POST, path: /v1/generate, json: { prompt: p, max_tokens: 4, temperature: 0 } }]
load: { open: [{ hold: 2s, rate: 1000 }], maxInFlight: 4 }
workers: 1
warmup: 0
`);
    expect(result.totals.counters.dropped).toBeGreaterThan(1000);
    expect(result.health.valid).toBe(false);
    expect(result.health.reasons.join(' ')).toMatch(/late at p99|dropped|saturated/);
  });

  it('sends Poisson arrivals at the mean rate', async () => {
    const result = await runYaml(`name: poisson
target: { mock: { profile: fixed-20ms } }
requests: [{ name: h, method: GET, path: /healthz }]
load: { open: [{ hold: 3s, rate: 200 }], arrivals: poisson }
workers: 2
# a count of arrivals: no warm-up needed
warmup: 0s
`);
    // 600 expected; a Poisson count has sd √600 ≈ 24.5, so ±4 sd is ±100.
    expect(Math.abs(result.totals.requests - 600)).toBeLessThan(100);
    expect(metric(result.histograms, 'total')!.count).toBe(result.totals.requests);
  });
});
