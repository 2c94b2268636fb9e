import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../../mock-server/index.js';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { mergeEncoded } from '../../src/shared/histogram.js';
import type { RunResult } from '../../src/result/types.js';
import { fakeIo } from '../helpers/fake-io.js';

const read = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as RunResult;

describe('a run split into shards and merged', () => {
  it('drives the whole curve from two processes’ worth of shards and merges them exactly', async () => {
    const server = await startMockServer({ profile: { name: 'steady', generate: { latency: '20ms' } } });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'tailscope-shards-'));
      const scenario = join(dir, 'sharded.yaml');
      await writeFile(
        scenario,
        `name: sharded
target: { url: "${server.url}" }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests: [{ name: generate, method: POST, path: /v1/generate, json: { prompt: p, max_tokens: 4, temperature: 0 } }]
load: { closed: [{ hold: 2s, concurrency: 6 }] }
thresholds: ["p50 < 50ms"]
workers: 1
`,
      );
      const startAt = String(Date.now() + 1500);
      const ios = [fakeIo(dir), fakeIo(dir)];
      const shards = await Promise.all(
        [0, 1].map((index) =>
          runCli(
            ['run', scenario, '--shard', `${index}/2`, '--start-at', startAt, '--out', join(dir, `shard-${index}`), '--quiet'],
            ios[index]!.io,
          ),
        ),
      );
      expect(shards, ios.map((i) => i.stdout() + i.stderr()).join('\n')).toEqual([EXIT.ok, EXIT.ok]);
      const parts = await Promise.all([0, 1].map((i) => read(join(dir, `shard-${i}`, 'result.json'))));
      expect(parts.map((p) => p.shard)).toEqual([
        { index: 0, count: 2 },
        { index: 1, count: 2 },
      ]);
      // Concurrency 6 over 2 shards × 1 worker: 3 users each, never more. (How close to 3 the time average gets
      // depends on start-up and the drain, i.e. on the machine: that is bench material. The accrual arithmetic
      // itself is table-tested in test/runner/in-flight.test.ts.)
      for (const part of parts) {
        expect(part.stages[0]!.achievedConcurrency).toBeGreaterThan(0);
        expect(part.stages[0]!.achievedConcurrency).toBeLessThanOrEqual(3.001);
      }

      const merged = fakeIo(dir);
      expect(
        await runCli(
          ['merge', join(dir, 'shard-0', 'result.json'), join(dir, 'shard-1', 'result.json'), '--out', join(dir, 'merged')],
          merged.io,
        ),
      ).toBe(EXIT.ok);
      expect(merged.stdout()).toMatch(/^PASS p50 < 50ms: /m);
      const whole = await read(join(dir, 'merged', 'result.json'));
      expect(whole.shard).toBeUndefined();
      expect(whole.totals.requests).toBe(parts[0]!.totals.requests + parts[1]!.totals.requests);
      const served = Object.values(server.stats().byRoute['/v1/generate'] ?? {}).reduce((a, b) => a + b, 0);
      // The server saw the measured requests and the shards' warm-ups, which the merge keeps apart and adds too.
      expect(whole.warmup?.requests).toBe((parts[0]!.warmup?.requests ?? 0) + (parts[1]!.warmup?.requests ?? 0));
      expect(whole.totals.requests + (whole.warmup?.requests ?? 0)).toBe(served);
      // Exact: in-flight time adds across shards (concurrency × span is the integral each shard recorded).
      const span = (stage: RunResult['stages'][number]) => stage.endMs - stage.startMs;
      const inFlightMs = parts.reduce((sum, p) => sum + p.stages[0]!.achievedConcurrency * span(p.stages[0]!), 0);
      expect(whole.stages[0]!.achievedConcurrency * span(whole.stages[0]!)).toBeCloseTo(inFlightMs, 6);
      expect(whole.stages[0]!.achievedConcurrency).toBeLessThanOrEqual(6.001);
      // Exact: the merged percentiles are those of both shards' histograms added, not an average of theirs.
      const added = mergeEncoded([parts[0]!.histograms.total!, parts[1]!.histograms.total!]);
      expect(whole.totals.latency.p99).toBe(added.getValueAtPercentile(99) / 1000);
      expect(whole.intervals.reduce((sum, i) => sum + i.requests, 0)).toBe(whole.totals.requests);
      // Calls merge as exactly as attempts: counts by outcome add, the call histograms add bucket by bucket.
      expect(whole.totals.calls!.calls).toBe(parts[0]!.totals.calls!.calls + parts[1]!.totals.calls!.calls);
      expect(whole.totals.calls!.outcomes.succeededFirstTime).toBe(
        parts[0]!.totals.calls!.outcomes.succeededFirstTime + parts[1]!.totals.calls!.outcomes.succeededFirstTime,
      );
      const calls = mergeEncoded([parts[0]!.histograms.call!, parts[1]!.histograms.call!]);
      expect(whole.totals.calls!.latency.p99).toBe(calls.getValueAtPercentile(99) / 1000);
      expect(whole.stages[0]!.calls!.calls).toBe(whole.totals.calls!.calls);
      expect(whole.requestsByName.generate!.calls!.calls).toBe(whole.totals.calls!.calls);

      const partial = fakeIo(dir);
      expect(await runCli(['merge', join(dir, 'shard-0', 'result.json'), '--out', join(dir, 'partial')], partial.io)).toBe(EXIT.badInput);
      expect(partial.stderr()).toMatch(/a run of 2 shards needs each of 0, 1 once/);
    } finally {
      await server.close();
    }
  }, 30_000);

  it('refuses to shard a run against the bundled mock', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tailscope-shards-'));
    const scenario = join(dir, 'mock.yaml');
    await writeFile(
      scenario,
      'name: m\ntarget: { mock: { profile: fast } }\nrequests: [{ name: h, path: /healthz }]\nload: { closed: [{ hold: 1s, concurrency: 1 }] }\n',
    );
    const { io, stderr } = fakeIo(dir);
    expect(await runCli(['run', scenario, '--shard', '0/2'], io)).toBe(EXIT.badInput);
    expect(stderr()).toMatch(/--shard needs target\.url/);
  });
});
