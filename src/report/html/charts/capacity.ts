import { uslThroughput } from '../../../analysis/usl.js';
import { round3 } from '../../views/format.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type Chart } from './types.js';
import type { CapacityView } from '../../views/charts.js';

/** Points of the fitted curve, past the largest load tested so the prediction is visible. */
const CURVE_POINTS = 60;
const CURVE_BEYOND = 1.5;

/**
 * Throughput and p99 against load, one point per stage, with the knee marked and the USL curve (dashed)
 * drawn beyond the tested range. Undefined with fewer than two loaded stages: one point is not a curve.
 */
export function capacityChart(view: CapacityView): Chart | undefined {
  if (view.points.length < 2) return undefined;
  const measured = view.points.map((p) => ({
    stage: p.stage,
    load: round3(p.load),
    throughput: round3(p.throughput),
    p99: round3(p.p99Ms),
  }));
  const maxLoad = Math.max(...view.points.map((p) => p.load));
  const x = { field: 'load', type: 'quantitative', title: view.loadTitle };
  const throughputAxis = { field: 'throughput', type: 'quantitative', title: 'throughput (req/s)', axis: { titleColor: '#4c78a8' } };
  const throughputLayers: Record<string, unknown>[] = [
    {
      data: { values: measured },
      mark: { type: 'line', point: true, color: '#4c78a8' },
      encoding: {
        x,
        y: throughputAxis,
        tooltip: [
          { field: 'stage', type: 'nominal' },
          { field: 'load', type: 'quantitative', format: '.1f' },
          { field: 'throughput', type: 'quantitative', format: '.1f' },
        ],
      },
    },
  ];
  if (view.usl) {
    const fit = view.usl;
    const curve = Array.from({ length: CURVE_POINTS }, (_, i) => {
      const load = 1 + ((maxLoad * CURVE_BEYOND - 1) * i) / (CURVE_POINTS - 1);
      return { load: round3(load), throughput: round3(uslThroughput(fit, load)) };
    });
    throughputLayers.push({
      data: { values: curve },
      mark: { type: 'line', strokeDash: [5, 4], color: '#4c78a8', opacity: 0.7 },
      encoding: { x, y: throughputAxis },
    });
  }
  const layers: Record<string, unknown>[] = [
    { layer: throughputLayers },
    {
      data: { values: measured },
      mark: { type: 'line', point: true, color: '#e45756' },
      encoding: {
        x,
        y: { field: 'p99', type: 'quantitative', title: 'p99 latency (ms)', axis: { titleColor: '#e45756' } },
        tooltip: [
          { field: 'stage', type: 'nominal' },
          { field: 'p99', type: 'quantitative', format: '.2f' },
        ],
      },
    },
  ];
  if (view.kneeLoad !== undefined) {
    layers.push({
      data: { values: [{ load: round3(view.kneeLoad), label: `knee ≈ ${view.kneeLoad.toFixed(1)}` }] },
      layer: [
        { mark: { type: 'rule', color: '#9a6700', strokeDash: [2, 2] }, encoding: { x } },
        {
          mark: { type: 'text', align: 'left', dx: 4, baseline: 'top', y: 4, color: '#9a6700' },
          encoding: { x, text: { field: 'label' } },
        },
      ],
    });
  }
  return {
    id: 'capacity',
    title: 'Capacity: throughput and p99 vs load',
    caption: `One point per stage. Throughput flattening while p99 climbs marks the knee${view.kneeLoad !== undefined ? ' (dotted line)' : ''}${view.usl ? '; the dashed curve is the Universal Scalability Law fit, extended past the tested range' : ''}.`,
    spec: { $schema: VEGA_LITE_SCHEMA, width: CHART_WIDTH, height: CHART_HEIGHT, layer: layers, resolve: { scale: { y: 'independent' } } },
  };
}
