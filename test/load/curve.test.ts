import { describe, expect, it } from 'vitest';
import { concurrencyAt, cumulativeTarget, meanTargetBetween, targetAt, workerShare } from '../../src/load/curve.js';
import { compileStages } from '../../src/scenario/compile.js';

const segments = compileStages([{ hold: 1000, concurrency: 2 }, { ramp: 1000, to: 12 }, { hold: 1000 }], 'closed');

describe('load curve', () => {
  it.each([
    [0, 2],
    [999, 2],
    [1000, 2],
    [1500, 7],
    [1999, 11.99],
    [2000, 12],
    [2999, 12],
    [3000, 0],
    [-1, 0],
  ])('target at %d ms is %d', (t, expected) => {
    expect(targetAt(segments, t)).toBeCloseTo(expected, 6);
  });

  it('rounds a ramp to whole users', () => {
    expect([1000, 1049, 1051, 1500, 1950].map((t) => concurrencyAt(segments, t))).toEqual([2, 2, 3, 7, 12]);
  });

  it.each([
    [10, 3, [4, 3, 3]],
    [2, 3, [1, 1, 0]],
    [0, 2, [0, 0]],
    [7, 1, [7]],
  ])('splits %d across %d workers exactly', (total, workers, shares) => {
    const got = Array.from({ length: workers }, (_, i) => workerShare(total, i, workers));
    expect(got).toEqual(shares);
    expect(got.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it('integrates the curve exactly, ramps included', () => {
    // 2·1000 + (2+12)/2·1000 + 12·1000 = 21000 target·ms
    expect(cumulativeTarget(segments, 3000)).toBeCloseTo(21_000, 6);
    expect(meanTargetBetween(segments, 1000, 2000)).toBeCloseTo(7, 6);
  });
});
