import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { RunResult } from '../../src/result/types.js';
import { fakeIo } from '../helpers/fake-io.js';
import { waitFor } from '../helpers/wait-for.js';
import { parsePrometheusText, type PromFamily } from '../report/prom-parser.js';

/**
 * A 4 s run with --dashboard (the done-when's 6 s, shortened for the test budget), driven in-process: the page and /metrics are read mid-run as curl would, the
 * counters scraped twice must only grow, and once the run has ended (the server lingers a second) the final
 * scrape must equal result.json per request name and per stage. Two request names, one of them always 404,
 * so errors by kind have something to count; two workers, so the counts are merged across threads as the result is.
 */
const scenarioYaml = `
name: dashboard-e2e
target:
  mock: { profile: fixed-20ms, seed: 5 }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests:
  - { name: generate, method: POST, path: /v1/generate, json: { prompt: hi, max_tokens: 4 }, weight: 3 }
  - { name: missing, method: GET, path: /no-such-route }
load:
  closed:
    - { hold: 2s, concurrency: 1 }
    - { hold: 2s, concurrency: 2 }
slo: { p99: 100ms }
workers: 2
warmup: 0s
`;

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A GET with a chosen Host header (fetch will not let a test forge one). */
function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function family(families: PromFamily[], name: string): PromFamily {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`no family ${name}`);
  return found;
}

/** Counter samples keyed by their labels. */
function series(f: PromFamily): Map<string, number> {
  return new Map(f.samples.map((s) => [`${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`, s.value]));
}

const sum = (f: PromFamily, keep: (labels: Record<string, string>) => boolean = () => true) =>
  f.samples.filter((s) => keep(s.labels)).reduce((total, s) => total + s.value, 0);

describe('run --dashboard', () => {
  it('serves the page and growing Prometheus counters during a run, ending equal to result.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tailscope-dashboard-'));
    dirs.push(dir);
    await writeFile(join(dir, 's.yaml'), scenarioYaml);
    const fake = fakeIo(dir);
    const running = runCli(['run', 's.yaml', '--out', 'out', '--dashboard', '127.0.0.1:0', '--dashboard-linger', '1', '--quiet'], fake.io);

    const url = await waitFor('the dashboard address', () => /dashboard (http:\/\/127\.0\.0\.1:\d+\/)/.exec(fake.stderr())?.[1], 20_000);
    const page = await get(url, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>tailscope live — dashboard-e2e</title>');
    expect(page.body).toMatch(/data-token="[A-Za-z0-9_-]{32}"/);
    expect(page.body).not.toMatch(/<script[^>]+src=/); // offline: every script inline

    // Guards: another Host (DNS rebinding) gets nothing; a stop without the token is refused and the run goes on.
    expect((await get(url, '/', { host: 'evil.example:80' })).status).toBe(403);
    expect((await get(url, '/stop', {}, 'POST')).status).toBe(403);
    expect((await get(url, '/stop', { 'x-tailscope-token': 'guess' }, 'POST')).status).toBe(403);
    const token = /data-token="([^"]+)"/.exec(page.body)![1]!;
    expect((await get(url, '/stop', { 'x-tailscope-token': token, origin: 'http://evil.example' }, 'POST')).status).toBe(403);
    expect((await get(url, '/stop', { 'x-tailscope-token': token })).status).toBe(405);

    // Two scrapes in the run: the first once an interval has been counted, the second once another has.
    const scrape = async () => parsePrometheusText((await get(url, '/metrics')).body);
    let early: PromFamily[] = [];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      early = await scrape();
      if (early.some((f) => f.name === 'tailscope_requests_total' && sum(f) > 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // The counters move when an interval is merged, which needs every worker's post: on a loaded machine that can
    // take longer than an interval. So the second scrape waits (bounded) for the next merged interval rather
    // than for a fixed second, and must still come while the run goes on.
    const earlyRequests = family(early, 'tailscope_requests_total');
    let later = early;
    const growDeadline = Date.now() + 5_000;
    while (Date.now() < growDeadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      later = await scrape();
      if (sum(family(later, 'tailscope_requests_total')) > sum(earlyRequests)) break;
    }
    expect(family(later, 'tailscope_run_finished').samples[0]!.value).toBe(0);
    const laterRequests = family(later, 'tailscope_requests_total');
    expect(sum(laterRequests)).toBeGreaterThan(sum(earlyRequests));
    for (const name of ['tailscope_requests_total', 'tailscope_request_errors_total', 'tailscope_request_latency_seconds']) {
      const before = series(family(early, name));
      const after = series(family(later, name));
      for (const [key, value] of before) expect(after.get(key) ?? 0, key).toBeGreaterThanOrEqual(value);
    }
    // Buckets around the 100 ms SLO, the SLO itself one of them; cumulative, so never decreasing with le.
    const generateBuckets = family(later, 'tailscope_request_latency_seconds').samples.filter(
      (s) => s.name.endsWith('_bucket') && s.labels.request === 'generate' && s.labels.stage === 'hold 1 2s',
    );
    expect(generateBuckets.map((s) => s.labels.le)).toContain('0.1');
    const counts = generateBuckets.map((s) => s.value);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(family(later, 'tailscope_generator_event_loop_utilization_ratio').samples.map((s) => s.labels.worker)).toEqual(['0', '1']);

    // After the run: the final scrape (the server lingers) equals result.json.
    await waitFor('the report line', () => (fake.stdout().includes('report: ') ? true : undefined), 20_000);
    const final = await scrape();
    const code = await running;
    expect(family(final, 'tailscope_run_finished').samples[0]!.value).toBe(1);
    const result = JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8')) as RunResult;
    // The SLO is on latency only: the 404s are there to be counted, not judged. A generator judged saturated on
    // this shared two-core machine outranks a pass (3); the counts are the point here.
    expect(code).toBe(result.health.valid ? 0 : 3);
    const requests = family(final, 'tailscope_requests_total');
    expect(sum(requests)).toBe(result.totals.requests);
    expect(sum(requests)).toBeGreaterThanOrEqual(sum(laterRequests));
    for (const [name, byName] of Object.entries(result.requestsByName)) {
      expect(
        sum(requests, (l) => l.request === name),
        name,
      ).toBe(byName.requests);
    }
    for (const stage of result.stages) {
      expect(
        sum(requests, (l) => l.stage === stage.name),
        stage.name,
      ).toBe(stage.requests);
    }
    const errors = family(final, 'tailscope_request_errors_total');
    expect(sum(errors)).toBe(result.totals.errors);
    expect(sum(errors, (l) => l.request === 'missing' && l.error === 'HTTP 404')).toBe(result.requestsByName.missing!.errors);
    const count = family(final, 'tailscope_request_latency_seconds').samples.filter((s) => s.name.endsWith('_count'));
    expect(count.reduce((total, s) => total + s.value, 0)).toBe(result.totals.latency.count);
  }, 40_000);
});
