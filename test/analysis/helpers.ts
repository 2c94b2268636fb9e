import { createHistogram, encodeHistogram, recordUs } from '../../src/shared/histogram.js';
import { createRandom } from '../../src/shared/random.js';

/** Lognormal draws (ms) by Box–Muller from a seeded PRNG, with the median and p99 named as a profile would. */
export function lognormalMs(count: number, medianMs: number, p99Ms: number, seed: number): number[] {
  const random = createRandom(seed);
  const sigma = Math.log(p99Ms / medianMs) / 2.3263478740408408;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    out.push(medianMs * Math.exp(sigma * z));
  }
  return out;
}

export function encodeMs(valuesMs: readonly number[]): string {
  const histogram = createHistogram();
  for (const v of valuesMs) recordUs(histogram, v * 1000);
  return encodeHistogram(histogram);
}
