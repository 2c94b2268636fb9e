import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { writeReports, type FileSink } from '../../src/report/write.js';
import type { RunResult } from '../../src/result/types.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenario } from '../../src/scenario/read.js';
import { renderOverlayHtml } from '../../src/report/html/overlay.js';
import { syntheticResult, withAdvice } from '../report/fixture.js';
import { CHROMIUM_PATH, chromiumPresent, launchChromium, liveCharts, openReport, type Browser } from './report-browser-helpers.js';

const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const HOSTILE = `${SCRIPT} ${IMG}`;

const disk: FileSink = {
  mkdir: async (path) => void (await mkdir(path, { recursive: true })),
  writeFile: (path, content) => writeFile(path, content),
};

/**
 * A real run against the mock: the flaky profile (errors), a plain and an SSE request (streams), two load
 * steps (capacity), with a hostile scenario and request name as a user could write them.
 */
const scenarioYaml = `
name: '${HOSTILE.replace(/'/g, "''")}'
target:
  mock: { profile: flaky, seed: 3 }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests:
  - name: '${HOSTILE.replace(/'/g, "''")}'
    method: POST
    path: /v1/generate
    json: { prompt: "${'\\u003cscript>'}hi", max_tokens: 8, temperature: 0 }
    weight: 3
  - name: stream
    method: POST
    path: /v1/generate
    json: { prompt: "hi", max_tokens: 8, temperature: 0, stream: true }
    stream: sse
client:
  timeouts: { connect: 1s, firstByte: 1s, total: 1500ms }
  retries: { max: 0 }
load:
  closed:
    - { steps: [2, 6], each: 1s }
slo: { p99: 800ms, errorRate: 1% }
thresholds: ["p99 < 800ms"]
workers: 1
`;

