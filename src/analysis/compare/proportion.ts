import { sum as sumOf } from 'simple-statistics';
import { normalCdf } from './stats.js';

/** Errors and requests per interval of one run. */
export interface IntervalCounts {
  errors: ArrayLike<number>;
  requests: ArrayLike<number>;
}

/**
 * Overdispersion of a run's error counts across intervals (quasi-binomial φ = Pearson χ² / (k − 1), at least 1).
 * Errors in a closed-model run cluster in time — an outage fails every request in flight — so the binomial
 * variance understates the uncertainty; multiplying it by φ restores what the intervals actually show.
 */
export function dispersion(counts: IntervalCounts): number {
  let errors = 0;
  let requests = 0;
  let k = 0;
  for (let i = 0; i < counts.requests.length; i++) {
    if (counts.requests[i]! <= 0) continue;
    errors += counts.errors[i]!;
    requests += counts.requests[i]!;
    k += 1;
  }
  const p = requests > 0 ? errors / requests : 0;
  if (k < 2 || p === 0 || p === 1) return 1;
  let chi2 = 0;
  for (let i = 0; i < counts.requests.length; i++) {
    const n = counts.requests[i]!;
    if (n <= 0) continue;
    const expected = n * p;
    chi2 += (counts.errors[i]! - expected) ** 2 / (expected * (1 - p));
  }
  return Math.max(1, chi2 / (k - 1));
}

export interface ProportionTest {
  baselineRate: number;
  currentRate: number;
  /** current − baseline, in percentage points */
  differencePp: number;
  ciPp: [number, number];
  /** two-sided */
  pValue: number;
  dispersion: { baseline: number; current: number };
}

/**
 * Two-proportion z-test (pooled under H0) with each run's variance scaled by its dispersion, and a Wald interval
 * for the difference (unpooled). z is the normal quantile of the confidence level (1.96 for 95%).
 */
export function twoProportionTest(baseline: IntervalCounts, current: IntervalCounts, z: number): ProportionTest {
  const sum = (values: ArrayLike<number>) => sumOf(Array.from(values));
  const eb = sum(baseline.errors);
  const nb = sum(baseline.requests);
  const ec = sum(current.errors);
  const nc = sum(current.requests);
  const pb = nb > 0 ? eb / nb : 0;
  const pc = nc > 0 ? ec / nc : 0;
  const phiB = dispersion(baseline);
  const phiC = dispersion(current);
  const difference = pc - pb;
  const pooled = nb + nc > 0 ? (eb + ec) / (nb + nc) : 0;
  const se0 = Math.sqrt(pooled * (1 - pooled) * (phiB / Math.max(nb, 1) + phiC / Math.max(nc, 1)));
  const pValue = se0 > 0 ? 2 * (1 - normalCdf(Math.abs(difference) / se0)) : difference === 0 ? 1 : 0;
  const se = Math.sqrt((phiB * pb * (1 - pb)) / Math.max(nb, 1) + (phiC * pc * (1 - pc)) / Math.max(nc, 1));
  return {
    baselineRate: pb,
    currentRate: pc,
    differencePp: difference * 100,
    ciPp: [(difference - z * se) * 100, (difference + z * se) * 100],
    pValue: Math.min(1, Math.max(0, pValue)),
    dispersion: { baseline: phiB, current: phiC },
  };
}
