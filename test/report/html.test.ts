import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { renderReportFiles } from '../../src/report/write.js';
import { renderComparisonHtml } from '../../src/report/compare-html.js';
import { verdictOf } from '../../src/report/verdict.js';
import { syntheticResult, withAdvice } from './fixture.js';

const HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)>';

describe('index.html', () => {
  it('builds every report of a one-hour result in under 2 s', async () => {
    const result = syntheticResult({ intervals: 3600, streaming: true });
    const analysis = withAdvice(analyze(result), result);
    const began = performance.now();
    const files = await renderReportFiles(result, analysis);
    const elapsedMs = performance.now() - began;
    // Measured 0.3 s cold in a bare process and 0.5–0.8 s under vitest on a 2-core machine at load average 8
    // (first render of the process: eight vega views compiled and drawn to SVG). The 2 s bound is the
    // requirement itself, 2.5–4x above what a busy runner measured.
    expect(elapsedMs).toBeLessThan(2000);
    const html = files.find(([name]) => name === 'index.html')![1];
    // ~0.8 MB of inlined chart libraries plus windowed data and static SVGs.
    expect(html.length).toBeLessThan(2_000_000);
    console.info(`one-hour report: ${elapsedMs.toFixed(0)} ms, index.html ${(html.length / 1e6).toFixed(2)} MB`);
  });

  it('puts the verdict first and carries a static SVG for every live chart', async () => {
    const result = syntheticResult({ streaming: true });
    const html = (await renderReportFiles(result, withAdvice(analyze(result), result)))[0]![1];
    const order = ['id="verdict"', 'id="totals"', 'id="load-over-time"', 'id="latency-over-time"', 'id="percentile-spectrum"', 'id="latency-breakdown"', 'id="capacity"', 'id="timeouts"', 'id="timeout-cdf"', 'id="errors-over-time"', 'id="streaming"', 'id="scenario"'];
    const positions = order.map((marker) => html.indexOf(marker));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const live = html.match(/<div class="live" id="live-([a-z-]+)"/g)!.length;
    const fallbacks = html.match(/<div class="static" id="static-[a-z-]+"><svg/g)!.length;
    expect(live).toBe(8);
    expect(fallbacks).toBe(live);
  });

  it('leaves no hostile markup in the page source outside escaped text', async () => {
    const result = syntheticResult({ name: HOSTILE, requestName: HOSTILE, url: `http://127.0.0.1:1/${HOSTILE}` });
    result.stages[0]!.name = HOSTILE;
    result.totals.errorsByKind.byStatus[HOSTILE] = 1;
    result.thresholds.push(HOSTILE);
    const html = (await renderReportFiles(result, analyze(result)))[0]![1];
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Only the page's own scripts: the JSON data block, three libraries, the embed script.
    expect(html.match(/<script[ >]/g)).toHaveLength(5);
  });

  it('omits the streaming, error and breakdown charts when the run has nothing for them', async () => {
    const result = syntheticResult();
    result.totals.errors = 0;
    for (const stage of result.stages) delete stage.histograms.service;
    const analysis = analyze(result);
    analysis.stages = analysis.stages.map(({ split: _split, ...stage }) => stage);
    const html = (await renderReportFiles(result, analysis))[0]![1];
    expect(html).not.toContain('id="live-streaming"');
    expect(html).not.toContain('id="live-errors-over-time"');
    expect(html).not.toContain('id="live-latency-breakdown"');
  });

  it('overlays several runs with a comparison table', async () => {
    const runs = [syntheticResult(), syntheticResult({ latencyScale: 2, name: 'slower' })].map((result, i) => ({ label: `run ${i}`, result, verdict: verdictOf(result, analyze(result)) }));
    const html = await renderComparisonHtml(runs);
    expect(html).toContain('id="live-percentile-spectrum"');
    expect(html).toContain('id="live-latency-vs-load"');
    expect(html.match(/<tr><td>run \d<\/td>/g)).toHaveLength(2);
    const specs = JSON.parse(html.match(/<script type="application\/json" id="chart-specs">(.*?)<\/script>/s)![1]!);
    expect(new Set(specs['percentile-spectrum'].data.values.map((v: { series: string }) => v.series))).toEqual(new Set(['run 0', 'run 1']));
  });
});
