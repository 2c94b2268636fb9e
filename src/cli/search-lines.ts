import type { SearchProbe } from '../result/types.js';
import type { LoadPlan } from '../load/types.js';
import { formatMs } from '../shared/format.js';

/** A latency for reading in a progress line: "142 ms", "1.9 s". */
function readable(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toPrecision(2))} s` : `${formatMs(ms)} ms`;
}

/** What the run prints first about a search: its range and how long each probe holds. */
export function searchHeader(plan: LoadPlan): string {
  const search = plan.search!;
  const unit = plan.model === 'closed' ? ' users' : ' req/s';
  return `capacity search, ${plan.model} model: ${search.from}–${search.to}${unit}, hold ${search.holdMs / 1000} s, precision ${(search.precision * 100).toFixed(0)}%, then a sweep of ${search.sweep}`;
}

/**
 * One line per probe as it ends: "probe 6: 80 req/s — p99 1.9 s ✗ (SLO 500 ms)". Pure, so the same text goes to
 * a terminal and to CI logs.
 */
export function probeLine(probe: SearchProbe, model: 'open' | 'closed', slo: { p99Ms?: number; errorRate?: number }): string {
  const load = `probe ${probe.probe}: ${probe.load} ${model === 'closed' ? 'users' : 'req/s'}`;
  if (probe.verdict === 'generator') return `${load} — the generator could not drive it: ${probe.reason}`;
  const mark = probe.verdict === 'pass' ? '✓' : '✗';
  const figures: string[] = [];
  const limits: string[] = [];
  if (probe.p99Ms) figures.push(`p99 ${readable(probe.p99Ms.value)}`);
  if (slo.p99Ms !== undefined) limits.push(readable(slo.p99Ms));
  if (slo.errorRate !== undefined) {
    figures.push(`errors ${(probe.errorRate.value * 100).toFixed(2)}%`);
    limits.push(`${(slo.errorRate * 100).toFixed(2)}%`);
  }
  const how = probe.early ? ', ended early' : probe.extended ? ', held longer' : '';
  return `${load} — ${figures.join(', ') || 'no request completed'} ${mark} (SLO ${limits.join(', ')}${how})`;
}
