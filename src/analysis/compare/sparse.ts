import { decodeHistogram } from '../../shared/histogram.js';
import { recordedBuckets } from '../../shared/latency-summary.js';

/**
 * The histograms of one run's intervals on a shared value axis: `values[j]` is the representative value (µs) of
 * bucket j, and each interval keeps only its non-empty buckets as (bucket index, count) pairs. Resampled
 * intervals then merge by adding counts into one array: the exact histogram merge, without re-encoding.
 */
export interface IntervalBuckets {
  values: Float64Array;
  intervals: { indices: Uint32Array; counts: Float64Array }[];
}

export function intervalBuckets(encoded: readonly (string | undefined)[]): IntervalBuckets {
  const decoded = encoded.map((e) => (e ? [...recordedBuckets(decodeHistogram(e))] : []));
  const distinct = [...new Set(decoded.flatMap((buckets) => buckets.map((b) => b.valueUs)))].sort((a, b) => a - b);
  const indexOf = new Map(distinct.map((value, index) => [value, index]));
  return {
    values: Float64Array.from(distinct),
    intervals: decoded.map((buckets) => ({
      indices: Uint32Array.from(buckets.map((b) => indexOf.get(b.valueUs)!)),
      counts: Float64Array.from(buckets.map((b) => b.count)),
    })),
  };
}

/** Adds the chosen intervals' counts (a multiset: an interval drawn twice counts twice) into `into`. */
export function mergeInto(into: Float64Array, buckets: IntervalBuckets, chosen: ArrayLike<number>): void {
  into.fill(0);
  for (let i = 0; i < chosen.length; i++) {
    const interval = buckets.intervals[chosen[i]!]!;
    for (let j = 0; j < interval.indices.length; j++) into[interval.indices[j]!]! += interval.counts[j]!;
  }
}

/**
 * Values (µs) at ascending percentiles of counts over `values`, read as HDR does: the smallest value whose
 * cumulative count reaches ceil(p/100 × total). NaN when the counts are empty.
 */
export function percentilesOf(values: Float64Array, counts: Float64Array, ascendingPercentiles: readonly number[]): number[] {
  let total = 0;
  for (let j = 0; j < counts.length; j++) total += counts[j]!;
  const out: number[] = [];
  if (total === 0) return ascendingPercentiles.map(() => NaN);
  let cumulative = 0;
  let j = -1;
  for (const p of ascendingPercentiles) {
    // The epsilon keeps 0.9 × 1000 = 900.0000000000001 from rounding up to rank 901.
    const rank = Math.max(1, Math.ceil((p / 100) * total - 1e-9));
    while (cumulative < rank && j < counts.length - 1) cumulative += counts[++j]!;
    out.push(values[Math.max(j, 0)]!);
  }
  return out;
}
