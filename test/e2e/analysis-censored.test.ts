import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { normalCdf } from '../../src/analysis/compare/stats.js';
import { decodeDistribution, quantileMs } from '../../src/analysis/distribution.js';
import { niceCeilMs } from '../../src/analysis/timeouts.js';
import { formatDuration } from '../../src/shared/units.js';
import { renderMarkdown } from '../../src/report/markdown/render.js';
import { demoAuth, generateRequest, profileFile, runScenarioObject } from '../analysis/run-helpers.js';

// Lognormal median 40 ms, p99 124 ms (σ ≈ 0.49): P(latency > 100 ms) = P(z > ln 2.5 / 0.49 ≈ 1.88) ≈ 3%, and the
// injected p99.9 is 40·e^(3.09·0.49) ≈ 180 ms, past the run's own 100 ms first-byte timeout: the run cannot see
// the quantile the rule reads, and the advice must say so instead of fitting the 97% that finished.
const MEDIAN_MS = 40;
const SIGMA = Math.log(124 / 40) / 2.3263478740408408;
/** Share of injected latencies that, with the client's own overhead added, pass the 100 ms timeout. */
const expectedCut = (overheadMs: number) => 1 - normalCdf(Math.log((100 - overheadMs) / MEDIAN_MS) / SIGMA);

const profile = profileFile({
  name: 'censored-first-byte',
  capacity: { slots: 'unlimited' },
  generate: { latency: { type: 'lognormal', median: '40ms', p99: '124ms' } },
});

describe('timeout advice on a run whose own first-byte timeout cut ~3% of requests', () => {
  it('says the data are censored, recommends above the configured timeout and proposes a looser re-run', async () => {
    const result = await runScenarioObject({
      name: 'censored-first-byte',
      target: { mock: { profile, seed: 3 } },
      auth: demoAuth,
      requests: [generateRequest],
      client: { timeouts: { firstByte: '100ms' } },
      load: { closed: [{ hold: '2s', concurrency: 16 }] },
      warmup: '0s',
      workers: 1,
    });
    const cut = result.totals.errorsByKind.byKind.timeout_first_byte ?? 0;
    const cutShare = cut / result.totals.requests;
    const analysis = analyze(result);
    const firstByte = analysis.timeouts.recommended.find((c) => c.phase === 'firstByte')!;
    // ~3% by construction, plus what the client adds to every first byte (the time the server did not account
    // for: ttfb − Server-Timing), measured in this run: 1 ms on a quiet machine, several at load average 13.
    // The bounds: the share with no overhead and with the p90 overhead, each widened by 3 binomial σ.
    const network = decodeDistribution(result.histograms.network)!;
    const low = expectedCut(0);
    const high = expectedCut(quantileMs(network, 0.9));
    const sigma = (p: number) => 3 * Math.sqrt((p * (1 - p)) / result.totals.requests);
    console.log(
      'censored run',
      JSON.stringify({ requests: result.totals.requests, cut, cutShare, low, high, timeoutMs: firstByte.timeoutMs }),
    );
    expect(low).toBeCloseTo(0.03, 2);
    expect(cutShare).toBeGreaterThan(low - sigma(low));
    expect(cutShare).toBeLessThan(high + sigma(high));
    expect(firstByte.censored).toMatchObject({ cutCount: cut, configuredMs: 100, field: 'client.timeouts.firstByte' });
    expect(firstByte.lowerBound).toBe(true);
    // never at or below the run's own timeout: 1.25 × 100 ms at least
    expect(firstByte.timeoutMs).toBeGreaterThanOrEqual(125);
    // loosened to 4× the timeout that cut it (400 ms), or twice the floor when that is more
    expect(firstByte.rerun).toMatchObject({
      timeoutMs: Math.max(400, niceCeilMs(2 * firstByte.timeoutMs)),
      field: 'client.timeouts.firstByte',
    });
    expect(analysis.timeouts.warnings.join('\n')).toMatch(/censored: \d+ of \d+ ttfb values .* client\.timeouts\.firstByte of 100 ms/);
    // total is cut by the same timeouts (a request cut at its first byte had a total at least that long)
    expect(analysis.timeouts.recommended.find((c) => c.phase === 'total')!.censored?.cutCount).toBe(cut);
    // and the summary a reader sees says it in words
    // (markdown escapes punctuation; the words are read without the escapes)
    const summary = renderMarkdown(result, analysis, analysis.verdict).replace(/\\/g, '');
    expect(summary).toContain(`| firstByte | ≥ ${firstByte.timeoutMs} ms |`);
    expect(summary).toContain('lower bound (censored');
    expect(summary).toContain(`re-run with client.timeouts.firstByte: ${formatDuration(firstByte.rerun!.timeoutMs!)}`);
  }, 30_000);
});
