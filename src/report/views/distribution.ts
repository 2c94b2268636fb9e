import { decodeHistogram, type Histogram } from '../../shared/histogram.js';
import { recordedBuckets } from '../../shared/latency-summary.js';

/** One point of a percentile spectrum: the latency at a percentile, and where it sits on the "nines" axis. */
export interface SpectrumPoint {
  /** 0..100 */
  percentile: number;
  /** 1 / (1 − p): 1 at the median's left edge, 10 at p90, 100 at p99, 1000 at p99.9 … */
  nines: number;
  ms: number;
}

/** Steps per factor of ten on the nines axis: smooth enough to show a step in the tail, small enough to ship. */
const STEPS_PER_DECADE = 12;

/**
 * The percentile spectrum as HdrHistogram plots it: latency against 1/(1−p) on a log axis, so that each
 * added nine gets the same width. The walk stops where the sample runs out of resolution (1/(1−p) beyond
 * the count: there is no p99.99 in 1,000 requests), and ends at the maximum.
 */
export function spectrumPoints(histogram: Histogram): SpectrumPoint[] {
  const count = histogram.totalCount;
  if (count === 0) return [];
  const points: SpectrumPoint[] = [];
  for (let step = 0; ; step++) {
    const nines = 10 ** (step / STEPS_PER_DECADE);
    if (nines > count) break;
    const percentile = 100 * (1 - 1 / nines);
    points.push({ percentile, nines, ms: histogram.getValueAtPercentile(percentile) / 1000 });
  }
  // The maximum is the value at the last sample: 1/(1−p) = count.
  const last = points.at(-1);
  if (!last || last.nines < count) points.push({ percentile: 100 * (1 - 1 / count), nines: count, ms: histogram.maxValue / 1000 });
  return points;
}

export function spectrumOfEncoded(encoded: string | undefined): SpectrumPoint[] {
  return encoded ? spectrumPoints(decodeHistogram(encoded)) : [];
}

/** Tick values for the nines axis up to the largest point: 1, 10, 100 … */
export function ninesTicks(maxNines: number): number[] {
  const ticks: number[] = [];
  for (let tick = 1; tick <= Math.max(maxNines, 10) * 1.0001; tick *= 10) ticks.push(tick);
  return ticks;
}

/** One point of a cumulative distribution: the share of requests that took at most `ms`. */
export interface CdfPoint {
  ms: number;
  share: number;
}

/** Points per factor of ten of latency: enough that a candidate timeout sits visibly on the curve. */
const CDF_STEPS_PER_DECADE = 40;

/**
 * The empirical CDF from a histogram's buckets, thinned to log-spaced latencies so that a million-request
 * histogram ships as a few hundred points. Each kept point is exact (the cumulative count at its bucket).
 */
export function cdfPoints(histogram: Histogram): CdfPoint[] {
  const total = histogram.totalCount;
  if (total === 0) return [];
  const points: CdfPoint[] = [];
  let seen = 0;
  let nextLog = -Infinity;
  for (const bucket of recordedBuckets(histogram)) {
    seen += bucket.count;
    const ms = bucket.valueUs / 1000;
    const log = Math.log10(Math.max(ms, 1e-3));
    if (log >= nextLog || seen === total) {
      points.push({ ms, share: seen / total });
      nextLog = log + 1 / CDF_STEPS_PER_DECADE;
    }
  }
  return points;
}
