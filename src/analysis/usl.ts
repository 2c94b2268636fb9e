import { rSquared, variance } from 'simple-statistics';
import type { UslFit } from './types.js';

export interface LoadPoint {
  concurrency: number;
  throughput: number;
}

/** Universal Scalability Law: X(N) = λN / (1 + σ(N − 1) + κN(N − 1)). Positional for the fit's inner loop. */
function usl(n: number, sigma: number, kappa: number, lambda: number): number {
  return (lambda * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

/** Throughput the fitted law predicts at concurrency (or load) `n`. */
export function uslThroughput(fit: Pick<UslFit, 'lambda' | 'sigma' | 'kappa'>, n: number): number {
  return usl(n, fit.sigma, fit.kappa, fit.lambda);
}

/** Grid bounds: σ is a share (0..1); κ above 1 would mean throughput collapses from the second user on. */
const SIGMA_STEPS = 100;
const KAPPA_DECADES = { from: -7, to: 0, perDecade: 20 };
const REFINE_ROUNDS = 40;

/**
 * Least-squares USL fit by grid search and refinement. For fixed σ and κ the best λ has a closed form (the
 * model is linear in λ), so the search runs over two dimensions only: a coarse grid (σ linear, κ log-spaced
 * plus 0) finds the basin, then a shrinking local grid refines it. Deterministic, no starting guess to pick,
 * and it cannot diverge the way an unguarded Levenberg–Marquardt step can on three or four points.
 */
export function fitUsl(points: readonly LoadPoint[]): UslFit | undefined {
  const usable = points.filter((p) => p.concurrency > 0 && Number.isFinite(p.throughput));
  if (usable.length < 3) return undefined;

  const evaluate = (sigma: number, kappa: number): { lambda: number; sse: number } => {
    let fx = 0;
    let ff = 0;
    for (const p of usable) {
      const f = usl(p.concurrency, sigma, kappa, 1);
      fx += f * p.throughput;
      ff += f * f;
    }
    const lambda = ff > 0 ? fx / ff : 0;
    let sse = 0;
    for (const p of usable) sse += (p.throughput - lambda * usl(p.concurrency, sigma, kappa, 1)) ** 2;
    return { lambda, sse };
  };

  const kappas = [0];
  for (let i = KAPPA_DECADES.from * KAPPA_DECADES.perDecade; i <= KAPPA_DECADES.to * KAPPA_DECADES.perDecade; i++) {
    kappas.push(10 ** (i / KAPPA_DECADES.perDecade));
  }
  let best = { sigma: 0, kappa: 0, ...evaluate(0, 0) };
  for (let s = 0; s <= SIGMA_STEPS; s++) {
    const sigma = s / SIGMA_STEPS;
    for (const kappa of kappas) {
      const candidate = evaluate(sigma, kappa);
      if (candidate.sse < best.sse) best = { sigma, kappa, ...candidate };
    }
  }

  // Refine: a 5×5 local grid around the best point, shrinking by half each round. κ moves in log space
  // (it spans decades); a κ of 0 is probed alongside so an exact zero can win.
  let sigmaStep = 1 / SIGMA_STEPS;
  let logKappaStep = 1 / KAPPA_DECADES.perDecade;
  for (let round = 0; round < REFINE_ROUNDS; round++) {
    const centre = best;
    const logKappa = centre.kappa > 0 ? Math.log10(centre.kappa) : KAPPA_DECADES.from;
    for (let i = -2; i <= 2; i++) {
      const sigma = Math.min(1, Math.max(0, centre.sigma + i * sigmaStep));
      for (let j = -2; j <= 2; j++) {
        const kappa = 10 ** (logKappa + j * logKappaStep);
        for (const k of centre.kappa > 0 ? [kappa] : [0, kappa]) {
          const candidate = evaluate(sigma, k);
          if (candidate.sse < best.sse) best = { sigma, kappa: k, ...candidate };
        }
      }
    }
    sigmaStep /= 2;
    logKappaStep /= 2;
  }

  const { sigma, kappa, lambda } = best;
  // R² of the fitted curve against the measured throughputs; a flat series leaves nothing to explain.
  const fitted = (n: number) => lambda * usl(n, sigma, kappa, 1);
  const r2 =
    variance(usable.map((p) => p.throughput)) > 0
      ? rSquared(
          usable.map((p) => [p.concurrency, p.throughput]),
          fitted,
        )
      : 1;
  let peakConcurrency: number | null = null;
  let peakThroughput: number | null = null;
  if (kappa > 0 && sigma < 1) {
    peakConcurrency = Math.sqrt((1 - sigma) / kappa);
    peakThroughput = usl(peakConcurrency, sigma, kappa, lambda);
  } else if (sigma > 0) {
    peakThroughput = lambda / sigma;
  }
  return {
    sigma,
    kappa,
    lambda,
    peakConcurrency,
    peakThroughput,
    saturationConcurrency: peakThroughput !== null && lambda > 0 ? peakThroughput / lambda : null,
    r2,
    points: usable.length,
    method:
      'least squares on throughput vs concurrency: λ in closed form, σ and κ by grid search (σ linear, κ log-spaced) and local refinement',
  };
}
