import type { RunResult } from '../../result/types.js';
import { formatMs, formatPercent } from './format.js';

/** One row of the report's first table: attempts (the wire's view) or calls (the caller's). */
export interface LevelRow {
  level: 'attempts' | 'calls';
  count: number;
  failed: number;
  errorRate: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LevelsView {
  rows: LevelRow[];
  /** what retries and waits added to what the caller waited, in one sentence */
  added: string;
  /** how the calls ended */
  outcomes: string;
  /** the 429s the target sent, when it sent any: their share of attempts and how many were waited out */
  rateLimited?: string;
}

/**
 * Both levels side by side, and the difference between them said in words: a client that retries and waits
 * out 429s hides failures from its caller by making it wait, and the call row is where that wait shows.
 * Undefined for results written before calls were recorded.
 */
export function levelsView(totals: RunResult['totals']): LevelsView | undefined {
  const calls = totals.calls;
  if (!calls) return undefined;
  const rows: LevelRow[] = [
    {
      level: 'attempts',
      count: totals.requests,
      failed: totals.errors,
      errorRate: totals.errorRate,
      p50: totals.latency.p50,
      p99: totals.latency.p99,
      max: totals.latency.max,
    },
    {
      level: 'calls',
      count: calls.calls,
      failed: calls.failed,
      errorRate: calls.errorRate,
      p50: calls.latency.p50,
      p99: calls.latency.p99,
      max: calls.latency.max,
    },
  ];
  const c = totals.counters;
  const extraAttempts = totals.requests - calls.calls;
  const addedMs = calls.latency.p99 - totals.latency.p99;
  const added =
    extraAttempts > 0 || (c.hedges ?? 0) > 0
      ? `Retries and waits added ${formatMs(Math.max(0, addedMs))} ms at p99 (call p99 ${formatMs(calls.latency.p99)} ms vs attempt p99 ${formatMs(totals.latency.p99)} ms), with ${extraAttempts} attempts beyond one per call (${formatPercent(calls.calls > 0 ? extraAttempts / calls.calls : 0)} extra load): ${c.retries} retries, ${c.rateLimited} 429s waited out${c.hedges ? `, ${c.hedges} hedges` : ''}; the error rate went from ${formatPercent(totals.errorRate)} of attempts to ${formatPercent(calls.errorRate)} of calls.`
      : `One attempt per call: no retries or waits, so calls and attempts agree (call p99 ${formatMs(calls.latency.p99)} ms).`;
  const o = calls.outcomes;
  const outcomes = `Calls: ${o.succeededFirstTime} succeeded first time, ${o.succeededAfterRetries} after retries, ${o.gaveUp} gave up, ${o.timedOut} timed out${o.interrupted ? `, ${o.interrupted} interrupted by the end of the run` : ''}${c.breakerRejected ? `; the circuit breaker refused ${c.breakerRejected} calls without sending` : ''}.`;
  const seen429 = totals.errorsByKind.byStatus['429'] ?? 0;
  const rateLimited =
    seen429 > 0 || c.rateLimited > 0
      ? `Rate limited: ${seen429} of ${totals.requests} attempts were answered 429 (${formatPercent(totals.requests > 0 ? seen429 / totals.requests : 0)}), ${c.rateLimited} of them waited out (Retry-After) and retried; those waits are in the call latency, not in the attempts'.`
      : undefined;
  return { rows, added, outcomes, ...(rateLimited && { rateLimited }) };
}
