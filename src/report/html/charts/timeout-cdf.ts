import type { CdfPoint } from '../../views/distribution.js';
import { round3 } from '../../views/format.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type Chart } from './types.js';
import type { TimeoutCandidate } from '../../views/charts.js';

/**
 * The latency CDF (log ms) with each candidate timeout as a vertical rule labelled with what it cuts:
 * the reader sees how far into the tail each choice reaches and what it costs in failed requests.
 */
export function timeoutCdf(metric: string, cdf: CdfPoint[], candidates: TimeoutCandidate[]): Chart | undefined {
  if (cdf.length === 0) return undefined;
  const curve = cdf.map((p) => ({ ms: round3(Math.max(p.ms, 0.001)), share: p.share }));
  const rules = candidates.map((c, i) => ({
    ms: round3(Math.max(c.ms, 0.001)),
    label: `${c.label}: cuts ${(c.cutShare * 100).toFixed(c.cutShare < 0.001 ? 3 : 2)}%`,
    // Stagger the labels so neighbouring candidates stay legible.
    y: 0.05 + 0.12 * (i % 4),
  }));
  const x = { field: 'ms', type: 'quantitative', title: `${metric} latency (ms)`, scale: { type: 'log' } };
  const layers: Record<string, unknown>[] = [
    {
      data: { values: curve },
      mark: { type: 'line', interpolate: 'step-after', color: '#4c78a8' },
      encoding: {
        x,
        y: { field: 'share', type: 'quantitative', title: 'share of requests done', scale: { domain: [0, 1] }, axis: { format: '%' } },
        tooltip: [
          { field: 'ms', type: 'quantitative', format: '.2f' },
          { field: 'share', type: 'quantitative', format: '.4%' },
        ],
      },
    },
  ];
  if (rules.length > 0) {
    layers.push({
      data: { values: rules },
      layer: [
        { mark: { type: 'rule', color: '#e45756', strokeDash: [4, 3] }, encoding: { x } },
        {
          mark: { type: 'text', align: 'right', dx: -4, color: '#b42318' },
          encoding: { x, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    });
  }
  return {
    id: 'timeout-cdf',
    title: 'Timeout candidates on the latency distribution',
    caption:
      'Cumulative share of requests finished by each latency; each dashed line is a candidate timeout and the share of requests it would cut.',
    spec: { $schema: VEGA_LITE_SCHEMA, width: CHART_WIDTH, height: CHART_HEIGHT, layer: layers },
  };
}
