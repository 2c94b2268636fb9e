import { describe, expect, it } from 'vitest';
import { startMockServer } from '../../mock-server/index.js';
import { metric, runYaml } from '../helpers/run.js';
import { tokensOverall } from '../../src/report/views/checks.js';

const MAX_TOKENS = 16;

describe('completion tokens read from plain JSON responses', () => {
  it('counts the tokens the mock reported, so tokens/s and time per output token need no stream', async () => {
    // completionFraction 1 (the default, stated here because the truth depends on it): every generate answers
    // exactly max_tokens completion tokens, so what the mock sent is its own count of 200s × MAX_TOKENS.
    const server = await startMockServer({
      profile: {
        name: 'usage',
        capacity: { slots: 'unlimited' },
        generate: { latency: '2ms', perToken: '0.25ms', completionFraction: { min: 1, max: 1 } },
      },
    });
    const result = await runYaml(`name: usage
target: { url: "${server.url}" }
auth: { oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret } }
requests:
  - name: generate
    method: POST
    path: /v1/generate
    json: { prompt: "hello", max_tokens: ${MAX_TOKENS} }
    usage: true
    checks: [{ json: "$.usage.completion_tokens", equals: ${MAX_TOKENS} }]
workers: 1
warmup: 0s
load: { closed: [{ hold: 1s, concurrency: 2 }] }
`).finally(() => server.close());
    const served = server.stats().byRoute['/v1/generate']?.['200'] ?? 0;
    expect(result.totals.errorsByKind.total).toBe(0);
    expect(result.totals.requests).toBe(served);
    expect(served).toBeGreaterThan(10);

    const sent = served * MAX_TOKENS;
    expect(result.totals.counters.tokensFromUsage).toBe(sent);
    expect(result.requestsByName.generate!.tokens).toBe(sent);
    expect(result.stages.reduce((sum, stage) => sum + stage.counters.tokensFromUsage, 0)).toBe(sent);
    const tokens = tokensOverall(result)!;
    expect(tokens.perSec).toBeCloseTo(sent / (result.durationMs / 1000), 9);

    // Each response's latency over its 16 tokens: the per-token distribution is the latency one scaled by 1/16,
    // within the histograms' 3 significant digits (and the µs rounding of each recorded value).
    const total = metric(result.histograms, 'total')!;
    const tpot = metric(result.histograms, 'tpot')!;
    expect(tpot.count).toBe(served);
    expect(tpot.p50).toBeCloseTo(total.p50 / MAX_TOKENS, 1);
    expect(Math.abs(tpot.p50 - total.p50 / MAX_TOKENS) / tpot.p50).toBeLessThan(0.01);
    expect(result.requestsByName.generate!.checks).toEqual([
      { label: `$.usage.completion_tokens == ${MAX_TOKENS}`, passes: served, fails: 0 },
    ]);
  });
});
