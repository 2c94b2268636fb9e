import type { RunResult } from '../../result/types.js';
import { checkTotals } from '../../metrics/checks.js';
import { decodeHistogram } from '../../shared/histogram.js';
import { summarize } from '../../shared/latency-summary.js';

/** One response check of one request, as every format lists it. */
export interface CheckRow {
  request: string;
  label: string;
  passes: number;
  fails: number;
  /** passes / evaluated, 0..1 */
  passShare: number;
  /** the first failure's reason as the target's answer made it (escape it where it is shown) */
  firstFailure?: string;
}

/** Every check of every request, requests by name and checks in the order the scenario declares them. */
export function checkRows(result: RunResult): CheckRow[] {
  return Object.values(result.requestsByName).flatMap((named) =>
    (named.checks ?? []).map((tally) => ({
      request: named.name,
      label: tally.label,
      passes: tally.passes,
      fails: tally.fails,
      passShare: tally.passes + tally.fails > 0 ? tally.passes / (tally.passes + tally.fails) : 0,
      ...(tally.firstFailure !== undefined ? { firstFailure: tally.firstFailure } : {}),
    })),
  );
}

/** The run's checks in one figure: passed of evaluated (the `checks` threshold's population). */
export function checksOverall(result: RunResult): { passes: number; evaluated: number } {
  return checkTotals(Object.values(result.requestsByName).flatMap((named) => named.checks ?? []));
}

/** Completion tokens over the run: how many, per second, and the time per output token; undefined without any. */
export function tokensOverall(result: RunResult): { tokens: number; perSec: number; tpot?: { p50: number; p99: number } } | undefined {
  const counters = result.totals.counters;
  // Usage reports are what the server billed; chunk counts stand in only when no usage came back.
  const tokens = counters.tokensFromUsage > 0 ? counters.tokensFromUsage : counters.tokensFromChunks;
  if (tokens <= 0) return undefined;
  const encoded = result.histograms.tpot;
  const histogram = encoded ? decodeHistogram(encoded) : undefined;
  const tpot = histogram && histogram.totalCount > 0 ? summarize(histogram) : undefined;
  return {
    tokens,
    perSec: tokens / (Math.max(result.durationMs, 1) / 1000),
    ...(tpot ? { tpot: { p50: tpot.p50, p99: tpot.p99 } } : {}),
  };
}
