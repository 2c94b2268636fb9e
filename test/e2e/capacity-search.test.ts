import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { parseScenario } from '../../src/scenario/read.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { fakeIo } from '../helpers/fake-io.js';
import { demoAuth, generateRequest, profileFile, runScenarioObject } from '../analysis/run-helpers.js';

// Four service slots and a fixed 50 ms service: the target serves at most 4 / 50 ms = 80 requests/s, and below
// that nothing waits (constant arrivals), so a 200 ms p99 holds up to 80/s and breaks just past it.
const SLOTS = 4;
const SERVICE_MS = 50;
const TRUE_CAPACITY = SLOTS * (1000 / SERVICE_MS);
const profile = profileFile({
  name: 'slots-4-fixed-50ms',
  seed: 1,
  capacity: { slots: SLOTS },
  generate: { latency: `${SERVICE_MS}ms`, ttft: `${SERVICE_MS}ms`, interToken: '0ms' },
});

/**
 * Short probes (1 s judged in 125 ms intervals: eight blocks to resample) keep the search to seconds. The pool
 * is capped: an overloaded probe then queues in the client, where its latency still counts from the intended
 * send time, instead of opening hundreds of sockets. Searches that judge latency against the profile warm up
 * for 500 ms (the JIT and the pool; the 2 s default is for runs people read); the ones that only check what is
 * said and the exit code need none.
 */
function scenario(load: object, extra: object = {}) {
  return {
    name: 'capacity-search',
    target: { mock: { profile, seed: 1 } },
    auth: demoAuth,
    requests: [generateRequest],
    client: { poolSize: 16 },
    load,
    slo: { p99: '200ms', errorRate: '1%' },
    interval: '125ms',
    workers: 1,
    warmup: '500ms',
    ...extra,
  };
}

async function cli(object: object) {
  const dir = await mkdtemp(join(tmpdir(), 'tailscope-search-'));
  const file = join(dir, 'search.yaml');
  await writeFile(file, stringify(object));
  const { io, stdout, stderr } = fakeIo(dir);
  const code = await runCli(['run', file, '--out', join(dir, 'out'), '--quiet'], io);
  return { code, stdout: stdout(), stderr: stderr(), dir };
}

