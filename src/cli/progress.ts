import type { MetricSnapshot } from '../metrics/metric-set.js';
import { decodeHistogram } from '../shared/histogram.js';
import { summarize } from '../shared/latency-summary.js';
import { targetAt, segmentIndexAt } from '../load/curve.js';
import type { LoadPlan } from '../load/types.js';
import { formatMs } from '../shared/format.js';

/**
 * One line per interval: elapsed time, stage, target vs achieved load, throughput, p50/p99, errors.
 * Pure, so the same text feeds a redrawn terminal line and plain CI log lines.
 */
export function progressLine(plan: LoadPlan, index: number, intervalMs: number, merged: MetricSnapshot): string {
  const startMs = index * intervalMs;
  const midMs = startMs + intervalMs / 2;
  const stage = plan.segments[Math.max(0, segmentIndexAt(plan.segments, midMs))];
  const total = merged.histograms.total ? summarize(decodeHistogram(merged.histograms.total)) : undefined;
  const seconds = intervalMs / 1000;
  const target = targetAt(plan.segments, midMs);
  const load =
    plan.model === 'closed'
      ? `conc ${(merged.inFlightMs / intervalMs).toFixed(1)}/${target.toFixed(0)}`
      : `rate ${(merged.sent / seconds).toFixed(0)}/${target.toFixed(0)}/s`;
  const latency = total && total.count > 0 ? `p50 ${formatMs(total.p50)} p99 ${formatMs(total.p99)} ms` : 'p50 – p99 –';
  const errors = merged.errors.total > 0 ? ` errors ${merged.errors.total}` : '';
  const waits = merged.counters.rateLimited > 0 ? ` 429-waits ${merged.counters.rateLimited}` : '';
  const dropped = merged.counters.dropped > 0 ? ` dropped ${merged.counters.dropped}` : '';
  return `[${((startMs + intervalMs) / 1000).toFixed(0).padStart(4)}s] ${(stage?.name ?? '').padEnd(18).slice(0, 18)} ${load} ${(merged.requests / seconds).toFixed(0)} req/s ${latency}${errors}${waits}${dropped}`;
}
