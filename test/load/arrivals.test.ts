import { describe, expect, it } from 'vitest';
import { timeAtCumulativeArrivals, totalArrivals } from '../../src/load/arrivals.js';
import { compileStages } from '../../src/scenario/compile.js';

describe('open-model arrivals', () => {
  it('spaces a constant rate evenly from time zero', () => {
    const segments = compileStages([{ hold: 1000, rate: 10 }], 'open');
    expect([0, 1, 2, 9].map((n) => timeAtCumulativeArrivals(segments, n))).toEqual([0, 100, 200, 900]);
    expect(timeAtCumulativeArrivals(segments, 10)).toBeUndefined();
    expect(totalArrivals(segments)).toBe(10);
  });

  it('places ramp arrivals where the integrated rate reaches them', () => {
    // 0→20/s over 1 s: A(t) = 10·t² (t in s), so arrival n at t = √(n/10) s.
    const segments = compileStages([{ ramp: 1000, to: 20 }], 'open');
    for (const n of [1, 2, 5, 9]) expect(timeAtCumulativeArrivals(segments, n)).toBeCloseTo(Math.sqrt(n / 10) * 1000, 6);
    expect(totalArrivals(segments)).toBeCloseTo(10, 9);
  });

  it('crosses segment boundaries without losing or adding arrivals', () => {
    const segments = compileStages(
      [
        { hold: 500, rate: 4 },
        { hold: 500, rate: 8 },
      ],
      'open',
    );
    // 2 arrivals in the first half (0, 250 ms), then every 125 ms.
    expect([0, 1, 2, 3, 4, 5].map((n) => timeAtCumulativeArrivals(segments, n))).toEqual([0, 250, 500, 625, 750, 875]);
    expect(timeAtCumulativeArrivals(segments, 6)).toBeUndefined();
  });
});
