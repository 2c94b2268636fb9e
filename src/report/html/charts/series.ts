import type { IntervalResult } from '../../../result/types.js';

/**
 * Most points a time series carries onto the page. An hour of 1 s intervals drawn point by point costs
 * ~0.5 s of SVG rendering per chart and megabytes of page for detail no screen shows; 400 points keep
 * 1.6 px per point at the report's 640 px width.
 */
export const MAX_SERIES_POINTS = 400;

/** Consecutive intervals grouped so that at most maxPoints groups remain; one interval per group when they fit. */
export function windowsOf(intervals: readonly IntervalResult[], maxPoints = MAX_SERIES_POINTS): IntervalResult[][] {
  const size = Math.max(1, Math.ceil(intervals.length / maxPoints));
  const out: IntervalResult[][] = [];
  for (let i = 0; i < intervals.length; i += size) out.push(intervals.slice(i, i + size));
  return out;
}

export const windowSize = (intervals: readonly IntervalResult[], maxPoints = MAX_SERIES_POINTS): number =>
  Math.max(1, Math.ceil(intervals.length / maxPoints));