describe('capacity search against the mock', () => {
  it(`finds the capacity of ${SLOTS} slots × ${SERVICE_MS} ms (${TRUE_CAPACITY}/s) within the precision, probe by probe`, async () => {
    const result = await runScenarioObject(scenario({ search: { from: 60, to: 320, hold: '1s', precision: '10%', sweep: 0 } }));
    const atSlo = analyze(result).capacity.atSlo!;
    console.log('capacity search', atSlo.sentence, JSON.stringify(atSlo.probes.map((p) => [p.load, p.verdict, p.reason])));
    expect(atSlo.outcome).toBe('found');
    // The bracket is at most 10% wide; its middle is the estimate. A 1 s probe cannot tell 80/s from a few
    // percent more (the queue of a 3% overload grows by 2–3 requests in a second; the climb rule needs 2 and a
    // 200 ms p99 breaks at 12), so a pass just above 80 is expected: hence 80 ± 10%. The three-seed run with
    // 3 s probes and a 5% precision (72–84) is bench/search.ts.
    expect(atSlo.load!).toBeGreaterThanOrEqual(TRUE_CAPACITY * 0.9);
    expect(atSlo.load!).toBeLessThanOrEqual(TRUE_CAPACITY * 1.1);
    expect((atSlo.failedAt! - atSlo.passedAt!) / atSlo.passedAt!).toBeLessThanOrEqual(0.1);
    expect(atSlo.sentence).toMatch(
      /^capacity at SLO: [\d.]+ req\/s \(passes at [\d.]+, fails at [\d.]+; p99 at [\d.]+: [\d.]+ ms \[[\d.]+, [\d.]+\]\)$/,
    );
    // every probe is a stage of its own, and a failed one is followed by a drain that sends nothing (unless the
    // search ends there: with no sweep, the run's own graceful stop drains it)
    const { probes } = result.search!;
    const probeStages = result.stages.filter((s) => s.kind === 'probe');
    expect(probeStages.map((s) => s.target)).toEqual(probes.map((p) => p.load));
    for (const probe of probes.filter((p) => p.verdict === 'fail' && p.probe < probes.length)) {
      expect(result.stages[probe.stage + 1]).toMatchObject({ kind: 'drain', target: 0 });
    }
    // a probe far past the capacity (the second: 120/s) is clearly lost and ends before its hold
    expect(result.search!.probes.find((p) => p.load >= 1.5 * TRUE_CAPACITY)?.early).toBe(true);
  }, 60_000);

  it('a closed-model search finds the concurrency the knee analysis finds on the same profile', async () => {
    // 200 ms of service and a 300 ms p99: up to 4 users nobody waits; a fifth user keeps one request waiting
    // for a slot (up to 200 ms more) all the time. 100 ms either side is well above this machine's timer noise.
    const slow = profileFile({
      name: 'slots-4-fixed-200ms',
      seed: 1,
      capacity: { slots: SLOTS },
      generate: { latency: '200ms', ttft: '200ms', interToken: '0ms' },
    });
    const extra = { target: { mock: { profile: slow, seed: 1 } }, slo: { p99: '300ms', errorRate: '1%' }, interval: '250ms' };
    const search = await runScenarioObject(
      scenario({ search: { model: 'closed', from: SLOTS, to: 16, hold: '2s', precision: '10%', sweep: 0 } }, extra),
    );
    const steps = await runScenarioObject(scenario({ closed: [{ steps: [SLOTS / 2, SLOTS, 2 * SLOTS], each: '2500ms' }] }, extra));
    const knee = analyze(steps).capacity.knee!;
    const atSlo = analyze(search).capacity.atSlo!;
    console.log(
      'closed search',
      atSlo.sentence,
      JSON.stringify(atSlo.probes.map((p) => [p.load, p.verdict, p.p99Ms?.value])),
      'knee',
      knee.load,
      knee.name,
    );
    expect(Math.round(knee.load)).toBe(SLOTS);
    expect(atSlo.load).toBe(SLOTS);
    expect(atSlo.failedAt).toBe(SLOTS + 1);
  }, 60_000);

  it('says when the SLO fails at the lowest load tried, and exits 1', async () => {
    const run = await cli(
      scenario({ search: { from: 10, to: 100, hold: '1s', precision: '10%' } }, { slo: { p99: '20ms' }, warmup: '0s' }),
    );
    expect(run.stderr).toMatch(/probe 1: 10 req\/s — p99 [\d.]+ ms ✗ \(SLO 20\.0 ms/);
    expect(run.stdout).toMatch(/the SLO fails at the lowest load tried, 10 req\/s/);
    expect(run.code).toBe(EXIT.failed);
    const analysis = JSON.parse(await readFile(join(run.dir, 'out', 'analysis.json'), 'utf8'));
    expect(analysis.capacity.atSlo).toMatchObject({ outcome: 'fails-at-lowest', failedAt: 10, probes: [{ load: 10, verdict: 'fail' }] });
  }, 30_000);

  it('stops where the generator cannot drive the load, says the ceiling is the generator’s, and exits 3', async () => {
    // Two requests in flight at most: 100 arrivals/s of 50 ms need five, so most arrivals are dropped.
    const run = await cli(scenario({ search: { from: 100, to: 400, hold: '1s' }, maxInFlight: 2 }, { warmup: '0s' }));
    expect(run.stderr).toMatch(/probe 1: 100 req\/s — the generator could not drive it: the generator dropped \d+ of \d+ arrivals/);
    expect(run.stdout).toMatch(/the ceiling is the generator's, not the target's: it could not drive 100 req\/s/);
    expect(run.code).toBe(EXIT.invalidRun);
  }, 30_000);

  it('stopped (Ctrl-C), it keeps the probes decided so far', async () => {
    const abort = new AbortController();
    const parsed = parseScenario(
      stringify(scenario({ search: { from: 20, to: 320, hold: '1s', precision: '5%' } }, { warmup: '0s' })),
      'stop.yaml',
      {},
    );
    const result = await runScenario(parsed, { signal: abort.signal, onProbe: (probe) => probe.probe === 2 && abort.abort() });
    expect(result.interrupted).toBe(true);
    expect(result.search!.probes.map((p) => p.load)).toEqual([20, 40]);
    expect(result.search!.conclusion).toBeUndefined();
    const atSlo = analyze(result).capacity.atSlo!;
    expect(atSlo.outcome).toBe('stopped');
    expect(atSlo.sentence).toBe('the search was stopped before it concluded (so far: passes at 40 req/s)');
    expect(analyze(result).verdict.status).toBe('interrupted');
  }, 30_000);
});
