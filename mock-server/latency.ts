/**
 * Latency models: pure functions from a seeded PRNG to a duration in milliseconds, plus their exact quantiles so
 * tests (and anyone checking a measurement against the truth) know what a model should produce.
 */
import type { Rng } from './prng.js';

export type LatencyModel =
  | { type: 'fixed'; ms: number }
  | { type: 'uniform'; minMs: number; maxMs: number }
  /** Clamped at 0: a negative draw becomes 0 ms (a point mass at 0, visible in the quantiles). */
  | { type: 'normal'; meanMs: number; sdMs: number }
  /** Parameterised by what people quote: the median and the 99th percentile. */
  | { type: 'lognormal'; medianMs: number; p99Ms: number; maxMs?: number }
  /** Heavy tail: P(X > x) = (scale / x)^shape for x ≥ scale. */
  | { type: 'pareto'; scaleMs: number; shape: number; maxMs?: number }
  | { type: 'mixture'; components: Array<{ weight: number; model: LatencyModel }> };

export type Sampler = (rng: Rng) => number;

/** z such that Φ(z) = 0.99. */
const Z_99 = 2.3263478740408408;

export function lognormalSigma(medianMs: number, p99Ms: number): number {
  return (Math.log(p99Ms) - Math.log(medianMs)) / Z_99;
}

/** Compiles a model once so the per-request draw does no parsing or branching on the model type. */
export function compileSampler(model: LatencyModel): Sampler {
  switch (model.type) {
    case 'fixed': {
      const ms = model.ms;
      return () => ms;
    }
    case 'uniform': {
      const { minMs } = model;
      const spanMs = model.maxMs - model.minMs;
      return (rng) => minMs + spanMs * rng.next();
    }
    case 'normal': {
      const { meanMs, sdMs } = model;
      return (rng) => Math.max(0, meanMs + sdMs * rng.normal());
    }
    case 'lognormal': {
      const mu = Math.log(model.medianMs);
      const sigma = lognormalSigma(model.medianMs, model.p99Ms);
      const maxMs = model.maxMs ?? Infinity;
      return (rng) => Math.min(maxMs, Math.exp(mu + sigma * rng.normal()));
    }
    case 'pareto': {
      const { scaleMs } = model;
      const inverseShape = 1 / model.shape;
      const maxMs = model.maxMs ?? Infinity;
      // Inverse CDF with U in (0, 1] so the draw is finite.
      return (rng) => Math.min(maxMs, scaleMs / Math.pow(1 - rng.next(), inverseShape));
    }
    case 'mixture': {
      const total = model.components.reduce((sum, c) => sum + c.weight, 0);
      let cumulative = 0;
      const thresholds = model.components.map((c) => (cumulative += c.weight / total));
      const samplers = model.components.map((c) => compileSampler(c.model));
      const last = samplers.length - 1;
      return (rng) => {
        const u = rng.next();
        let i = 0;
        while (i < last && u >= thresholds[i]!) i++;
        return samplers[i]!(rng);
      };
    }
  }
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7: far below any test tolerance). */
function standardNormalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** P(X ≤ xMs) for the model, including clamps. */
export function cdf(model: LatencyModel, xMs: number): number {
  switch (model.type) {
    case 'fixed':
      return xMs >= model.ms ? 1 : 0;
    case 'uniform':
      if (xMs >= model.maxMs) return 1;
      if (xMs < model.minMs) return 0;
      return (xMs - model.minMs) / (model.maxMs - model.minMs);
    case 'normal':
      if (xMs < 0) return 0;
      return model.sdMs === 0 ? (xMs >= model.meanMs ? 1 : 0) : standardNormalCdf((xMs - model.meanMs) / model.sdMs);
    case 'lognormal': {
      if (xMs >= (model.maxMs ?? Infinity)) return 1;
      if (xMs <= 0) return 0;
      const sigma = lognormalSigma(model.medianMs, model.p99Ms);
      if (sigma === 0) return xMs >= model.medianMs ? 1 : 0;
      return standardNormalCdf((Math.log(xMs) - Math.log(model.medianMs)) / sigma);
    }
    case 'pareto':
      if (xMs >= (model.maxMs ?? Infinity)) return 1;
      return xMs < model.scaleMs ? 0 : 1 - Math.pow(model.scaleMs / xMs, model.shape);
    case 'mixture': {
      const total = model.components.reduce((sum, c) => sum + c.weight, 0);
      return model.components.reduce((sum, c) => sum + (c.weight / total) * cdf(c.model, xMs), 0);
    }
  }
}

/** The smallest x with P(X ≤ x) ≥ q, by bisection on the CDF: exact enough (1 µs) for every model, mixtures included. */
export function quantileMs(model: LatencyModel, q: number): number {
  let lowMs = 0;
  let highMs = 1;
  while (cdf(model, highMs) < q && highMs < 1e9) highMs *= 2;
  while (highMs - lowMs > 1e-3) {
    const midMs = (lowMs + highMs) / 2;
    if (cdf(model, midMs) >= q) highMs = midMs;
    else lowMs = midMs;
  }
  return highMs;
}
