import type { RunResult } from '../../result/types.js';
import { CHART_HEIGHT, CHART_WIDTH, type Chart } from './types.js';

/** p50 / p90 / p99 / max per interval, on a log axis so a tail 100× the median stays readable. */
export function latencyOverTime(result: RunResult): Chart {
  const values = result.intervals.flatMap((interval) =>
    interval.requests === 0
      ? []
      : (['p50', 'p90', 'p99', 'max'] as const).map((percentile) => ({
          t: interval.startMs / 1000,
          percentile,
          ms: Math.max(interval.latency[percentile], 0.001),
        })),
  );
  return {
    id: 'latency-over-time',
    title: 'Latency percentiles over time',
    caption: result.model === 'open'
      ? 'Per interval, measured from the intended send time (coordinated omission corrected).'
      : 'Per interval, closed model: latency at the concurrency shown below, not under an arrival rate.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      data: { values },
      mark: { type: 'line', point: false },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'time (s)' },
        y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: { type: 'log' } },
        color: { field: 'percentile', type: 'nominal', sort: ['p50', 'p90', 'p99', 'max'], title: null },
        tooltip: [{ field: 't', title: 'time (s)' }, { field: 'percentile' }, { field: 'ms', format: '.2f' }],
      },
    },
  };
}