describe.skipIf(!chromiumPresent)(`report in a real browser (skipped when ${CHROMIUM_PATH} is missing)`, () => {
  let browser: Browser;
  let dir: string;
  let real: RunResult;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tailscope-report-browser-'));
    [browser, real] = await Promise.all([launchChromium(), runScenario(parseScenario(scenarioYaml, 'browser.yaml', {}))]);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('renders every chart of a real run live, with no console error and no network access', async () => {
    await writeReports(join(dir, 'real'), real, analyze(real), disk);
    const { page, consoleErrors, dialogs } = await openReport(browser, join(dir, 'real', 'index.html'));
    const charts = await liveCharts(page);
    const ids = charts.map((c) => c.id);
    // flaky injects 5xx and resets, and one request streams: those sections must be there
    expect(ids).toEqual(
      expect.arrayContaining([
        'live-load-over-time',
        'live-latency-over-time',
        'live-percentile-spectrum',
        'live-latency-breakdown',
        'live-capacity',
        'live-timeout-cdf',
        'live-errors-over-time',
        'live-streaming',
      ]),
    );
    for (const chart of charts) {
      expect(chart, chart.id).toMatchObject({ rendered: 'true' });
      expect(chart.svgs, chart.id).toBeGreaterThanOrEqual(1);
      expect(chart.marks, chart.id).toBeGreaterThan(0);
      expect(chart.width, chart.id).toBeGreaterThan(100);
      expect(chart.height, chart.id).toBeGreaterThan(50);
    }
    // Once the live chart is drawn its static fallback is hidden, so the page shows each chart once.
    const visibleFallbacks = await page.$$eval('.static', (nodes) => nodes.filter((n) => !(n as HTMLElement).hidden).length);
    expect(visibleFallbacks).toBe(0);
    // The resilience advice reads as a seven-row table and the snippets as code, exactly as the analysis wrote them.
    const analysis = analyze(real);
    expect(await page.$$eval('#resilience-table tbody tr', (rows) => rows.length)).toBe(7);
    expect(await page.$eval('#snippet-fetch code', (node) => node.textContent)).toBe(analysis.resilience.snippets.fetch);
    expect(await page.$eval('#snippet-envoy code', (node) => node.textContent)).toBe(analysis.resilience.snippets.envoy);
    expect(await page.$$eval('#timeouts-by-level tbody tr', (rows) => rows.length)).toBe(analysis.timeouts.byLoadLevel.length);
    expect(consoleErrors).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(browser.networkRequests).toEqual([]);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/report-real-run.png', fullPage: true });
    await page.close();
  });

  it('shows hostile names, URLs and error text as text, and runs no script from them', async () => {
    const hostile: RunResult = structuredClone(real);
    hostile.target.url = `http://127.0.0.1:1/${HOSTILE}`;
    hostile.stages[0]!.name = HOSTILE;
    hostile.thresholds = [...hostile.thresholds, HOSTILE];
    // An error category as a server could make it up (status text or kind), and an error body in the reasons.
    hostile.totals.errorsByKind.byStatus[HOSTILE] = 1;
    hostile.intervals[0]!.errorsByKind.byStatus[HOSTILE] = 1;
    hostile.health.socketErrors[HOSTILE] = 1;
    hostile.scenario.definition = { ...(hostile.scenario.definition as object), body: `error body: ${HOSTILE}` };
    await writeReports(join(dir, 'hostile'), hostile, analyze(hostile), disk);
    const { page, consoleErrors, dialogs } = await openReport(browser, join(dir, 'hostile', 'index.html'));
    const charts = await liveCharts(page);
    expect(charts.every((c) => c.rendered === 'true')).toBe(true);
    // Give any injected handler (onerror of a broken image) time to fire before concluding none did.
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(await page.$$('img[src="x"]')).toHaveLength(0);
    // Only the page's own scripts exist: three chart libraries and the embed script, plus the JSON data block
    // (which holds the hostile strings as escaped data, not as code).
    const scripts = await page.$$eval('script', (nodes) =>
      nodes.map((s) => ({ type: s.type, hostile: Boolean(s.textContent?.includes('alert(1)')) })),
    );
    expect(scripts.filter((s) => s.type === '')).toHaveLength(4);
    expect(scripts.filter((s) => s.type === '' && s.hostile)).toHaveLength(0);
    expect(scripts.filter((s) => s.type === 'application/json')).toHaveLength(1);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain(SCRIPT);
    expect(text).toContain(IMG);
    expect(await page.title()).toContain(SCRIPT);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('renders the report of a run that completed no request with no console error, saying "no data"', async () => {
    // Stopped the moment the workers were told to start: a real result with an interval and not one request.
    const abort = new AbortController();
    const zeroYaml =
      'name: zero\ntarget: { mock: { profile: fixed-20ms } }\nrequests: [{ name: generate, method: GET, path: /health }]\nworkers: 1\nwarmup: 0s\nload: { closed: [{ hold: 5s, concurrency: 2 }] }\n';
    const zero = await runScenario(parseScenario(zeroYaml, 'zero.yaml', {}), { signal: abort.signal, onLoadStarted: () => abort.abort() });
    expect(zero.totals.requests).toBe(0);
    await writeReports(join(dir, 'zero'), zero, analyze(zero), disk);
    const { page, consoleErrors } = await openReport(browser, join(dir, 'zero', 'index.html'));
    const charts = await liveCharts(page);
    for (const chart of charts) expect(chart, chart.id).toMatchObject({ rendered: 'true' });
    expect(await page.$$eval('.no-data', (nodes) => nodes.map((n) => n.closest('section')!.id))).toEqual(
      expect.arrayContaining(['latency-over-time', 'percentile-spectrum']),
    );
    expect(consoleErrors).toEqual([]);
    await page.close();
    // Beside a run with requests on the comparison page, and beside another empty run.
    for (const [name, other] of [
      ['mixed', real],
      ['empty', zero],
    ] as const) {
      const verdict = (result: RunResult) => analyze(result).verdict;
      const html = await renderOverlayHtml([
        { label: 'other', result: other, verdict: verdict(other) },
        { label: 'zero', result: zero, verdict: verdict(zero) },
      ]);
      await writeFile(join(dir, `compare-${name}.html`), html);
      const compared = await openReport(browser, join(dir, `compare-${name}.html`));
      await liveCharts(compared.page);
      expect(compared.consoleErrors, name).toEqual([]);
      await compared.page.close();
    }
  }, 30_000);

  it('renders every chart kind of a one-hour streaming run with capacity and timeout advice', async () => {
    const result = syntheticResult({ intervals: 3600, streaming: true });
    await writeReports(join(dir, 'hour'), result, withAdvice(analyze(result), result), disk);
    const { page, consoleErrors } = await openReport(browser, join(dir, 'hour', 'index.html'));
    const charts = await liveCharts(page);
    expect(charts.map((c) => c.id)).toHaveLength(8);
    for (const chart of charts) expect(chart.rendered === 'true' && chart.marks > 0, chart.id).toBe(true);
    // The knee rule and the dashed USL curve are drawn in the capacity chart.
    expect(await page.$$eval('#live-capacity .mark-rule line', (lines) => lines.length)).toBeGreaterThan(0);
    expect(await page.$$eval('#live-capacity .mark-line path', (paths) => paths.length)).toBe(3);
    expect(consoleErrors).toEqual([]);
    await page.screenshot({ path: 'test-results/report-one-hour.png', fullPage: true });
    const html = await readFile(join(dir, 'hour', 'index.html'), 'utf8');
    expect(html.length).toBeLessThan(2_000_000);
    await page.close();
  });
});
