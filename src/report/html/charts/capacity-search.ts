import { uslThroughput } from '../../../analysis/usl.js';
import type { CapacityAtSlo } from '../../../analysis/types.js';
import { round3 } from '../../views/format.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type Chart } from './types.js';

const VERDICT_COLOURS = { pass: '#54a24b', fail: '#e45756', generator: '#9d9d9d' } as const;
const CURVE_POINTS = 60;

/**
 * The probes of a capacity search: p99 against load with its confidence interval, each probe marked pass or fail,
 * the SLO as a line, and the error rate beside it; below, the sweep's throughput against concurrency with its
 * Universal Scalability Law fit. Undefined when no probe was decided.
 */
export function capacitySearchChart(atSlo: CapacityAtSlo, slo: { p99Ms?: number; errorRate?: number } | undefined): Chart | undefined {
  if (atSlo.probes.length === 0) return undefined;
  const loadTitle = atSlo.unit === 'users' ? 'concurrency (users)' : 'arrival rate (req/s)';
  const x = { field: 'load', type: 'quantitative', title: loadTitle };
  const probes = atSlo.probes.map((p) => ({
    probe: p.probe,
    load: round3(p.load),
    verdict: p.verdict,
    p99: p.p99Ms ? round3(p.p99Ms.value) : null,
    low: p.p99Ms ? round3(p.p99Ms.low) : null,
    high: p.p99Ms ? round3(p.p99Ms.high) : null,
    errorRate: round3(p.errorRate.value * 100),
    reason: p.reason,
  }));
  const colour = {
    field: 'verdict',
    type: 'nominal',
    title: 'verdict',
    scale: { domain: Object.keys(VERDICT_COLOURS), range: Object.values(VERDICT_COLOURS) },
  };
  const p99Axis = { type: 'quantitative', title: 'p99 latency (ms)', scale: { zero: false }, axis: { titleColor: '#4c78a8' } };
  const latencyLayers: Record<string, unknown>[] = [
    {
      data: { values: probes.filter((p) => p.p99 !== null) },
      mark: { type: 'rule', opacity: 0.6 },
      encoding: { x, y: { field: 'low', ...p99Axis }, y2: { field: 'high' }, color: colour },
    },
    {
      data: { values: probes.filter((p) => p.p99 !== null) },
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        x,
        y: { field: 'p99', ...p99Axis },
        color: colour,
        shape: { field: 'verdict', type: 'nominal', legend: null },
        tooltip: [
          { field: 'probe', type: 'ordinal' },
          { field: 'load', type: 'quantitative' },
          { field: 'verdict', type: 'nominal' },
          { field: 'reason', type: 'nominal' },
        ],
      },
    },
  ];
  if (slo?.p99Ms !== undefined) {
    latencyLayers.push({
      data: { values: [{ slo: slo.p99Ms, label: `SLO p99 ${slo.p99Ms} ms` }] },
      layer: [
        { mark: { type: 'rule', color: '#9a6700', strokeDash: [4, 3] }, encoding: { y: { field: 'slo', ...p99Axis } } },
        {
          mark: { type: 'text', align: 'left', dy: -6, x: 4, color: '#9a6700' },
          encoding: { y: { field: 'slo', ...p99Axis }, text: { field: 'label' } },
        },
      ],
    });
  }
  const probePanel = {
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    layer: [
      { layer: latencyLayers },
      {
        data: { values: probes },
        mark: { type: 'tick', color: '#b279a2', thickness: 2 },
        encoding: {
          x,
          y: {
            field: 'errorRate',
            type: 'quantitative',
            title: 'error rate (%)',
            // From zero, and at least to the SLO's error rate twice over: all-zero error rates draw as a floor line.
            scale: { domain: [0, Math.max(1, 2 * (slo?.errorRate ?? 0) * 100, ...probes.map((p) => p.errorRate))] },
            axis: { titleColor: '#b279a2' },
          },
          tooltip: [{ field: 'errorRate', type: 'quantitative', title: 'error rate (%)' }],
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  };
  const panels: Record<string, unknown>[] = [probePanel];
  if (atSlo.sweep.length >= 2) {
    const concurrency = { field: 'concurrency', type: 'quantitative', title: 'requests in flight (sweep)' };
    const throughput = { field: 'throughput', type: 'quantitative', title: 'throughput (req/s)' };
    const sweepLayers: Record<string, unknown>[] = [
      {
        data: { values: atSlo.sweep.map((p) => ({ concurrency: round3(p.concurrency), throughput: round3(p.throughput), stage: p.name })) },
        mark: { type: 'point', filled: true, color: '#4c78a8' },
        encoding: { x: concurrency, y: throughput, tooltip: [{ field: 'stage', type: 'nominal' }] },
      },
    ];
    if (atSlo.usl) {
      const fit = atSlo.usl;
      const top = Math.max(...atSlo.sweep.map((p) => p.concurrency)) * 1.5;
      const curve = Array.from({ length: CURVE_POINTS }, (_, i) => {
        const n = (top * (i + 1)) / CURVE_POINTS;
        return { concurrency: round3(n), throughput: round3(uslThroughput(fit, n)) };
      });
      sweepLayers.push({
        data: { values: curve },
        mark: { type: 'line', strokeDash: [5, 4], color: '#4c78a8', opacity: 0.7 },
        encoding: { x: concurrency, y: throughput },
      });
    }
    panels.push({ width: CHART_WIDTH, height: CHART_HEIGHT * 0.8, layer: sweepLayers });
  }
  return {
    id: 'capacity-search',
    title: 'Capacity search: the probes',
    caption: `Each probe's p99 with its 95% interval, green where it kept the SLO and red where it broke it${slo?.p99Ms !== undefined ? ', against the SLO (dashed)' : ''}; ticks are the error rate.${atSlo.sweep.length >= 2 ? ` Below, the sweep's throughput against requests in flight${atSlo.usl ? ', with its USL fit (dashed)' : ''}.` : ''}`,
    spec: { $schema: VEGA_LITE_SCHEMA, vconcat: panels },
  };
}
