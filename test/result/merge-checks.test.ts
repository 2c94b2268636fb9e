import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeResults } from '../../src/result/merge.js';
import { runResultSchema } from '../../src/result/schema.js';
import type { CheckTally, RunResult } from '../../src/result/types.js';

const small = JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8')) as RunResult;

function shard(index: number, checks: CheckTally[] | undefined, tokens?: number): RunResult {
  const result = structuredClone(small);
  result.shard = { index, count: 2 };
  const generate = result.requestsByName.generate!;
  if (checks) generate.checks = checks;
  if (tokens !== undefined) generate.tokens = tokens;
  return result;
}

describe('merging the check tallies and token counts of shards', () => {
  it('adds passes and fails per label exactly, keeps the first failure reason, and keeps declaration order', () => {
    const merged = mergeResults([
      shard(
        0,
        [
          { label: 'status 200', passes: 100, fails: 0 },
          { label: '$.ok == true', passes: 97, fails: 3, firstFailure: '$.ok is false, expected true' },
        ],
        700,
      ),
      shard(
        1,
        [
          { label: 'status 200', passes: 99, fails: 1, firstFailure: 'status 500, expected 200' },
          { label: '$.ok == true', passes: 100, fails: 0 },
          { label: 'body contains "result"', passes: 4, fails: 96, firstFailure: 'body does not contain "result"' },
        ],
        650,
      ),
    ]);
    expect(merged.requestsByName.generate!.checks).toEqual([
      { label: 'status 200', passes: 199, fails: 1, firstFailure: 'status 500, expected 200' },
      { label: '$.ok == true', passes: 197, fails: 3, firstFailure: '$.ok is false, expected true' },
      { label: 'body contains "result"', passes: 4, fails: 96, firstFailure: 'body does not contain "result"' },
    ]);
    expect(merged.requestsByName.generate!.tokens).toBe(1350);
    expect(runResultSchema.safeParse(JSON.parse(JSON.stringify(merged))).success).toBe(true);
  });

  it('writes no checks for requests that had none', () => {
    const merged = mergeResults([shard(0, undefined), shard(1, undefined)]);
    expect(merged.requestsByName.generate).not.toHaveProperty('checks');
    expect(merged.requestsByName.generate).not.toHaveProperty('tokens');
  });

  it('refuses a result whose check counts are not counts', () => {
    const bad = shard(0, [{ label: 'status 200', passes: -1, fails: 0 }]);
    expect(runResultSchema.safeParse(bad).success).toBe(false);
  });
});
