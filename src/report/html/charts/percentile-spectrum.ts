import { ninesTicks, type SpectrumPoint } from '../../views/distribution.js';
import { round3 } from '../../views/format.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type Chart, type NoData } from './types.js';

export interface SpectrumSeries {
  label: string;
  points: SpectrumPoint[];
}

/**
 * Latency by percentile on the "nines" axis (x = 1/(1−p), log), as HdrHistogram plots it: every added nine
 * gets the same width, so p99.9 is as visible as the median. Several series overlay runs or metrics; a series
 * without points (a run that completed no request) is left out, and with none left there is nothing to draw.
 */
export function percentileSpectrum(series: SpectrumSeries[], caption?: string): Chart | NoData {
  const title = 'Latency by percentile';
  const values = series.flatMap((s) =>
    s.points.map((point) => ({
      series: s.label,
      nines: round3(point.nines),
      percentile: point.percentile,
      ms: round3(Math.max(point.ms, 0.001)),
    })),
  );
  if (values.length === 0) return { id: 'percentile-spectrum', title, noData: 'no request completed.' };
  const maxNines = Math.max(10, ...values.map((v) => v.nines));
  return {
    id: 'percentile-spectrum',
    title,
    caption: caption ?? 'HDR percentile spectrum: each step right adds a nine (90%, 99%, 99.9% …). The curve ends at the maximum.',
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      data: { values },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: {
          field: 'nines',
          type: 'quantitative',
          title: 'percentile',
          scale: { type: 'log', domain: [1, maxNines] },
          // 1/(1−p) back to p: 10 → 90, 1000 → 99.9.
          axis: { values: ninesTicks(maxNines), labelExpr: "format(100 - 100 / datum.value, '.6~f') + '%'" },
        },
        y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: { type: 'log' } },
        color: { field: 'series', type: 'nominal', title: null },
        tooltip: [
          { field: 'series', type: 'nominal' },
          { field: 'percentile', type: 'quantitative', format: '.4~f' },
          { field: 'ms', type: 'quantitative', format: '.2f' },
        ],
      },
    },
  };
}
