import type { RunResult } from '../../result/types.js';
import { CHART_HEIGHT, CHART_WIDTH, type Chart } from './types.js';

/** Target vs achieved load and throughput per interval: where the achieved line leaves the target, something saturated. */
export function loadOverTime(result: RunResult): Chart {
  const open = result.model === 'open';
  const values = result.intervals.flatMap((interval) => [
    { t: interval.startMs / 1000, series: open ? 'target rate (/s)' : 'target concurrency', value: interval.target },
    { t: interval.startMs / 1000, series: open ? 'sent (/s)' : 'achieved concurrency', value: open ? interval.sentPerSec : interval.achievedConcurrency },
    { t: interval.startMs / 1000, series: 'throughput (req/s)', value: interval.throughput },
    { t: interval.startMs / 1000, series: 'errors (/s)', value: (interval.errors / Math.max(interval.endMs - interval.startMs, 1)) * 1000 },
  ]);
  return {
    id: 'load-over-time',
    title: 'Load and throughput over time',
    caption: 'Target load against what was achieved, with completed requests per second.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      data: { values },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'time (s)' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'series', type: 'nominal', title: null },
        strokeDash: { condition: { test: "indexof(datum.series, 'target') >= 0", value: [4, 3] }, value: [1, 0] },
        tooltip: [{ field: 't', title: 'time (s)' }, { field: 'series' }, { field: 'value', format: '.1f' }],
      },
    },
  };
}
