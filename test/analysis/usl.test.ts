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

  it('needs three load levels', () => {
    expect(fitUsl([{ concurrency: 1, throughput: 10 }, { concurrency: 2, throughput: 19 }])).toBeUndefined();
  });
});
