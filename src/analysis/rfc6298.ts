import type { Rfc6298Estimate } from './types.js';
import { meanAbsoluteDeviationMs, type Distribution } from './distribution.js';

/** RFC 6298 §2 constants: gains α = 1/8, β = 1/4, K = 4; the 1 s lower bound of §2.4. */
export const RFC6298 = { alpha: 1 / 8, beta: 1 / 4, k: 4, minRtoMs: 1000, clockGranularityMs: 1 } as const;

export interface RtoState {
  srttMs: number;
  rttvarMs: number;
  rtoMs: number;
}

/**
 * One step of the RFC 6298 estimator: the first measurement seeds SRTT = R and RTTVAR = R/2 (§2.2), each later
 * one updates RTTVAR before SRTT (§2.3, the order matters). RTO here is unfloored; callers apply §2.4's floor.
 */
export function rtoUpdate(state: RtoState | undefined, sampleMs: number): RtoState {
  const { alpha, beta, k, clockGranularityMs } = RFC6298;
  if (!state) {
    const rttvarMs = sampleMs / 2;
    return { srttMs: sampleMs, rttvarMs, rtoMs: sampleMs + Math.max(clockGranularityMs, k * rttvarMs) };
  }
  const rttvarMs = (1 - beta) * state.rttvarMs + beta * Math.abs(state.srttMs - sampleMs);
  const srttMs = (1 - alpha) * state.srttMs + alpha * sampleMs;
  return { srttMs, rttvarMs, rtoMs: srttMs + Math.max(clockGranularityMs, k * rttvarMs) };
}

/**
 * The estimate a connection that had seen this whole distribution would settle at. A histogram has lost the
 * order of its samples, so instead of running the recursion over an arbitrary order we take its steady state:
 * SRTT, an exponentially weighted mean, tends to the mean; RTTVAR, a weighted mean of |SRTT − R|, to the mean
 * absolute deviation.
 */
export function rfc6298Estimate(distribution: Distribution): Rfc6298Estimate {
  const srttMs = distribution.meanMs;
  const rttvarMs = meanAbsoluteDeviationMs(distribution);
  const rtoMs = srttMs + Math.max(RFC6298.clockGranularityMs, RFC6298.k * rttvarMs);
  return { srttMs, rttvarMs, rtoMs, rtoFlooredMs: Math.max(RFC6298.minRtoMs, rtoMs) };
}
