import type { Segment } from './types.js';

/** Index of the segment that holds time t (the last one past the end); -1 before the start. */
export function segmentIndexAt(segments: readonly Segment[], tMs: number): number {
  if (segments.length === 0 || tMs < 0) return -1;
  for (let i = 0; i < segments.length; i++) {
    if (tMs < segments[i]!.endMs) return i;
  }
  return segments.length - 1;
}

/** The target load at time t: linear within a segment, 0 after the end. */
export function targetAt(segments: readonly Segment[], tMs: number): number {
  const index = segmentIndexAt(segments, tMs);
  if (index < 0) return 0;
  const segment = segments[index]!;
  if (tMs >= segment.endMs) return 0;
  const span = segment.endMs - segment.startMs;
  if (span <= 0 || segment.from === segment.to) return segment.to;
  return segment.from + ((segment.to - segment.from) * (tMs - segment.startMs)) / span;
}

/** Closed model: whole virtual users wanted at time t (a ramp moves one user at a time). */
export function concurrencyAt(segments: readonly Segment[], tMs: number): number {
  return Math.round(targetAt(segments, tMs));
}

/** Splits a total across workers so that shares differ by at most one and add up exactly. */
export function workerShare(total: number, workerIndex: number, workerCount: number): number {
  const base = Math.floor(total / workerCount);
  return base + (workerIndex < total % workerCount ? 1 : 0);
}

/** Mean target over [aMs, bMs), integrated exactly over the piecewise-linear curve. */
export function meanTargetBetween(segments: readonly Segment[], aMs: number, bMs: number): number {
  if (bMs <= aMs) return targetAt(segments, aMs);
  return (cumulativeTarget(segments, bMs) - cumulativeTarget(segments, aMs)) / (bMs - aMs);
}

/**
 * ∫ target dt from 0 to t, in target·ms. In an open model, divided by 1000 this is the number of arrivals
 * the schedule asks for by time t.
 */
export function cumulativeTarget(segments: readonly Segment[], tMs: number): number {
  let area = 0;
  for (const segment of segments) {
    if (tMs <= segment.startMs) break;
    const end = Math.min(tMs, segment.endMs);
    const span = segment.endMs - segment.startMs;
    const elapsed = end - segment.startMs;
    const slope = span > 0 ? (segment.to - segment.from) / span : 0;
    area += segment.from * elapsed + (slope * elapsed * elapsed) / 2;
  }
  return area;
}
