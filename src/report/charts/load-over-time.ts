import type { RunResult } from '../../result/types.js';
import { round3 } from '../format.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type Chart } from './types.js';

/** Target vs achieved load and throughput per interval: where the achieved line leaves the target, something saturated. */
export function loadOverTime(result: RunResult): Chart {
  const open = result.model === 'open';
  const target = open ? 'target rate (/s)' : 'target concurrency';
  const achieved = open ? 'sent (/s)' : 'achieved concurrency';
  const values = result.intervals.map((interval) => ({
    t: interval.startMs / 1000,
    [target]: round3(interval.target),
    [achieved]: round3(open ? interval.sentPerSec : interval.achievedConcurrency),
    'throughput (req/s)': round3(interval.throughput),
    'errors (/s)': round3((interval.errors / Math.max(interval.endMs - interval.startMs, 1)) * 1000),
  }));
  return {
    id: 'load-over-time',
    title: 'Load and throughput over time',
    caption: 'Target load (dashed) against what was achieved, with completed requests and errors per second.',
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
        tooltip: [{ field: 't', title: 'time (s)' }, { field: 'series', type: 'nominal' }, { field: 'value', type: 'quantitative', format: '.1f' }],
      },
    },
  };
}
