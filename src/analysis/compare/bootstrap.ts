import type { RunResult } from '../../result/types.js';
import { intervalBuckets, mergeInto, percentilesOf, type IntervalBuckets } from './sparse.js';
import { normalDraw } from './stats.js';
import { createRandom } from '../../shared/random.js';
import type { ComparableMetric } from '../../metrics/grammar/compare-rule.js';

/** One run reduced to what resampling needs: per-interval histograms on a shared axis, and per-interval counts. */
export interface RunSample {
  metrics: Partial<Record<ComparableMetric, IntervalBuckets>>;
  /** interval indices grouped by load stage, in time order: resampling stays within a stage */
  strata: Uint32Array[];
  requests: Float64Array;
  errors: Float64Array;
  spanMs: Float64Array;
}

export function runSample(result: RunResult, metrics: readonly ComparableMetric[]): RunSample {
  const intervals = result.intervals;
  const byStage = new Map<number, number[]>();
  intervals.forEach((interval, i) => byStage.set(interval.stage, [...(byStage.get(interval.stage) ?? []), i]));
  const sample: RunSample = {
    metrics: {},
    strata: [...byStage.values()].map((indices) => Uint32Array.from(indices)),
    requests: Float64Array.from(intervals.map((i) => i.requests)),
    errors: Float64Array.from(intervals.map((i) => i.errors)),
    spanMs: Float64Array.from(intervals.map((i) => Math.max(i.endMs - i.startMs, 1))),
  };
  for (const metric of metrics) sample.metrics[metric] = intervalBuckets(intervals.map((i) => i.histograms[metric]));
  return sample;
}

/** What one (re)sample of a run gives: percentile values (µs) per metric, throughput (req/s), error share. */
export interface SampleStats {
  percentilesUs: Partial<Record<ComparableMetric, number[]>>;
  throughput: number;
  errorRate: number;
}

export type PercentileWants = Partial<Record<ComparableMetric, readonly number[]>>;

/** The statistics of the multiset of intervals `chosen` (indices may repeat). */
export function statsOf(
  sample: RunSample,
  chosen: ArrayLike<number>,
  wants: PercentileWants,
  scratch: Map<ComparableMetric, Float64Array>,
): SampleStats {
  let requests = 0;
  let errors = 0;
  let spanMs = 0;
  for (let i = 0; i < chosen.length; i++) {
    requests += sample.requests[chosen[i]!]!;
    errors += sample.errors[chosen[i]!]!;
    spanMs += sample.spanMs[chosen[i]!]!;
  }
  const percentilesUs: SampleStats['percentilesUs'] = {};
  for (const [metric, percentiles] of Object.entries(wants) as [ComparableMetric, number[]][]) {
    const buckets = sample.metrics[metric];
    if (!buckets) continue;
    let counts = scratch.get(metric);
    if (!counts) scratch.set(metric, (counts = new Float64Array(buckets.values.length)));
    mergeInto(counts, buckets, chosen);
    percentilesUs[metric] = percentilesOf(buckets.values, counts, percentiles);
  }
  return { percentilesUs, throughput: spanMs > 0 ? (requests / spanMs) * 1000 : 0, errorRate: requests > 0 ? errors / requests : 0 };
}

/**
 * Moving-block bootstrap over intervals: draws blocks of `blockLength` consecutive intervals until n are chosen.
 * Requests of a closed-model run are not independent (a slow response delays that worker's next request, and a
 * hiccup of the runner or the target hits every request in flight), so resampling whole intervals — and runs of
 * adjacent intervals — keeps that dependence inside each draw instead of pretending every request is a fresh coin.
 */
export function blockResample(n: number, blockLength: number, random: () => number): Uint32Array {
  const chosen = new Uint32Array(n);
  const length = Math.min(Math.max(1, blockLength), n);
  const starts = n - length + 1;
  let filled = 0;
  while (filled < n) {
    const start = Math.floor(random() * starts);
    for (let k = 0; k < length && filled < n; k++) chosen[filled++] = start + k;
  }
  return chosen;
}

/** Block length for n intervals: the usual n^(1/3) rate, at least 1. */
export function blockLengthFor(n: number): number {
  return Math.max(1, Math.round(Math.cbrt(n)));
}

