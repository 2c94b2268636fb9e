import { decodeHistogram, encodeHistogram, mergeEncoded } from '../../shared/histogram.js';
import type { FlowMetricName } from '../../metrics/vocabulary.js';
import type { MetricSnapshot } from '../../metrics/metric-set.js';
import type { EncodedHistograms, ErrorCounts, RunResult } from '../../result/types.js';
import { parseThreshold, statLabel } from '../../metrics/grammar/threshold.js';
import type { ComparisonOperator, Threshold, ThresholdStat, ThresholdVerdict } from './types.js';
import { successfulHistograms } from '../timeouts.js';
import { checkTotals, type CheckTally } from '../../metrics/checks.js';

/** The counts and distributions one threshold is judged on: the whole run, one request name or one stage. */
export interface Population {
  requests: number;
  errors: ErrorCounts;
  /** completed requests per second over the time the population covers */
  throughput: number;
  histograms: EncodedHistograms & Partial<Record<FlowMetricName, string>>;
  /** response checks, by label; absent or empty when none was evaluated */
  checks?: readonly CheckTally[];
  /** calls and failed calls, for error_rate(call); absent in results written before calls were recorded */
  calls?: { calls: number; failed: number };
}

const US_PER_MS = 1000;
const LATENCY_STATS: ReadonlySet<ThresholdStat['kind']> = new Set(['percentile', 'mean', 'min', 'max']);

/**
 * Judges thresholds on a finished run. Percentiles are read from the merged histograms of the population
 * (never averaged across intervals or workers). A threshold whose stat recorded nothing fails with a note:
 * a misspelled request name or a metric the run never produced must not pass a CI gate silently.
 */
export function evaluateThresholds(result: RunResult, thresholds: readonly (string | Threshold)[]): ThresholdVerdict[] {
  return thresholds.map((t) => {
    const threshold = typeof t === 'string' ? parseThreshold(t) : t;
    const found = populationOf(result, threshold);
    if ('missing' in found) return verdictOf(threshold, undefined, found.missing);
    const population =
      threshold.attempts === 'all' ? found : { ...found, histograms: { ...found.histograms, ...successfulHistograms(found.histograms) } };
    const observed = observe(threshold.stat, population);
    // A latency stat with no sample fails and says why: every attempt failed, or the metric was never recorded.
    if (observed === undefined && threshold.stat.kind === 'checks')
      return verdictOf(threshold, undefined, 'no response check was evaluated (no complete response, or no checks on these requests)');
    if (observed === undefined && LATENCY_STATS.has(threshold.stat.kind)) {
      const failedOnly = threshold.attempts !== 'all' && found.requests > 0 && found.errors.total === found.requests;
      return verdictOf(
        threshold,
        undefined,
        failedOnly ? `no successful request to read it from (${found.errors.total} of ${found.requests} failed)` : undefined,
      );
    }
    return verdictOf(threshold, observed);
  });
}

/**
 * Judges one threshold on the intervals merged so far during a run (the live view abortOnFail needs).
 * Returns undefined when the stat has no samples yet, or when the threshold is scoped to a request or stage,
 * which live interval snapshots do not break down.
 */
export function evaluateOnSnapshot(threshold: Threshold, merged: MetricSnapshot, elapsedMs: number): ThresholdVerdict | undefined {
  if (threshold.scope) return undefined;
  const population: Population = {
    requests: merged.requests,
    errors: merged.errors,
    throughput: elapsedMs > 0 ? (merged.requests / elapsedMs) * 1000 : 0,
    histograms: threshold.attempts === 'all' ? merged.histograms : successfulHistograms(merged.histograms),
    ...(merged.checks ? { checks: merged.checks } : {}),
    calls: merged.calls,
  };
  const observed = observe(threshold.stat, population);
  return observed === undefined ? undefined : verdictOf(threshold, observed);
}

function populationOf(result: RunResult, threshold: Threshold): Population | { missing: string } {
  const scope = threshold.scope;
  const metric = 'metric' in threshold.stat ? threshold.stat.metric : undefined;
  if (metric === 'flow' || metric === 'completion')
    return flowPopulationOf(result, metric, scope && 'request' in scope ? scope.request : undefined);
  if (!scope) {
    return {
      requests: result.totals.requests,
      errors: result.totals.errorsByKind,
      throughput: result.totals.throughput,
      histograms: result.histograms,
      // Checks are counted per request name; the run's are all of them.
      checks: Object.values(result.requestsByName).flatMap((named) => named.checks ?? []),
      ...(result.totals.calls && { calls: result.totals.calls }),
    };
  }
  if ('request' in scope) {
    const named = result.requestsByName[scope.request];
    if (!named)
      return { missing: `no request named "${scope.request}" (known: ${Object.keys(result.requestsByName).join(', ') || 'none'})` };
    return {
      requests: named.requests,
      errors: named.errorsByKind,
      throughput: named.throughput,
      histograms: named.histograms,
      checks: named.checks ?? [],
      ...(named.calls && { calls: named.calls }),
    };
  }
  if (threshold.stat.kind === 'checks') return { missing: 'checks are counted per request, not per stage: use checks{request=…}' };
  const stage =
    result.stages.find((s) => s.name === scope.stage) ?? (/^\d+$/.test(scope.stage) ? result.stages[Number(scope.stage)] : undefined);
  if (!stage) return { missing: `no stage named "${scope.stage}" (known: ${result.stages.map((s) => s.name).join(', ') || 'none'})` };
  return {
    requests: stage.requests,
    errors: stage.errorsByKind,
    throughput: stage.throughput,
    histograms: stage.histograms,
    ...(stage.calls && { calls: stage.calls }),
  };
}

