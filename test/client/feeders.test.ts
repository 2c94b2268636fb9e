import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeederError, loadRows, rowCursor } from '../../src/client/feeders.js';

async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tailscope-feeder-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('feeders', () => {
  it('reads JSONL, skipping blank lines, and names the line of bad JSON', async () => {
    expect(await loadRows(await file('p.jsonl', '{"a":1}\n\n{"a":2}\n'))).toEqual([{ a: 1 }, { a: 2 }]);
    await expect(loadRows(await file('p.jsonl', '{"a":1}\n{oops\n'))).rejects.toThrowError(/p\.jsonl:2: not JSON/);
  });

  it('reads CSV with quoted fields into records named by the header', async () => {
    const rows = await loadRows(await file('p.csv', 'id,prompt\r\n1,"say ""hi"", then go"\r\n2,plain\r\n'));
    expect(rows).toEqual([
      { id: '1', prompt: 'say "hi", then go' },
      { id: '2', prompt: 'plain' },
    ]);
    await expect(loadRows(await file('q.csv', 'a,b\n1\n'))).rejects.toThrowError(FeederError);
  });

  it('interleaves workers on sequential feeders so together they walk the file in order', () => {
    const rows = ['r0', 'r1', 'r2', 'r3', 'r4'];
    const a = rowCursor(rows, 'sequential', 0, 2, Math.random);
    const b = rowCursor(rows, 'sequential', 1, 2, Math.random);
    expect([a(), b(), a(), b(), a(), b()]).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r0']);
  });
});
