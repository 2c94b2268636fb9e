import { round3 } from '../../views/format.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type Chart, type NoData } from './types.js';
import type { LoadCurve } from '../../views/charts.js';

/**
 * p99 and throughput against load for several runs, overlaid: a regression shows as one curve above another.
 * Points are loaded stages; when no run has one there is nothing to draw.
 */
export function latencyVsLoad(curves: LoadCurve[], loadTitle: string): Chart | NoData {
  const title = 'p99 and throughput vs load, per run';
  const values = curves.flatMap((c) =>
    c.points.map((p) => ({ run: c.run, stage: p.stage, load: round3(p.load), throughput: round3(p.throughput), p99: round3(p.p99Ms) })),
  );
  if (values.length === 0) return { id: 'latency-vs-load', title, noData: 'no stage of any run completed a request.' };
  const x = { field: 'load', type: 'quantitative', title: loadTitle };
  const color = { field: 'run', type: 'nominal', title: null };
  const tooltip = [
    { field: 'run', type: 'nominal' },
    { field: 'stage', type: 'nominal' },
    { field: 'load', type: 'quantitative', format: '.1f' },
    { field: 'throughput', type: 'quantitative', format: '.1f' },
    { field: 'p99', type: 'quantitative', format: '.2f' },
  ];
  return {
    id: 'latency-vs-load',
    title,
    caption: 'One point per stage of each run. A regression shows as a higher p99 or a lower throughput at the same load.',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      data: { values },
      hconcat: [
        {
          width: CHART_WIDTH / 2 - 20,
          height: CHART_HEIGHT,
          mark: { type: 'line', point: true },
          encoding: { x, y: { field: 'p99', type: 'quantitative', title: 'p99 latency (ms)' }, color, tooltip },
        },
        {
          width: CHART_WIDTH / 2 - 20,
          height: CHART_HEIGHT,
          mark: { type: 'line', point: true },
          encoding: { x, y: { field: 'throughput', type: 'quantitative', title: 'throughput (req/s)' }, color, tooltip },
        },
      ],
    },
  };
}
