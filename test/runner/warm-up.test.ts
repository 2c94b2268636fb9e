import { describe, expect, it } from 'vitest';
import { warmUpShare } from '../../src/runner/warm-up.js';
import { parseScenario } from '../../src/scenario/read.js';
import type { Segment } from '../../src/load/types.js';

const segment = (from: number, to: number): Segment => ({
  index: 0,
  name: 's',
  kind: from === to ? 'hold' : 'ramp',
  startMs: 0,
  endMs: 10_000,
  from,
  to,
});

describe('the warm-up load of one worker', () => {
  // [what, model, first segment, worker index, worker count, share]
  it.each([
    ['a hold: its concurrency, split like the run', 'closed', segment(8, 8), 0, 2, { users: 4 }],
    ['an odd hold: the first worker takes the extra user', 'closed', segment(5, 5), 0, 2, { users: 3 }],
    ['an odd hold, second worker', 'closed', segment(5, 5), 1, 2, { users: 2 }],
    ['a ramp from zero: one user per worker', 'closed', segment(0, 64), 1, 2, { users: 1 }],
    ['an open hold: its rate, split', 'open', segment(100, 100), 0, 4, { ratePerSec: 25 }],
    ['an open ramp from zero: a few arrivals a second, not the peak', 'open', segment(0, 1000), 0, 2, { ratePerSec: 10 }],
    ['an open ramp to a low rate: that rate', 'open', segment(0, 6), 0, 2, { ratePerSec: 3 }],
  ] as const)('%s', (_what, model, first, workerIndex, workerCount, share) => {
    expect(warmUpShare({ model, segments: [first] }, workerIndex, workerCount)).toEqual(share);
  });
});

describe('the warmup scenario field', () => {
  const scenario = (hold: string, warmup?: string) =>
    parseScenario(
      `name: w\ntarget: { url: "http://127.0.0.1:1" }\nrequests: [{ name: r, path: / }]\nload: { closed: [{ hold: ${hold}, concurrency: 1 }] }\n${warmup === undefined ? '' : `warmup: ${warmup}\n`}`,
      'w.yaml',
      {},
    );
  // [hold, warmup as written, warm-up ms]
  it.each([
    ['2s', undefined, 2000],
    ['59s', undefined, 2000],
    ['60s', undefined, 0],
    ['10m', undefined, 0],
    ['2s', '0s', 0],
    ['10m', '5s', 5000],
  ] as const)('a %s run with warmup %s warms up for %i ms', (hold, warmup, ms) => {
    expect(scenario(hold, warmup).warmupMs).toBe(ms);
  });
});
