import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { fakeIo } from '../helpers/fake-io.js';

const GOOD = resolve(import.meta.dirname, '../fixtures/results/small.json');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** base64 of bytes that are not an HDR histogram, and a real histogram cut in half. */
const NOT_HDR = Buffer.from('hello, I am not a histogram').toString('base64');

/**
 * Corruptions of a real result.json, each with the field the error must name. Every one of these crashed
 * analyze, compare, merge or report with a stack trace and exit 1 (the code of a failed threshold) before.
 */
const variants: [what: string, corrupt: (r: Json) => unknown, field: RegExp][] = [
  ['totals missing', (r) => { delete r.totals; }, /totals: /],
  ['intervals not an array', (r) => { r.intervals = { 0: r.intervals[0] }; }, /intervals: .*expected array/],
  ['stages not an array', (r) => { r.stages = 'hold'; }, /stages: /],
  ['histograms not an object', (r) => { r.histograms = [r.histograms.total]; }, /histograms: /],
  ['a total histogram that is not base64', (r) => { r.histograms.total = '%%% not base64 %%%'; }, /histograms\.total: not base64/],
  ['a histogram that is base64 but not HDR', (r) => { r.histograms.total = NOT_HDR; }, /histograms\.total: not an HDR histogram/],
  ['a histogram cut short', (r) => { const h = r.histograms.total as string; r.histograms.total = h.slice(0, Math.floor(h.length / 8) * 4); }, /histograms\.total: an HDR histogram cut short/],
  ['a histogram with its deflate stream garbled', (r) => { const b = Buffer.from(r.histograms.total, 'base64'); for (let i = 12; i < b.length; i++) b[i] = b[i]! ^ 0x5a; r.histograms.total = b.toString('base64'); }, /histograms\.total: an HDR histogram whose compressed data is corrupt/],
  ['an interval histogram not HDR', (r) => { r.intervals[1].histograms.total = NOT_HDR; }, /intervals\[1\]\.histograms\.total: not an HDR histogram/],
  ['a stage ttfb histogram not base64', (r) => { r.stages[0].histograms.ttfb = 'AAAA!'; }, /stages\[0\]\.histograms\.ttfb: not base64/],
  ['a per-request histogram not HDR', (r) => { r.requestsByName.generate.histograms.total = NOT_HDR; }, /requestsByName\.generate\.histograms\.total: not an HDR histogram/],
  ['a histogram that is a number', (r) => { r.histograms.total = 12; }, /histograms\.total: .*expected string/],
  ['a negative request count', (r) => { r.totals.requests = -5; }, /totals\.requests: .*>=0/],
  ['a negative error count by kind', (r) => { r.stages[0].errorsByKind.byKind.status = -3; }, /stages\[0\]\.errorsByKind\.byKind\.status: /],
  ['a negative status count', (r) => { r.totals.errorsByKind.byStatus['500'] = -1; }, /totals\.errorsByKind\.byStatus\.500: /],
  ['a count that is a string', (r) => { r.intervals[0].requests = 'many'; }, /intervals\[0\]\.requests: .*expected number/],
  ['an error rate above 1', (r) => { r.totals.errorRate = 3; }, /totals\.errorRate: /],
  ['a zero interval length', (r) => { r.intervalMs = 0; }, /intervalMs: /],
  ['an unknown model', (r) => { r.model = 'sideways'; }, /model: /],
  ['health missing', (r) => { delete r.health; }, /health: /],
  ['stage counters missing', (r) => { delete r.stages[0].counters; }, /stages\[0\]\.counters: /],
  ['latency summary missing', (r) => { delete r.totals.latency; }, /totals\.latency: /],
  ['requestsByName null', (r) => { r.requestsByName = null; }, /requestsByName: /],
  ['a top-level array', () => [], /not a tailscope\.result\/v1 result/],
  ['not JSON at all', () => '{"schema": "tailscope.result/v1", "totals": ', /not JSON/],
];

