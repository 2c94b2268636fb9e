import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../../mock-server/index.js';
import { delayAtLeast } from '../../mock-server/clock.js';
import { metric, runYaml } from '../helpers/run.js';

const TTFT_MS = 100;
const ITL_MS = 20;
const TOKENS = 10;

/**
 * The floor for inter-token gaps, measured in the same run: the mock spaces tokens with `delayAtLeast`, which
 * never fires early but fires late by however busy its thread is. Timing the same delay on the same thread
 * while the run goes gives the gap the server really produced, which is what the client can at best observe.
 */
function serverDelayProbe(delayMs: number): { stop(): number } {
  const elapsed: number[] = [];
  let running = true;
  const next = () => {
    const startedAt = performance.now();
    delayAtLeast(delayMs, () => {
      elapsed.push(performance.now() - startedAt);
      if (running) next();
    });
  };
  next();
  return {
    stop() {
      running = false;
      elapsed.sort((a, b) => a - b);
      return elapsed[Math.floor(elapsed.length / 2)] ?? delayMs;
    },
  };
}

describe.each(['sse', 'ws'] as const)('%s token streams against the mock', (stream) => {
  it('records time to first token, inter-token gaps and token counts as the server produced them', async () => {
    // The mock runs on this test's thread (as a target elsewhere would), so its timers can be measured here.
    const server = await startMockServer({ profile: { name: 'streaming', generate: { ttft: `${TTFT_MS}ms`, interToken: `${ITL_MS}ms` } } });
    const probe = serverDelayProbe(ITL_MS);
    let serverGapMs = ITL_MS;
    const result = await runYaml(`name: ${stream}-stream
target:
  url: "${server.url}"
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests:
  - name: chat
    method: ${stream === 'ws' ? 'GET' : 'POST'}
    path: ${stream === 'ws' ? '/v1/stream' : '/v1/generate'}
    stream: ${stream}
    json: { prompt: "count to ten", max_tokens: ${TOKENS}, temperature: 0, stream: true }
load: { closed: [{ hold: 3s, concurrency: 4 }] }
warmup: 1s
workers: 1
`).finally(async () => {
      serverGapMs = probe.stop();
      await server.close();
    });
    expect(result.totals.errorsByKind).toEqual({ total: 0, byKind: {}, byStatus: {} });
    const requests = result.totals.requests;
    // Each stream lasts 100 + 9 × 20 = 280 ms: 4 users × 3 s ≈ 40 streams.
    expect(requests).toBeGreaterThan(30);
    const ttft = metric(result.histograms, 'ttft')!;
    const itl = metric(result.histograms, 'itl')!;
    expect(ttft.count).toBe(requests);
    // First token: counted from the send, so it holds the set-up of a new connection where there is one (every
    // WebSocket stream opens its own: TCP connect and upgrade, this run's own `connect` p50; SSE reuses kept-alive
    // sockets), then the injected 100 ms, late by what the server's timers were late in this run (the probe's
    // lateness), then one loopback exchange: 5 ms (5%) is left for that exchange, or, on a machine so loaded that
    // the exchange itself takes longer, the exchange this run measured and 1 ms for the difference of two
    // medians. SSE measures it per request (network = first byte − Server-Timing app); a WebSocket stream's
    // set-up (TCP connect and the upgrade's request and 101) holds one such exchange and more.
    const setupMs = stream === 'ws' ? metric(result.histograms, 'connect')!.p50 : 0;
    const serverTtftMs = TTFT_MS + (serverGapMs - ITL_MS);
    const exchangeMs = stream === 'ws' ? setupMs : metric(result.histograms, 'network')!.p50;
    console.log(`${stream}: ttft p50 ${ttft.p50} ms, set-up p50 ${setupMs} ms, server first-token delay ≈ ${serverTtftMs.toFixed(3)} ms`);
    expect(ttft.p50).toBeGreaterThanOrEqual(TTFT_MS);
    expect(ttft.p50 - setupMs - serverTtftMs).toBeLessThan(Math.max(0.05 * TTFT_MS, exchangeMs + 1));
    // The first token is excluded from inter-token gaps: 9 gaps per 10-token stream.
    expect(itl.count).toBe(requests * (TOKENS - 1));
    // Gaps: never shorter than injected (the mock's delays never fire early; 0.1 ms for histogram rounding),
    // and within 1 ms of the gap the server's own thread produced in this run (its timers run 0.3–1.5 ms late
    // on a busy 2-core machine; the client's per-token work mostly cancels out of a gap between two tokens).
    console.log(`${stream}: server gap p50 ${serverGapMs.toFixed(3)} ms, client itl p50 ${itl.p50} ms`);
    expect(itl.p50).toBeGreaterThanOrEqual(ITL_MS - 0.1);
    expect(Math.abs(itl.p50 - serverGapMs)).toBeLessThanOrEqual(1);
    // Both counts are kept, never mixed: chunks counted by the client, and the server's usage report.
    expect(result.totals.counters.tokensFromChunks).toBe(requests * TOKENS);
    expect(result.totals.counters.tokensFromUsage).toBe(requests * TOKENS);
  });
});
