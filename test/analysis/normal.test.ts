import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from '../../src/analysis/compare/stats.js';
import { twoProportionTest } from '../../src/analysis/compare/proportion.js';

// Φ and Φ⁻¹ to 16 digits (standard tables): the truth the approximations are held to.
const PHI: [z: number, phi: number][] = [
  [0.5, 0.6914624612740131],
  [1, 0.8413447460685429],
  [1.96, 0.9750021048517795],
  [2.5, 0.9937903346742238],
  [3, 0.9986501019683699],
  [4, 0.9999683287581669],
];
const PHI_INVERSE: [p: number, z: number][] = [
  [0.9, 1.2815515655446004],
  [0.975, 1.959963984540054],
  [0.99, 2.3263478740408408],
  [0.995, 2.5758293035489004],
  [0.999, 3.090232306167813],
  [0.9995, 3.2905267314918945],
];

describe('the standard normal distribution', () => {
  it.each(PHI)("Φ(%d) within A&S 7.1.26's bound of 1.5e-7, on both sides", (z, phi) => {
    expect(Math.abs(normalCdf(z) - phi)).toBeLessThan(1.5e-7);
    expect(Math.abs(normalCdf(-z) - (1 - phi))).toBeLessThan(1.5e-7);
  });

  it.each(PHI_INVERSE)("Φ⁻¹(%d) within Acklam's relative error of 1.2e-9, on both sides", (p, z) => {
    expect(Math.abs(normalQuantile(p) - z) / z).toBeLessThan(1.2e-9);
    expect(Math.abs(normalQuantile(1 - p) + z) / z).toBeLessThan(1.2e-9);
  });
});

describe('two-proportion test: exact outputs recorded before summing with simple-statistics', () => {
  it('gives the same rates, interval, p-value and dispersions to the last digit', () => {
    const test = twoProportionTest(
      { errors: [1, 0, 2, 0], requests: [250, 240, 260, 250] },
      { errors: [3, 9, 1, 4], requests: [250, 250, 250, 250] },
      1.96,
    );
    expect(test).toEqual({
      baselineRate: 0.003,
      currentRate: 0.017,
      differencePp: 1.4000000000000001,
      ciPp: [0.016916562577732816, 2.7830834374222677],
      pValue: 0.02480093086455626,
      dispersion: { baseline: 1.1573181081706658, current: 2.7726248179841626 },
    });
  });
});