let good: string;
let dir: string;
beforeAll(async () => {
  good = await readFile(GOOD, 'utf8');
  dir = await mkdtemp(join(tmpdir(), 'tailscope-bad-results-'));
});

async function corruptFile(name: string, corrupt: (r: Json) => unknown): Promise<string> {
  const result = JSON.parse(good) as Json;
  const replaced = corrupt(result);
  const text = typeof replaced === 'string' ? replaced : JSON.stringify(replaced ?? result);
  const folder = join(dir, name.replace(/[^a-z0-9]+/gi, '-'));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(folder, { recursive: true });
  const file = join(folder, 'result.json');
  await writeFile(file, text);
  return file;
}

describe('corrupt result.json files', () => {
  it('the uncorrupted fixture reads cleanly in every command', async () => {
    const out = join(dir, 'good-out');
    for (const argv of [['analyze', GOOD, '--out', out], ['report', GOOD, '--out', out], ['compare', GOOD, GOOD], ['merge', GOOD, '--out', out]]) {
      const { io, stderr } = fakeIo(dir);
      const code = await runCli(argv, io);
      expect(stderr()).not.toMatch(/error/);
      // The fixture's generator was saturated (a real run at full speed on a busy runner): exit 3 says so.
      expect([EXIT.ok, EXIT.invalidRun]).toContain(code);
    }
  });

  it.each(variants)('%s: exit 2 naming the field, in analyze, compare, merge and report', async (what, corrupt, field) => {
    const file = await corruptFile(what, corrupt);
    const out = join(dir, 'out-never-written');
    for (const argv of [['analyze', file, '--out', out], ['compare', GOOD, file], ['merge', GOOD, file, '--out', out, '--force'], ['report', file, '--out', out]]) {
      const { io, stderr } = fakeIo(dir);
      const code = await runCli(argv, io);
      expect(stderr(), argv[0]).toMatch(field);
      expect(stderr(), argv[0]).not.toMatch(/internal error|\n\s+at /);
      expect(code, argv[0]).toBe(EXIT.badInput);
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('merge', () => {
  it('refuses two runs that are not shards of one run, and says what --force did', async () => {
    const later = JSON.parse(good) as Json;
    later.startedAt = new Date(Date.parse(later.startedAt) + 20 * 60_000).toISOString();
    const other = join(dir, 'later.json');
    await writeFile(other, JSON.stringify(later));

    const refused = fakeIo(dir);
    expect(await runCli(['merge', GOOD, other, '--out', join(dir, 'm1')], refused.io)).toBe(EXIT.badInput);
    expect(refused.stderr()).toMatch(/cannot merge: result 1 is not a shard .*--shard/);
    expect(existsSync(join(dir, 'm1'))).toBe(false);

    const forced = fakeIo(dir);
    expect(await runCli(['merge', GOOD, other, '--out', join(dir, 'm2'), '--force'], forced.io)).not.toBe(EXIT.badInput);
    expect(forced.stderr()).toMatch(/--force: merged although result 1 is not a shard/);
  });

  it('refuses shards that started far apart', async () => {
    const shards = [0, 1].map((index) => {
      const part = JSON.parse(good) as Json;
      part.shard = { index, count: 2 };
      if (index === 1) part.startedAt = new Date(Date.parse(part.startedAt) + 20 * 60_000).toISOString();
      return part;
    });
    const files = await Promise.all(shards.map(async (s, i) => {
      const file = join(dir, `shard-apart-${i}.json`);
      await writeFile(file, JSON.stringify(s));
      return file;
    }));
    const { io, stderr } = fakeIo(dir);
    expect(await runCli(['merge', ...files, '--out', join(dir, 'm3')], io)).toBe(EXIT.badInput);
    expect(stderr()).toMatch(/result 2 started 1200 s after result 1/);
  });
});
