/**
 * Seeded pseudo-random numbers. Every random draw in the mock server comes from here so that a profile and a
 * seed reproduce the same latencies and faults run after run.
 */
import { createRandom } from '../src/shared/random.js';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (mean 0, sd 1). */
  normal(): number;
}

/**
 * mulberry32 (the project's one PRNG, src/random.ts): 32-bit state, one multiply-xorshift round per draw.
 * Small and fast; its statistical quality is ample for latency injection (believable distributions, not
 * cryptography).
 */
export function createRng(seed: number): Rng {
  const next = createRandom(seed);
  // A spare normal from the last Box–Muller pair: each pair costs one log, one sqrt and one sin/cos.
  let spareNormal: number | undefined;

  const normal = (): number => {
    if (spareNormal !== undefined) {
      const value = spareNormal;
      spareNormal = undefined;
      return value;
    }
    // 1 - next() is in (0, 1], so the log never sees 0.
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };

  return { next, normal };
}

/** Derives an independent stream for one concern (latency, faults, ...) so adding draws to one never shifts another. */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
