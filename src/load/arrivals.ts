import type { Segment } from './types.js';
import { cumulativeTarget } from './curve.js';

/**
 * Open model pacing as a pure function (like vegeta's pacer): the time at which the schedule wants its
 * arrival number `arrivals` (from 0; fractional for Poisson draws), found by inverting the cumulative arrival
 * count A(t) = ∫ rate dt — exact on piecewise-linear rates (it solves the quadratic). Arrival n is placed
 * where A(t) = n, so a 10/s hold sends at 0, 100, 200 ms. Undefined once the schedule has ended.
 */
export function timeAtCumulativeArrivals(segments: readonly Segment[], arrivals: number): number | undefined {
  let before = 0;
  for (const segment of segments) {
    const span = segment.endMs - segment.startMs;
    const inSegment = (((segment.from + segment.to) / 2) * span) / 1000;
    if (arrivals < before + inSegment) {
      const wanted = (arrivals - before) * 1000; // target·ms still to cover within this segment
      const slope = span > 0 ? (segment.to - segment.from) / span : 0;
      let elapsed: number;
      if (Math.abs(slope) < 1e-12) {
        elapsed = segment.from > 0 ? wanted / segment.from : 0;
      } else {
        // from·x + slope·x²/2 = wanted → x = (−from + √(from² + 2·slope·wanted)) / slope
        const discriminant = Math.max(0, segment.from * segment.from + 2 * slope * wanted);
        elapsed = (-segment.from + Math.sqrt(discriminant)) / slope;
      }
      return segment.startMs + Math.min(Math.max(elapsed, 0), span);
    }
    before += inSegment;
  }
  return undefined;
}

/** Arrivals the whole schedule asks for. */
export function totalArrivals(segments: readonly Segment[]): number {
  const last = segments[segments.length - 1];
  return last ? cumulativeTarget(segments, last.endMs) / 1000 : 0;
}
