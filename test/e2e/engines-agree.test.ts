import { describe, expect, it } from 'vitest';
import { metric, runYaml } from '../helpers/run.js';

/**
 * The wire engine is the default; node:http stays available as `engine: node`. Both must count the same
 * faults under the same kinds and read streams the same way, so a scenario can switch engines and keep its
 * meaning.
 */
describe.each(['wire', 'node'] as const)('engine: %s', (engine) => {
  it('counts injected statuses, resets, garbage and hangs by kind, each near its injected share', async () => {
    const result = await runYaml(`name: faults-${engine}
engine: ${engine}
target:
  mock:
    profile:
      name: faulty
      generate: { latency: 5ms }
      faults: { status: { "500": 0.05 }, reset: 0.05, garbage: 0.05, hang: 0.02 }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests: [{ name: g, method: POST, path: /v1/generate, json: { prompt: p, max_tokens: 4, temperature: 0 } }]
client: { timeouts: { total: 300ms } }
load: { closed: [{ hold: 1500ms, concurrency: 8 }] }
workers: 1
warmup: 0
`);
    expect(result.stages.map((stage) => stage.engine)).toEqual([engine]);
    const { byKind, byStatus } = result.totals.errorsByKind;
    const share = (n: number | undefined) => (n ?? 0) / result.totals.requests;
    // 5% each is injected. With ≥ 500 requests one share's standard deviation is ≤ 1 point, so the bounds
    // below sit ≥ 3 deviations away: a wrong kind fails them, the binomial spread does not.
    expect(result.totals.requests).toBeGreaterThan(500);
    expect(share(byStatus['500'])).toBeGreaterThan(0.02);
    expect(share(byStatus['500'])).toBeLessThan(0.09);
    expect(share(byKind.reset)).toBeGreaterThan(0.02);
    expect(share(byKind.reset)).toBeLessThan(0.09);
    expect(share(byKind.garbage)).toBeGreaterThan(0.02);
    expect(share(byKind.garbage)).toBeLessThan(0.09);
    // Hangs end at the 300 ms total timeout.
    expect(byKind.timeout_total).toBeGreaterThan(0);
  });

  it('reads an SSE token stream: every token counted, first-token time near the injected 100 ms', async () => {
    const result = await runYaml(`name: sse-${engine}
engine: ${engine}
target:
  mock:
    profile: { name: streaming, generate: { ttft: 100ms, interToken: 10ms } }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests:
  - { name: chat, method: POST, path: /v1/generate, stream: sse, json: { prompt: p, max_tokens: 8, temperature: 0, stream: true } }
load: { closed: [{ hold: 1s, concurrency: 2 }] }
workers: 1
warmup: 0
`);
    expect(result.totals.errorsByKind.total).toBe(0);
    const requests = result.totals.requests;
    expect(requests).toBeGreaterThan(5);
    expect(result.totals.counters.tokensFromChunks).toBe(requests * 8);
    expect(result.totals.counters.tokensFromUsage).toBe(requests * 8);
    const ttft = metric(result.histograms, 'ttft')!;
    expect(ttft.count).toBe(requests);
    // The mock's timer fires late, never early: the first token cannot come before 100 ms.
    expect(ttft.p50).toBeGreaterThanOrEqual(100);
  });
});
