import type { RunResult } from '../../../result/types.js';
import { errorCategories } from '../../views/errors.js';
import { CHART_HEIGHT, CHART_WIDTH, VEGA_LITE_SCHEMA, type Chart } from './types.js';

/** At most this many bars across the run: an hour of 1 s intervals becomes 30 s bins. */
const MAX_BINS = 120;

/** Errors by kind and status over time, binned so a long run stays readable; undefined when nothing failed. */
export function errorsOverTime(result: RunResult): Chart | undefined {
  if (result.totals.errors === 0 || result.intervals.length === 0) return undefined;
  const spanMs = result.intervals.at(-1)!.endMs;
  const binMs = Math.max(result.intervalMs, Math.ceil(spanMs / MAX_BINS / result.intervalMs) * result.intervalMs);
  const bins = new Map<string, { t0: number; t1: number; category: string; count: number }>();
  for (const interval of result.intervals) {
    const bin = Math.floor(interval.startMs / binMs);
    for (const [category, count] of errorCategories(interval.errorsByKind)) {
      const key = `${bin}\u0000${category}`;
      const entry = bins.get(key) ?? { t0: (bin * binMs) / 1000, t1: ((bin + 1) * binMs) / 1000, category, count: 0 };
      entry.count += count;
      bins.set(key, entry);
    }
  }
  const values = [...bins.values()];
  if (values.length === 0) return undefined;
  return {
    id: 'errors-over-time',
    title: 'Errors over time',
    caption: `Failed requests per ${binMs / 1000} s, by HTTP status and by kind (timeouts, resets, refused connections …).`,
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      data: { values },
      mark: 'bar',
      encoding: {
        // Pre-binned: `binned` keeps the bars vertical (x/x2 alone would make vega-lite draw ranged horizontal bars).
        x: {
          field: 't0',
          type: 'quantitative',
          bin: { binned: true, step: binMs / 1000 },
          title: 'time (s)',
          scale: { domain: [0, spanMs / 1000] },
        },
        x2: { field: 't1' },
        y: { field: 'count', type: 'quantitative', stack: 'zero', title: 'errors' },
        color: { field: 'category', type: 'nominal', title: null },
        tooltip: [
          { field: 't0', type: 'quantitative', title: 'from (s)' },
          { field: 'category', type: 'nominal' },
          { field: 'count', type: 'quantitative' },
        ],
      },
    },
  };
}
