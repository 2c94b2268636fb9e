import { describe, expect, it } from 'vitest';
import { metric, runYaml } from '../helpers/run.js';

const TTFT_MS = 100;
const ITL_MS = 20;
const TOKENS = 10;

describe.each(['sse', 'ws'] as const)('%s token streams against the mock', (stream) => {
  it('records time to first token, inter-token gaps and token counts matching the profile within 5%', async () => {
    const result = await runYaml(`name: ${stream}-stream
target:
  mock:
    profile: { name: streaming, generate: { ttft: ${TTFT_MS}ms, interToken: ${ITL_MS}ms } }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests:
  - name: chat
    method: ${stream === 'ws' ? 'GET' : 'POST'}
    path: ${stream === 'ws' ? '/v1/stream' : '/v1/generate'}
    stream: ${stream}
    json: { prompt: "count to ten", max_tokens: ${TOKENS}, temperature: 0, stream: true }
load: { closed: [{ hold: 3s, concurrency: 4 }] }
workers: 1
`);
    expect(result.totals.errorsByKind).toEqual({ total: 0, byKind: {}, byStatus: {} });
    const requests = result.totals.requests;
    // Each stream lasts 100 + 9 × 20 = 280 ms: 4 users × 3 s ≈ 40 streams.
    expect(requests).toBeGreaterThan(30);
    const ttft = metric(result.histograms, 'ttft')!;
    const itl = metric(result.histograms, 'itl')!;
    expect(ttft.count).toBe(requests);
    expect(Math.abs(ttft.p50 - TTFT_MS) / TTFT_MS).toBeLessThan(0.05);
    // The first token is excluded from inter-token gaps: 9 gaps per 10-token stream.
    expect(itl.count).toBe(requests * (TOKENS - 1));
    expect(Math.abs(itl.p50 - ITL_MS) / ITL_MS).toBeLessThan(0.05);
    // Both counts are kept, never mixed: chunks counted by the client, and the server's usage report.
    expect(result.totals.counters.tokensFromChunks).toBe(requests * TOKENS);
    expect(result.totals.counters.tokensFromUsage).toBe(requests * TOKENS);
  });
});
