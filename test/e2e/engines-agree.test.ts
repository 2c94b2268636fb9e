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
    // 5% each is injected. The bounds are 3.5 binomial standard deviations of the count this run reached
    // (~600 on a quiet machine, 300 at load average 15: ±3.2 to ±4.4 points), so a wrong kind (0% or 10%+)
    // fails them and the binomial spread does not. Below 200 requests the bounds would no longer tell a
    // wrong kind from chance.
    const requests = result.totals.requests;
    expect(requests).toBeGreaterThan(200);
    const spread = 3.5 * Math.sqrt((0.05 * 0.95) / requests);
    for (const count of [byStatus['500'], byKind.reset, byKind.garbage]) {
      expect(share(count)).toBeGreaterThan(0.05 - spread);
      expect(share(count)).toBeLessThan(0.05 + spread);
    }
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
