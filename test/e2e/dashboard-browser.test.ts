import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { RunResult } from '../../src/result/types.js';
import { fakeIo } from '../helpers/fake-io.js';
import { waitFor } from '../helpers/wait-for.js';
import { CHROMIUM_PATH, chromiumPresent, launchChromium, type Browser } from './report-browser-helpers.js';

/**
 * The live page in headless Chromium during a run it stops after a few seconds: it renders the charts, redraws
 * them on at least two updates, logs no console error, needs nothing beyond its own server, and its Stop button ends the run as
 * Ctrl-C does (the result says interrupted) and then links the final report, which the server serves.
 */
const scenarioYaml = `
name: dashboard-browser
target:
  mock: { profile: fixed-20ms, seed: 8 }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests:
  - { name: generate, method: POST, path: /v1/generate, json: { prompt: hi, max_tokens: 4 }, weight: 4 }
  - { name: missing, method: GET, path: /no-such-route }
load:
  closed:
    - { hold: 8s, concurrency: 2 }
slo: { p99: 100ms }
workers: 1
warmup: 0s
`;

const dirs: string[] = [];
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!chromiumPresent)(`dashboard in a real browser (skipped when ${CHROMIUM_PATH} is missing)`, () => {
  it('renders, updates at least twice, stops the run from its button and links the final report, with no console error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tailscope-dashboard-browser-'));
    dirs.push(dir);
    await writeFile(join(dir, 's.yaml'), scenarioYaml);
    const fake = fakeIo(dir);
    const running = runCli(['run', 's.yaml', '--out', 'out', '--dashboard', '127.0.0.1:0', '--dashboard-linger', '1', '--quiet'], fake.io);
    const url = await waitFor('the dashboard address', () => /dashboard (http:\/\/127\.0\.0\.1:\d+)\//.exec(fake.stderr())?.[1], 20_000);

    browser = await launchChromium(url);
    const page = await browser.context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    await page.goto(`${url}/`, { waitUntil: 'load' });

    // Two updates, each redrawing the load chart as a live vega SVG with drawn marks.
    await page.waitForFunction(() => Number(document.body.getAttribute('data-updates')) >= 2, undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.getElementById('live-load-over-time')?.getAttribute('data-rendered') === 'true');
    const drawn = await page.$$eval('.live', (hosts) =>
      hosts.map((host) => ({
        id: host.id,
        rendered: host.getAttribute('data-rendered'),
        marks: host.querySelectorAll('svg .mark-line path, svg .mark-rect path').length,
      })),
    );
    expect(drawn.find((c) => c.id === 'live-load-over-time')).toMatchObject({ rendered: 'true' });
    expect(drawn.find((c) => c.id === 'live-load-over-time')!.marks).toBeGreaterThan(0);
    expect(drawn.find((c) => c.id === 'live-latency-over-time')!.rendered).toBe('true');
    expect(drawn.find((c) => c.id === 'live-errors-over-time')!.rendered).toBe('true'); // the 404s
    expect(await page.textContent('#verdict-live')).toMatch(/Verdict/);

    // Stop, as a user would, before the schedule ends (8 s: room for two updates and the click on a loaded machine).
    await page.click('#stop');
    await page.waitForFunction(() => document.body.getAttribute('data-state') === 'done', undefined, { timeout: 15_000 });
    const href = await page.getAttribute('#report-link', 'href');
    expect(href).toBe('/report');
    const report = await page.request.get(`${url}/report`);
    expect(report.status()).toBe(200);
    expect(await report.text()).toContain('<title>tailscope — dashboard-browser</title>');
    await page.close();

    const code = await running;
    expect(fake.stderr()).toContain('stopped from the dashboard');
    const result = JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8')) as RunResult;
    expect(result.interrupted).toBe(true);
    // As after Ctrl-C: 130 (interrupted), unless the generator was judged saturated, which outranks it (3). With
    // Chromium and the in-process mock sharing this busy machine's two cores, that happens; the stop is the point.
    expect(code).toBe(result.health.valid ? 130 : 3);
    expect(result.durationMs).toBeLessThan(8_000);
    expect(consoleErrors).toEqual([]);
    expect(browser.networkRequests).toEqual([]);
  }, 40_000);
});
