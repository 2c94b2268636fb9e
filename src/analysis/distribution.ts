import { decodeHistogram, type Histogram } from '../shared/histogram.js';
import { recordedBuckets } from '../shared/latency-summary.js';

const US_PER_MS = 1000;

/**
 * A recorded latency distribution read out of an HDR histogram once: its non-empty buckets as parallel
 * arrays, so tail shares, moments and resampling are plain loops. Every figure is in milliseconds.
 */
export interface Distribution {
  count: number;
  /** bucket values (median of each bucket's equivalence range), ascending, ms */
  valuesMs: Float64Array;
  counts: Float64Array;
  /** cumulative counts: cumulative[i] = counts[0] + … + counts[i] */
  cumulative: Float64Array;
  meanMs: number;
  sdMs: number;
  histogram: Histogram;
}

export function distributionOf(histogram: Histogram): Distribution {
  const values: number[] = [];
  const counts: number[] = [];
  for (const bucket of recordedBuckets(histogram)) {
    values.push(bucket.valueUs / US_PER_MS);
    counts.push(bucket.count);
  }
  const cumulative = new Float64Array(counts.length);
  let running = 0;
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    running += counts[i]!;
    cumulative[i] = running;
    sum += counts[i]! * values[i]!;
  }
  const meanMs = running > 0 ? sum / running : 0;
  let squares = 0;
  for (let i = 0; i < counts.length; i++) squares += counts[i]! * (values[i]! - meanMs) ** 2;
  return {
    count: running,
    valuesMs: Float64Array.from(values),
    counts: Float64Array.from(counts),
    cumulative,
    meanMs,
    sdMs: running > 1 ? Math.sqrt(squares / (running - 1)) : 0,
    histogram,
  };
}

export function decodeDistribution(encoded: string | undefined): Distribution | undefined {
  if (!encoded) return undefined;
  const distribution = distributionOf(decodeHistogram(encoded));
  return distribution.count > 0 ? distribution : undefined;
}

/**
 * Share of recorded values above a timeout: a value counts as cut when its bucket lies above the timeout.
 * Exact up to the histogram's resolution (3 significant digits: a bucket straddling the timeout is judged by
 * its median value).
 */
export function shareAboveMs(distribution: Distribution, timeoutMs: number): number {
  if (distribution.count === 0) return 0;
  // Binary search for the first bucket above the timeout.
  let lo = 0;
  let hi = distribution.valuesMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (distribution.valuesMs[mid]! > timeoutMs) hi = mid;
    else lo = mid + 1;
  }
  const below = lo === 0 ? 0 : distribution.cumulative[lo - 1]!;
  return (distribution.count - below) / distribution.count;
}

/** The value at quantile q (0..1), as HDR reads it (the highest value equivalent to the rank's bucket). */
export function quantileMs(distribution: Distribution, q: number): number {
  return distribution.histogram.getValueAtPercentile(q * 100) / US_PER_MS;
}

/** Mean absolute deviation around the mean: the steady state of RFC 6298's RTTVAR. */
export function meanAbsoluteDeviationMs(distribution: Distribution): number {
  if (distribution.count === 0) return 0;
  let sum = 0;
  for (let i = 0; i < distribution.counts.length; i++)
    sum += distribution.counts[i]! * Math.abs(distribution.valuesMs[i]! - distribution.meanMs);
  return sum / distribution.count;
}

/**
 * A sampler drawing from the bucket distribution: picks a bucket with probability count/total (inverse CDF by
 * binary search), then a value uniformly within ±half the bucket's resolution so resamples are not lumpy.
 */
export function samplerOf(distribution: Distribution): (random: () => number) => number {
  const { cumulative, valuesMs, count } = distribution;
  const last = valuesMs.length - 1;
  return (random) => {
    const rank = random() * count;
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > rank) hi = mid;
      else lo = mid + 1;
    }
    const value = valuesMs[lo]!;
    // HDR buckets at 3 significant digits are ~0.1% wide; spread within that width.
    return Math.max(0, value * (1 + (random() - 0.5) * 0.001));
  };
}
