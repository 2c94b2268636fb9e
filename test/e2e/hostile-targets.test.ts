import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { ErrorKind, RunResult } from '../../src/result/types.js';
import { fakeIo } from '../helpers/fake-io.js';
import { startHostileServer, type HostileMode } from '../helpers/hostile-server.js';

const HOLD_MS = 600;
const TOTAL_TIMEOUT_MS = 1000;
const GRACEFUL_STOP_MS = 1000;
/**
 * A run may take the hold, one total timeout for the last request, the graceful stop, and writing the reports
 * (HTML with inlined charts: about a second on a busy 2-core machine, three times that under a parallel hog).
 */
const WALL_LIMIT_MS = HOLD_MS + TOTAL_TIMEOUT_MS + GRACEFUL_STOP_MS + 4000;
/** No hostile target may grow the process's RSS during its run by more than this beyond a well-behaved run's. */
const RSS_LIMIT_MIB = 64;

/** What each mode must be counted as: an error kind, a status, or success. */
const EXPECTED: Record<HostileMode, { kind?: ErrorKind; status?: string; succeeds?: true }> = {
  'interim-1xx': { succeeds: true },
  http10: { succeeds: true },
  'huge-headers': { kind: 'garbage' },
  'endless-body': { kind: 'too_large' },
  drip: { kind: 'timeout_total' },
  'bad-status': { kind: 'garbage' },
  'bad-chunk': { kind: 'garbage' },
  'short-body': { kind: 'reset' },
  rst: { kind: 'reset' },
  silent: { kind: 'timeout_first_byte' },
  'half-then-hang': { kind: 'timeout_total' },
  'nul-bytes': { kind: 'garbage' },
  redirect: { kind: 'status', status: '302' },
};

/** RSS growth (peak during the run − RSS at its start) per mode, in bytes */
const peaks = new Map<HostileMode, number>();

async function runAgainst(mode: HostileMode, timeouts = `{ connect: 500ms, firstByte: 500ms, total: ${TOTAL_TIMEOUT_MS}ms, idle: 500ms }`) {
  const server = await startHostileServer(mode);
  const dir = await mkdtemp(join(tmpdir(), `tailscope-hostile-${mode}-`));
  const scenario = join(dir, 'hostile.yaml');
  await writeFile(
    scenario,
    `name: hostile-${mode}
target: { url: "${server.url}" }
requests: [{ name: h, method: GET, path: /h }]
client:
  timeouts: ${timeouts}
load: { closed: [{ hold: ${HOLD_MS}ms, concurrency: 2 }] }
gracefulStop: ${GRACEFUL_STOP_MS}ms
warmup: 0
workers: 1
`,
  );
  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 25);
  const { io } = fakeIo(dir);
  const startedAt = performance.now();
  try {
    const code = await runCli(['run', scenario, '--out', join(dir, 'out'), '--quiet'], io);
    const wallMs = performance.now() - startedAt;
    const result = JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8')) as RunResult;
    // What the run added to the process at its peak: the test process itself grows a little with every run
    // (modules, report assets), so runs are compared by their own growth, not by absolute RSS.
    const growth = peakRss - startRss;
    peaks.set(mode, growth);
    return { code, wallMs, result, served: server.requests(), growth };
  } finally {
    clearInterval(sampler);
    await server.close();
  }
}

describe('hostile targets: every run ends in time, writes its result and counts what happened by name', () => {
  afterAll(() => peaks.clear());

  // The well-behaved runs first: their peak RSS is the baseline the hostile ones are held to.
  // Every mode, from the table above (its type makes it exhaustive), in its order: the well-behaved ones first.
  it.each(Object.keys(EXPECTED) as HostileMode[])('%s', async (mode) => {
    const { code, wallMs, result, served, growth } = await runAgainst(mode);
    expect([EXIT.ok, EXIT.failed, EXIT.invalidRun]).toContain(code);
    expect(wallMs).toBeLessThan(WALL_LIMIT_MS);
    expect(result.totals.requests).toBeGreaterThan(0);
    // Every request the server read was counted, as an answer or as a named failure: none dropped at the end
    // (those still in flight when the graceful stop ran out are counted as interrupted).
    expect(result.totals.requests).toBe(served);
    const expected = EXPECTED[mode];
    const { byKind, byStatus } = result.totals.errorsByKind;
    if (expected.succeeds) {
      expect(result.totals.errors).toBe(0);
    } else {
      expect(byKind[expected.kind!] ?? 0).toBeGreaterThan(0);
      if (expected.status) expect(byStatus[expected.status] ?? 0).toBeGreaterThan(0);
    }
    const baseline = Math.max(peaks.get('interim-1xx') ?? growth, peaks.get('http10') ?? 0);
    expect((growth - baseline) / 2 ** 20).toBeLessThan(RSS_LIMIT_MIB);
  });
});

describe('requests still in flight when the run ends', () => {
  it('are counted as interrupted after the graceful stop, never dropped, against a target that never answers', async () => {
    // No timeouts at all: only the graceful stop ends the two users' first requests.
    const { result, served } = await runAgainst('silent', '{ connect: 0, firstByte: 0, total: 0, idle: 0 }');
    expect(served).toBe(2);
    expect(result.totals.requests).toBe(2);
    expect(result.totals.errorsByKind.byKind).toEqual({ interrupted: 2 });
  });
});
