import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import type { RunResult } from '../../src/result/types.js';
import { renderOverlayHtml } from '../../src/report/html/overlay.js';
import { renderHtml } from '../../src/report/html/render.js';
import { syntheticResult, zeroRequestResult } from './fixture.js';
import { nonFinite, pageParts, renderProblems } from '../helpers/chart-render.js';

/**
 * A run that completed no request must still give a report whose every chart renders: before, empty data on a
 * log scale drew axes from ±Number.MAX_VALUE (`viewBox="0 0 1.797e308"`), and the browser logged 9–17 errors.
 * Checked here at the level of the page's own specs and static SVGs, rendered headless by vega as the page
 * does; test/e2e/report-browser.test.ts checks the same in chromium.
 */

async function expectEveryChartClean(html: string): Promise<void> {
  const { specs, staticSvgs } = pageParts(html);
  for (const [id, spec] of Object.entries(specs)) expect(await renderProblems(spec), id).toEqual([]);
  for (const svg of staticSvgs) expect(nonFinite(svg)).toEqual([]);
}

const page = (result: RunResult) => {
  const analysis = analyze(result);
  return renderHtml(result, analysis, analysis.verdict);
};

describe('the report of a run that completed no request', () => {
  it('says "no data" for the latency charts and draws the load it aimed at, with no non-finite extent', async () => {
    const html = await page(zeroRequestResult({ intervals: 1 }));
    expect(pageParts(html).noData).toEqual(['latency-over-time', 'percentile-spectrum']);
    expect(Object.keys(pageParts(html).specs)).toEqual(['load-over-time']);
    expect(html).toContain('<p class="no-data">No data: no request completed.</p>');
    await expectEveryChartClean(html);
  });

  it('says "no data" for every time chart when the run stopped before its first interval ended', async () => {
    const html = await page(zeroRequestResult({ intervals: 0 }));
    expect(pageParts(html).noData).toEqual(['load-over-time', 'latency-over-time', 'percentile-spectrum']);
    expect(pageParts(html).specs).toEqual({});
    await expectEveryChartClean(html);
  });

  it('draws no stream chart from a time-to-first-token histogram without a sample', async () => {
    const html = await page(zeroRequestResult({ stream: true }));
    expect(Object.keys(pageParts(html).specs)).not.toContain('streaming');
    await expectEveryChartClean(html);
  });

  it('compared with a run that has requests, leaves its curve out; compared with itself, says "no data"', async () => {
    const zero = zeroRequestResult();
    const loaded = syntheticResult({ intervals: 8 });
    const run = (label: string, result: RunResult) => ({ label, result, verdict: analyze(result).verdict });
    const mixed = await renderOverlayHtml([run('loaded', loaded), run('zero', zero)]);
    expect(Object.keys(pageParts(mixed).specs)).toEqual(['percentile-spectrum', 'latency-vs-load']);
    await expectEveryChartClean(mixed);
    const empty = await renderOverlayHtml([run('zero a', zero), run('zero b', zero)]);
    expect(pageParts(empty).noData).toEqual(['percentile-spectrum', 'latency-vs-load']);
    await expectEveryChartClean(empty);
  });
});
