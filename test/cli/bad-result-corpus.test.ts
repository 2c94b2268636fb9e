import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { fakeIo } from '../helpers/fake-io.js';
import { BAD_RESULT_VARIANTS as variants, GOOD_RESULT as GOOD, type Json } from '../fixtures/bad-results.js';

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
    for (const argv of [
      ['analyze', GOOD, '--out', out],
      ['report', GOOD, '--out', out],
      ['compare', GOOD, GOOD],
      ['merge', GOOD, '--out', out],
    ]) {
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
    for (const argv of [
      ['analyze', file, '--out', out],
      ['compare', GOOD, file],
      ['merge', GOOD, file, '--out', out, '--force'],
      ['report', file, '--out', out],
    ]) {
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
    const files = await Promise.all(
      shards.map(async (s, i) => {
        const file = join(dir, `shard-apart-${i}.json`);
        await writeFile(file, JSON.stringify(s));
        return file;
      }),
    );
    const { io, stderr } = fakeIo(dir);
    expect(await runCli(['merge', ...files, '--out', join(dir, 'm3')], io)).toBe(EXIT.badInput);
    expect(stderr()).toMatch(/result 2 started 1200 s after result 1/);
  });
});
