import { describe, expect, it } from 'vitest';
import { createHistogram, recordUs } from '../../src/shared/histogram.js';
import { cdfPoints, ninesTicks, spectrumPoints } from '../../src/report/views/distribution.js';

/** 10,000 requests at 1, 2, … 10,000 µs: the value at percentile p is p% of 10 ms, within HDR's 0.1%. */
function uniform(): ReturnType<typeof createHistogram> {
  const histogram = createHistogram();
  for (let us = 1; us <= 10_000; us++) recordUs(histogram, us);
  return histogram;
}

describe('percentile spectrum', () => {
  it('places p90, p99 and p99.9 at 10, 100 and 1000 on the nines axis with their values', () => {
    const points = spectrumPoints(uniform());
    const at = (nines: number) => points.find((p) => Math.abs(p.nines - nines) < 1e-9)!;
    expect(at(1).ms).toBeCloseTo(0.001, 3);
    expect(at(10).percentile).toBeCloseTo(90, 9);
    expect(at(10).ms).toBeCloseTo(9, 1);
    expect(at(100).ms).toBeCloseTo(9.9, 1);
    expect(at(1000).ms).toBeCloseTo(9.99, 1);
  });

  it('stops where the sample runs out of nines and ends at the maximum', () => {
    const points = spectrumPoints(uniform());
    expect(Math.max(...points.map((p) => p.nines))).toBe(10_000);
    expect(points.at(-1)!.ms).toBeCloseTo(10, 1);
    for (let i = 1; i < points.length; i++) expect(points[i]!.ms).toBeGreaterThanOrEqual(points[i - 1]!.ms);
    expect(spectrumPoints(createHistogram())).toEqual([]);
  });

  it('ticks the nines axis at powers of ten', () => {
    expect(ninesTicks(10_000)).toEqual([1, 10, 100, 1000, 10_000]);
    expect(ninesTicks(3)).toEqual([1, 10]);
  });
});

describe('latency CDF', () => {
  it('keeps exact cumulative shares at log-spaced latencies and ends at 1', () => {
    const points = cdfPoints(uniform());
    expect(points.length).toBeLessThan(250);
    expect(points.at(-1)!.share).toBe(1);
    const near5ms = points.reduce((best, p) => (Math.abs(p.ms - 5) < Math.abs(best.ms - 5) ? p : best));
    expect(near5ms.share).toBeCloseTo(near5ms.ms / 10, 2);
    for (let i = 1; i < points.length; i++) expect(points[i]!.share).toBeGreaterThan(points[i - 1]!.share);
  });
});
