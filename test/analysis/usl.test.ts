import { describe, expect, it } from 'vitest';
import { fitUsl, uslThroughput } from '../../src/analysis/usl.js';

describe('fitUsl', () => {
  const loads = [1, 2, 4, 8, 16, 32, 64];
  it.each([
    { sigma: 0.05, kappa: 0.002, lambda: 100 },
    { sigma: 0.2, kappa: 0.0005, lambda: 40 },
    { sigma: 0.01, kappa: 0.01, lambda: 250 },
    { sigma: 0.1, kappa: 0, lambda: 10 },
  ])('recovers σ=$sigma κ=$kappa λ=$lambda from exact USL points', ({ sigma, kappa, lambda }) => {
    const fit = fitUsl(loads.map((n) => ({ concurrency: n, throughput: uslThroughput({ sigma, kappa, lambda }, n) })))!;
    expect(fit.sigma).toBeCloseTo(sigma, 3);
    expect(fit.kappa).toBeCloseTo(kappa, 5);
    expect(fit.lambda / lambda).toBeCloseTo(1, 3);
    expect(fit.r2).toBeGreaterThan(0.9999);
    if (kappa > 0) expect(fit.peakConcurrency!).toBeCloseTo(Math.sqrt((1 - sigma) / kappa), 1);
    else expect(fit.peakConcurrency).toBeNull();
  });

  it('names the slot count as the saturation point of a hard-capacity curve, and N* past it', () => {
    // 4 slots of ~45 ms: throughput rises linearly to 4 and stays flat. A smooth USL curve peaks well past
    // the corner; where its linear rise meets its peak is the corner itself.
    const fit = fitUsl([1, 2, 4, 8, 12, 16].map((n) => ({ concurrency: n, throughput: Math.min(n, 4) * 22.4 })))!;
    expect(fit.saturationConcurrency!).toBeGreaterThan(3.2);
    expect(fit.saturationConcurrency!).toBeLessThan(4.8);
    expect(fit.peakConcurrency!).toBeGreaterThan(6);
  });

  // Exact outputs recorded before R² was computed with simple-statistics (rSquared, variance): the same to ~1e-12.
  it.each([
    {
      name: 'noisy points around σ=0.08 κ=0.001',
      points: [1, 2, 4, 8, 16, 32].map((n, i) => ({
        concurrency: n,
        throughput: uslThroughput({ sigma: 0.08, kappa: 0.001, lambda: 50 }, n) * (1 + [0.03, -0.02, 0.01, -0.04, 0.02, -0.01][i]!),
      })),
      expected: { sigma: 0.07233633137773725, kappa: 0.0011169959543505497, lambda: 48.35211666232175, r2: 0.9982031074055397 },
    },
    {
      name: 'a hard-capacity corner',
      points: [1, 2, 4, 8, 12, 16].map((n) => ({ concurrency: n, throughput: Math.min(n, 4) * 22.4 })),
      expected: { sigma: 0.08455642089247704, kappa: 0.012197699471543023, lambda: 27.405322267145053, r2: 0.9417904393762346 },
    },
    {
      name: 'a flat series (nothing to explain: R² 1)',
      points: [1, 2, 4].map((n) => ({ concurrency: n, throughput: 30 })),
      expected: { sigma: 1, kappa: 0, lambda: 30, r2: 1 },
    },
  ])('fits $name exactly as before', ({ points, expected }) => {
    const fit = fitUsl(points)!;
    for (const [key, value] of Object.entries(expected)) expect(fit[key as keyof typeof expected]).toBeCloseTo(value, 12);
  });

  it('needs three load levels', () => {
    expect(
      fitUsl([
        { concurrency: 1, throughput: 10 },
        { concurrency: 2, throughput: 19 },
      ]),
    ).toBeUndefined();
  });
});
