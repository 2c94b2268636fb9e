import type { RunResult } from '../../../result/types.js';
import { round3 } from '../../views/format.js';
import { windowsOf, windowSize } from './series.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type Chart, type NoData } from './types.js';

/**
 * p50 / p90 / p99 / max per interval, on a log axis so a tail 100× the median stays readable. Rows are wide
 * (one per interval) and folded in the spec. A long run is drawn in windows of several intervals, each point
 * the highest value among them: percentiles of parts cannot be averaged, and the envelope hides no spike.
 * Intervals without requests have no percentiles (not zero ones); with none at all there is nothing to draw.
 */
export function latencyOverTime(result: RunResult): Chart | NoData {
  const title = 'Latency percentiles over time';
  // Log scales cannot show zero; a microsecond floor is below anything a network request takes.
  const floor = (ms: number) => round3(Math.max(ms, 0.001));
  const loaded = result.intervals.filter((interval) => interval.requests > 0);
  if (loaded.length === 0) return { id: 'latency-over-time', title, noData: 'no request completed.' };
  const size = windowSize(loaded);
  const values = windowsOf(loaded).map((window) => {
    const highest = (key: 'p50' | 'p90' | 'p99' | 'max') => floor(Math.max(...window.map((interval) => interval.latency[key])));
    return { t: window[0]!.startMs / 1000, p50: highest('p50'), p90: highest('p90'), p99: highest('p99'), max: highest('max') };
  });
  const windowNote = size > 1 ? ` Each point is the highest of ${size} intervals (${(size * result.intervalMs) / 1000} s).` : '';
  return {
    id: 'latency-over-time',
    title,
    caption:
      (result.model === 'open'
        ? 'Per interval, measured from the intended send time (coordinated omission corrected).'
        : 'Per interval, closed model: latency at the concurrency shown above, not under an arrival rate.') + windowNote,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      data: { values },
      transform: [{ fold: ['p50', 'p90', 'p99', 'max'], as: ['percentile', 'ms'] }],
      mark: { type: 'line', point: false },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'time (s)' },
        y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: { type: 'log' } },
        color: { field: 'percentile', type: 'nominal', sort: ['p50', 'p90', 'p99', 'max'], title: null },
        tooltip: [
          { field: 't', title: 'time (s)' },
          { field: 'percentile', type: 'nominal' },
          { field: 'ms', type: 'quantitative', format: '.2f' },
        ],
      },
    },
  };
}