/**
 * Flows (metric `flow`, by flow name) or async steps (metric `completion`, by the submitting step's name); unscoped,
 * every flow or every async step together, their histograms merged exactly. Their "requests" are completed
 * iterations or submitted jobs, their errors the ones that did not end well.
 */
function flowPopulationOf(result: RunResult, metric: FlowMetricName, name: string | undefined): Population | { missing: string } {
  const span = Math.max(result.durationMs, 1) / 1000;
  const groups =
    metric === 'flow'
      ? Object.values(result.flows ?? {}).map((f) => ({
          name: f.name,
          total: f.iterations - f.interrupted,
          bad: f.failed,
          encoded: f.histograms.flow,
        }))
      : Object.values(result.jobs ?? {}).map((j) => ({
          name: j.name,
          total: j.submitted - j.interrupted,
          bad: j.failed + j.expired + j.lost,
          encoded: j.histograms.completion,
        }));
  const what = metric === 'flow' ? 'flow' : 'async step';
  const chosen = name === undefined ? groups : groups.filter((g) => g.name === name);
  if (chosen.length === 0)
    return { missing: `no ${what} named "${name ?? ''}" (known: ${groups.map((g) => g.name).join(', ') || 'none'})` };
  const encoded = chosen.flatMap((g) => (g.encoded ? [g.encoded] : []));
  const total = chosen.reduce((sum, g) => sum + g.total, 0);
  const bad = chosen.reduce((sum, g) => sum + g.bad, 0);
  return {
    requests: total,
    errors: { total: bad, byKind: {}, byStatus: {} },
    throughput: (total - bad) / span,
    histograms: encoded.length === 0 ? {} : { [metric]: encoded.length === 1 ? encoded[0]! : encodeHistogram(mergeEncoded(encoded)) },
  };
}

/** The stat's value in its unit (ms, percent, req/s, count), or undefined when nothing was recorded. */
export function observe(stat: ThresholdStat, population: Population): number | undefined {
  switch (stat.kind) {
    case 'percentile':
    case 'mean':
    case 'min':
    case 'max': {
      const encoded = population.histograms[stat.metric];
      if (!encoded) return undefined;
      const histogram = decodeHistogram(encoded);
      if (histogram.totalCount === 0) return undefined;
      if (stat.kind === 'percentile') return histogram.getValueAtPercentile(stat.percentile) / US_PER_MS;
      if (stat.kind === 'mean') return histogram.mean / US_PER_MS;
      if (stat.kind === 'max') return histogram.maxValue / US_PER_MS;
      return histogram.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : histogram.minNonZeroValue / US_PER_MS;
    }
    case 'error_rate':
      if (stat.level === 'call')
        return population.calls && population.calls.calls > 0 ? (population.calls.failed / population.calls.calls) * 100 : undefined;
      return population.requests > 0 ? (population.errors.total / population.requests) * 100 : undefined;
    case 'status': {
      if (population.requests === 0) return undefined;
      const matching = Object.entries(population.errors.byStatus)
        .filter(([status]) => statusMatches(stat.status, status))
        .reduce((sum, [, count]) => sum + count, 0);
      return (matching / population.requests) * 100;
    }
    case 'throughput':
      return population.requests > 0 ? population.throughput : undefined;
    case 'requests':
      return population.requests;
    case 'checks': {
      const { passes, evaluated } = checkTotals(population.checks ?? []);
      return evaluated > 0 ? (passes / evaluated) * 100 : undefined;
    }
  }
}

/** "5xx" matches any 5.. status; "429" only itself. */
function statusMatches(pattern: string, status: string): boolean {
  return pattern.endsWith('xx') ? status.length === 3 && status[0] === pattern[0] : status === pattern;
}

export function compare(observed: number, operator: ComparisonOperator, limit: number): boolean {
  switch (operator) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
      return observed === limit;
    case '!=':
      return observed !== limit;
  }
}

function verdictOf(threshold: Threshold, observed: number | undefined, missing?: string): ThresholdVerdict {
  const base = { expression: threshold.expression, metric: statLabel(threshold), limit: threshold.limit, unit: threshold.unit };
  if (observed === undefined) return { ...base, observed: undefined, pass: false, note: missing ?? 'no samples recorded' };
  return { ...base, observed, pass: compare(observed, threshold.operator, threshold.limit) };
}