export interface BootstrapOptions {
  replicates: number;
  seed: number;
}

/**
 * One stratified draw: a block resample inside each stage, so every replicate keeps the run's mix of load
 * levels (a warm-up at concurrency 4 beside a hold at 8 would otherwise swing throughput by the mix alone).
 */
export function stratifiedResample(strata: readonly Uint32Array[], random: () => number): Uint32Array {
  const total = strata.reduce((n, s) => n + s.length, 0);
  const chosen = new Uint32Array(total);
  let offset = 0;
  for (const stratum of strata) {
    const local = blockResample(stratum.length, blockLengthFor(stratum.length), random);
    for (let k = 0; k < local.length; k++) chosen[offset + k] = stratum[local[k]!]!;
    offset += local.length;
  }
  return chosen;
}

/** Replicates of both runs' statistics, drawn independently per run from one seeded stream. */
export function blockBootstrap(
  baseline: RunSample,
  current: RunSample,
  wants: PercentileWants,
  options: BootstrapOptions,
): { baseline: SampleStats[]; current: SampleStats[] } {
  const random = createRandom(options.seed);
  const scratchBaseline = new Map<ComparableMetric, Float64Array>();
  const scratchCurrent = new Map<ComparableMetric, Float64Array>();
  const out = { baseline: [] as SampleStats[], current: [] as SampleStats[] };
  for (let r = 0; r < options.replicates; r++) {
    out.baseline.push(statsOf(baseline, stratifiedResample(baseline.strata, random), wants, scratchBaseline));
    out.current.push(statsOf(current, stratifiedResample(current.strata, random), wants, scratchCurrent));
  }
  return out;
}

/**
 * The fallback when a run has too few intervals to resample: requests are treated as independent. The bootstrap
 * distribution of the p-quantile of N iid draws is that of the empirical quantile at rank p ± √(p(1−p)/N)·Z
 * (the order statistic's Beta law, normal for large N), so each replicate reads one perturbed rank.
 * Throughput is treated as a Poisson count. Narrower than the truth when requests are correlated — said in the output.
 */
export function iidBootstrap(sample: RunSample, wants: PercentileWants, options: BootstrapOptions & { seedOffset: number }): SampleStats[] {
  const random = createRandom(options.seed + options.seedOffset);
  const all = Uint32Array.from(sample.requests.map((_, i) => i));
  const whole = statsOf(sample, all, {}, new Map());
  let requests = 0;
  let spanMs = 0;
  for (let i = 0; i < sample.requests.length; i++) {
    requests += sample.requests[i]!;
    spanMs += sample.spanMs[i]!;
  }
  const merged = new Map<ComparableMetric, Float64Array>();
  for (const metric of Object.keys(wants) as ComparableMetric[]) {
    const buckets = sample.metrics[metric];
    if (!buckets) continue;
    const counts = new Float64Array(buckets.values.length);
    mergeInto(counts, buckets, all);
    merged.set(metric, counts);
  }
  const replicates: SampleStats[] = [];
  for (let r = 0; r < options.replicates; r++) {
    const percentilesUs: SampleStats['percentilesUs'] = {};
    for (const [metric, percentiles] of Object.entries(wants) as [ComparableMetric, number[]][]) {
      const counts = merged.get(metric);
      const buckets = sample.metrics[metric];
      if (!counts || !buckets) continue;
      let n = 0;
      for (let j = 0; j < counts.length; j++) n += counts[j]!;
      percentilesUs[metric] = percentiles.map((p) => {
        const q = p / 100;
        const shifted = Math.min(Math.max(q + Math.sqrt((q * (1 - q)) / Math.max(n, 1)) * normalDraw(random), 1e-9), 1 - 1e-9);
        return percentilesOf(buckets.values, counts, [shifted * 100])[0]!;
      });
    }
    const drawn = Math.max(0, requests + Math.sqrt(requests) * normalDraw(random));
    replicates.push({ percentilesUs, throughput: spanMs > 0 ? (drawn / spanMs) * 1000 : 0, errorRate: whole.errorRate });
  }
  return replicates;
}
