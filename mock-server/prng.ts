/**
 * Seeded pseudo-random numbers. Every random draw in the mock server comes from here so that a profile and a
 * seed reproduce the same latencies and faults run after run.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (mean 0, sd 1). */
  normal(): number;
}

/**
 * mulberry32: 32-bit state, one multiply-xorshift round per draw. Small and fast; its statistical quality is
 * ample for latency injection (we need believable distributions, not cryptography).
 */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  // A spare normal from the last Box–Muller pair: each pair costs one log, one sqrt and one sin/cos.
  let spareNormal: number | undefined;

  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

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
