import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { decodeHistogram } from '../../src/shared/histogram.js';
import { summarize } from '../../src/shared/latency-summary.js';
import type { RunResult } from '../../src/result/types.js';
import { fakeIo } from '../helpers/fake-io.js';
import { writeFile } from 'node:fs/promises';
import { startMockServer } from '../../mock-server/index.js';
import { bareClientOverheadMs } from '../helpers/bare-client.js';

const INJECTED_MS = 20;

describe('a run against the mock with a fixed 20 ms service time', () => {
  it('recovers the injected latency end to end and writes the three files', async () => {
    // The mock runs on this test's own (idle) thread, as a target in another process would; the run's
    // workers are threads of their own. (With target.mock the mock gets a thread too: one more cross-thread
    // wake-up per response, ~0.2–0.3 ms here.)
    const server = await startMockServer({ profile: 'fixed-20ms', seed: 3 });
    const dir = await mkdtemp(join(tmpdir(), 'tailscope-e2e-'));
    const scenario = join(dir, 'fixed.yaml');
    await writeFile(
      scenario,
      `name: fixed-20ms at 4
target:
  url: "${server.url}"
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests:
  - name: generate
    method: POST
    path: /v1/generate
    json: { prompt: "hello", max_tokens: 8, temperature: 0.2 }
load:
  closed:
    - { hold: 3s, concurrency: 4 }
workers: 1
`,
    );
    const { io, stderr } = fakeIo(dir);
    const code = await runCli(['run', scenario, '--out', join(dir, 'out'), '--quiet'], io);
    const token = (
      (await (
        await fetch(`${server.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
        })
      ).json()) as { access_token: string }
    ).access_token;
    const floorMs = await bareClientOverheadMs(
      server.url,
      token,
      JSON.stringify({ prompt: 'hello', max_tokens: 8, temperature: 0.2 }),
      4,
      1500,
    ).finally(() => server.close());
    expect(stderr()).not.toMatch(/error/i);
    expect(code).toBe(EXIT.ok);

    const result = JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8')) as RunResult;
    const analysis = JSON.parse(await readFile(join(dir, 'out', 'analysis.json'), 'utf8')) as { split: { method: string } };
    const html = await readFile(join(dir, 'out', 'index.html'), 'utf8');

    expect(result.schema).toBe('tailscope.result/v1');
    expect(result.totals.errorsByKind).toEqual({ total: 0, byKind: {}, byStatus: {} });
    // 4 users × 3 s / ~20.5 ms ≈ 585 requests; a loaded runner may lose a little throughput, not latency.
    expect(result.totals.requests).toBeGreaterThan(400);
    // The server's own account (Server-Timing app) is the injected value plus its timer's lateness:
    // ~0.4 ms on an idle machine, up to ~1.5 ms when other test files load both cores.
    const service = summarize(decodeHistogram(result.histograms.service!));
    expect(service.p50).toBeGreaterThanOrEqual(INJECTED_MS);
    expect(service.p50).toBeLessThan(INJECTED_MS + 1.5);
    // What tailscope adds on top of what the server accounted for: `network` is total − (app + queue) per
    // request. The machine's own floor for that (loopback, kernel, node:http on both ends, thread wake-ups)
    // is measured by a bare node:http client on a worker thread against the same server: 0.9–1.0 ms here.
    // tailscope's phase timing, timeouts and recording added 0.17–0.43 ms to it at the median over three
    // runs; 0.5 ms is the bound.
    const network = summarize(decodeHistogram(result.histograms.network!));
    console.log(`loopback floor p50 ${floorMs.toFixed(3)} ms, tailscope network p50 ${network.p50} ms`);
    expect(network.p50).toBeLessThan(floorMs + 0.5);
    expect(result.totals.latency.p50).toBeGreaterThanOrEqual(INJECTED_MS);
    expect(result.totals.latency.p50).toBeLessThan(INJECTED_MS + 2.5);
    expect(service.count).toBe(result.totals.requests);
    expect(analysis.split.method).toBe('server-timing');
    // Closed model at 4 users: achieved concurrency holds at 4 (within the ramp-up of the first tick).
    expect(result.stages[0]!.achievedConcurrency).toBeGreaterThan(3.8);
    expect(result.stages[0]!.achievedConcurrency).toBeLessThanOrEqual(4.001);
    // Exact merge: per-stage and per-interval counts add up to the total.
    expect(result.intervals.reduce((sum, i) => sum + i.requests, 0)).toBe(result.totals.requests);
    expect(result.requestsByName.generate!.requests).toBe(result.totals.requests);
    // The load thread collects its start-up garbage before the warm-up (src/shared/heap.ts). Without that, its
    // first full collection came ~2.8 s after it started: in the first measured second (the warm-up is 2 s),
    // one in each of three runs like this, a 6–14 ms pause for every request in flight.
    console.log(`load-thread GC over the measured run: ${JSON.stringify(result.health.gc)}`);
    expect(result.health.gc?.majorCollections).toBe(0);
    expect(html).toContain('<svg');
    expect(html).not.toContain('demo-secret');
  });
});
