import type { RunResult } from '../../../result/types.js';
import { round3 } from '../../views/format.js';
import { windowsOf, windowSize } from './series.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type Chart, type NoData } from './types.js';

/**
 * Target vs achieved load and throughput per interval: where the achieved line leaves the target, something
 * saturated. Long runs are drawn in windows: loads are time-weighted means and rates are counts over the
 * window's span, both exact for the window. A run stopped before its first interval ended has nothing to draw.
 */
export function loadOverTime(result: RunResult): Chart | NoData {
  const title = 'Load and throughput over time';
  if (result.intervals.length === 0) return { id: 'load-over-time', title, noData: 'the run stopped before its first interval ended.' };
  const open = result.model === 'open';
  const target = open ? 'target rate (/s)' : 'target concurrency';
  const achieved = open ? 'sent (/s)' : 'achieved concurrency';
  const values = windowsOf(result.intervals).map((window) => {
    const spanMs = (interval: { startMs: number; endMs: number }) => Math.max(interval.endMs - interval.startMs, 1);
    const totalMs = window.reduce((sum, interval) => sum + spanMs(interval), 0);
    const weighted = (f: (i: (typeof window)[number]) => number) =>
      window.reduce((sum, interval) => sum + f(interval) * spanMs(interval), 0) / totalMs;
    const perSec = (f: (i: (typeof window)[number]) => number) => (window.reduce((sum, interval) => sum + f(interval), 0) / totalMs) * 1000;
    return {
      t: window[0]!.startMs / 1000,
      [target]: round3(weighted((i) => i.target)),
      [achieved]: round3(open ? weighted((i) => i.sentPerSec) : weighted((i) => i.achievedConcurrency)),
      'throughput (req/s)': round3(perSec((i) => i.requests)),
      'errors (/s)': round3(perSec((i) => i.errors)),
    };
  });
  const size = windowSize(result.intervals);
  return {
    id: 'load-over-time',
    title,
    caption: `Target load (dashed) against what was achieved, with completed requests and errors per second${size > 1 ? `, averaged over ${(size * result.intervalMs) / 1000} s windows` : ''}.`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      data: { values },
      transform: [{ fold: [target, achieved, 'throughput (req/s)', 'errors (/s)'], as: ['series', 'value'] }],
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'time (s)' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'series', type: 'nominal', title: null },
        strokeDash: { condition: { test: "indexof(datum.series, 'target') >= 0", value: [4, 3] }, value: [1, 0] },
        tooltip: [
          { field: 't', title: 'time (s)' },
          { field: 'series', type: 'nominal' },
          { field: 'value', type: 'quantitative', format: '.1f' },
        ],
      },
    },
  };
}
