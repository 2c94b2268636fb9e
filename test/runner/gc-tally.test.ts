import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WorkerRecorder } from '../../src/runner/worker-recorder.js';
import { sumGcTallies } from '../../src/result/gc.js';
import { mergeResults } from '../../src/result/merge.js';
import { runResultSchema } from '../../src/result/schema.js';
import type { WorkerMessage } from '../../src/runner/protocol.js';
import type { LoadPlan } from '../../src/load/types.js';
import type { GcTally, RunResult } from '../../src/result/types.js';

/**
 * A load thread counts its own garbage collections over the measured run (from run time 0 to its end); the
 * coordinator and the shard merge add them up. The collections here are real ones, asked for with V8's `gc`
 * (exposed in a fresh context after the flag is set, the way a test can reach it without a node flag).
 */
setFlagsFromString('--expose-gc');
const collectNow = runInNewContext('gc') as () => void;

const plan: LoadPlan = {
  model: 'closed',
  durationMs: 1000,
  arrivals: 'constant',
  maxInFlight: 10,
  segments: [{ index: 0, name: 'a', kind: 'hold', startMs: 0, endMs: 1000, from: 1, to: 1 }],
};

function recorder(): { recorder: WorkerRecorder; tally: () => GcTally | undefined } {
  const posted: WorkerMessage[] = [];
  const made = new WorkerRecorder(
    plan,
    1000,
    (m) => posted.push(m),
    () => 0,
  );
  const tally = () => posted.flatMap((m) => (m.type === 'done' ? [m.gc] : []))[0];
  return { recorder: made, tally };
}

describe("a load thread's collections over the measured run", () => {
  it('counts full collections from start() on, with their pauses', async () => {
    const { recorder: r, tally } = recorder();
    r.start();
    collectNow();
    collectNow();
    // Node makes a collection's entry in a callback after the collection: one turn of the loop.
    await new Promise((resolve) => setImmediate(resolve));
    r.finish();
    const gc = tally()!;
    expect(gc.majorCollections).toBeGreaterThanOrEqual(2);
    expect(gc.collections).toBeGreaterThanOrEqual(gc.majorCollections);
    expect(gc.pauseMaxMs).toBeGreaterThan(0);
    expect(gc.pauseTotalMs).toBeGreaterThanOrEqual(gc.pauseMaxMs);
  });

  it('leaves out collections before run time 0 (the start-up and the warm-up)', () => {
    const { recorder: r, tally } = recorder();
    collectNow();
    r.start();
    r.finish();
    expect(tally()).toEqual({ collections: 0, majorCollections: 0, pauseTotalMs: 0, pauseMaxMs: 0 });
  });
});

describe('collections of several threads or shards together', () => {
  const a: GcTally = { collections: 5, majorCollections: 1, pauseTotalMs: 9.5, pauseMaxMs: 6 };
  const b: GcTally = { collections: 3, majorCollections: 0, pauseTotalMs: 2.25, pauseMaxMs: 1.5 };

  it.each<[string, GcTally[], GcTally]>([
    ['none', [], { collections: 0, majorCollections: 0, pauseTotalMs: 0, pauseMaxMs: 0 }],
    ['one', [a], a],
    [
      'two: counts and pause time add up, the longest pause is the longest of any',
      [a, b],
      { collections: 8, majorCollections: 1, pauseTotalMs: 11.75, pauseMaxMs: 6 },
    ],
  ])('%s', (_what, tallies, expected) => {
    expect(sumGcTallies(tallies)).toEqual(expected);
  });

  const small = JSON.parse(readFileSync(new URL('../fixtures/results/small.json', import.meta.url), 'utf8')) as RunResult;
  const shard = (index: number, gc: GcTally | undefined): RunResult => {
    const result = structuredClone(small);
    result.shard = { index, count: 2 };
    if (gc) result.health.gc = gc;
    else delete result.health.gc;
    return result;
  };

  it('merges shards that each counted, and reads back through the schema', () => {
    const merged = mergeResults([shard(0, a), shard(1, b)]);
    expect(merged.health.gc).toEqual(sumGcTallies([a, b]));
    expect(runResultSchema.safeParse(merged).success).toBe(true);
  });

  it('leaves the tally out when a shard did not count (a result from before it was recorded)', () => {
    expect(mergeResults([shard(0, a), shard(1, undefined)]).health.gc).toBeUndefined();
  });
});
