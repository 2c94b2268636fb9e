import type { Histogram } from './histogram.js';

/** Percentiles of one distribution, in fractional milliseconds (histograms hold microseconds). */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

const US_PER_MS = 1000;

export const EMPTY_SUMMARY: LatencySummary = Object.freeze({
  count: 0,
  min: 0,
  mean: 0,
  p50: 0,
  p90: 0,
  p95: 0,
  p99: 0,
  p999: 0,
  max: 0,
});

export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { ...EMPTY_SUMMARY };
  const at = (percentile: number): number => histogram.getValueAtPercentile(percentile) / US_PER_MS;
  return {
    count,
    min: histogram.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : histogram.minNonZeroValue / US_PER_MS,
    mean: histogram.mean / US_PER_MS,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: histogram.maxValue / US_PER_MS,
  };
}

/**
 * Non-empty buckets, ascending, each as the median value of its equivalence range and its count.
 * The median (not the bucket's upper edge) keeps resampled means unbiased.
 */
export function* recordedBuckets(histogram: Histogram): Generator<{ valueUs: number; count: number }> {
  const length = histogram.countsArrayLength;
  let seen = 0;
  const total = histogram.totalCount;
  for (let index = 0; index < length && seen < total; index++) {
    const count = histogram.getCountAtIndex(index);
    if (count === 0) continue;
    seen += count;
    yield { valueUs: histogram.medianEquivalentValue(histogram.valueFromIndex(index)), count };
  }
}
