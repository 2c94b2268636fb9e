import type { RunResult } from '../result/types.js';
import { evaluateThresholds, parseThreshold } from './thresholds/index.js';
import { formatValue } from '../shared/format.js';
import { decodeHistogram } from '../shared/histogram.js';
import { EMPTY_SUMMARY, summarize } from '../shared/latency-summary.js';
import { successfulHistograms } from './timeouts.js';
import type { Validity, Verdict, VerdictCheck, VerdictStatus } from './types.js';

/**
 * The run's one verdict, from its result and validity alone: thresholds judged by the threshold evaluator on
 * the merged histograms, SLO objectives as limits on the totals, and the generator's own health. Every output
 * (the exit code, summary.md, junit.xml, metrics.prom, the HTML page) reads this and nothing else.
 *
 * Precedence: a run the user stopped says nothing complete, so "interrupted" comes first; a run whose generator
 * or target failed measured nothing of the target, so "invalid" outranks "fail"; a run stopped by an abortOnFail
 * threshold failed.
 */
export function verdictOf(result: RunResult, validity: Validity): Verdict {
  // One shard saw part of the population: its checks are judged on the merged result (tailscope merge).
  // A search breaks the SLO on purpose above the capacity: its SLO check is whether it found one.
  const slo = result.search ? searchChecks(result) : sloChecks(result);
  const checks = result.shard ? [...thresholdChecks(result), ...slo].map(deferToMerge) : [...thresholdChecks(result), ...slo];
  const stoppedByUser = result.interrupted && !result.abortedBy;
  const status: VerdictStatus = stoppedByUser
    ? 'interrupted'
    : !result.health.valid
      ? 'invalid'
      : result.abortedBy || checks.some((c) => c.pass === false)
        ? 'fail'
        : checks.some((c) => c.pass === true)
          ? 'pass'
          : 'unchecked';
  return {
    status,
    checks,
    validity: {
      valid: result.health.valid,
      interrupted: result.interrupted,
      reasons: [...result.health.reasons],
      warnings: validity.warnings,
      ...(result.abortedBy ? { abortedBy: result.abortedBy } : {}),
    },
  };
}

function thresholdChecks(result: RunResult): VerdictCheck[] {
  return result.thresholds.map((expression) => {
    try {
      const threshold = parseThreshold(expression);
      const [verdict] = evaluateThresholds(result, [threshold]);
      const observed =
        verdict!.observed === undefined
          ? `no data${verdict!.note ? ` (${verdict!.note})` : ''}`
          : `${verdict!.metric} = ${formatValue(verdict!.observed, verdict!.unit)}`;
      return {
        kind: 'threshold',
        name: expression,
        pass: verdict!.pass,
        observed,
        limit: `${threshold.operator} ${formatValue(threshold.limit, threshold.unit)}`,
      };
    } catch (error) {
      return { kind: 'threshold', name: expression, pass: null, observed: `not evaluated: ${(error as Error).message}`, limit: '' };
    }
  });
}

/**
 * SLO objectives: limits on the totals. Latency objectives read the successful requests (failures are the
 * error-rate objective's business, and a failure at 0 ms must not make a run look fast). With no request to read
 * there is nothing to meet them: they fail.
 */
function sloChecks(result: RunResult): VerdictCheck[] {
  const slo = result.slo;
  if (!slo) return [];
  const { requests, errorRate } = result.totals;
  const successfulTotal = successfulHistograms(result.histograms).total;
  const latency = requests > 0 && successfulTotal ? summarize(decodeHistogram(successfulTotal)) : EMPTY_SUMMARY;
  const noData = requests === 0 ? 'no data (no request completed)' : 'no data (no request succeeded)';
  const checks: VerdictCheck[] = [];
  const latencyCheck = (name: string, observed: number, limitMs: number | undefined) => {
    if (limitMs === undefined) return;
    const limit = `≤ ${formatValue(limitMs, 'ms')}`;
    if (latency.count === 0) checks.push({ kind: 'slo', name: `SLO ${name}`, pass: false, observed: noData, limit });
    else checks.push({ kind: 'slo', name: `SLO ${name}`, pass: observed <= limitMs, observed: formatValue(observed, 'ms'), limit });
  };
  latencyCheck('p50', latency.p50, slo.p50Ms);
  latencyCheck('p95', latency.p95, slo.p95Ms);
  latencyCheck('p99', latency.p99, slo.p99Ms);
  if (slo.errorRate !== undefined) {
    const limit = `≤ ${formatValue(slo.errorRate * 100, '%')}`;
    if (requests === 0)
      checks.push({ kind: 'slo', name: 'SLO error rate', pass: false, observed: 'no data (no request completed)', limit });
    else
      checks.push({
        kind: 'slo',
        name: 'SLO error rate',
        pass: errorRate <= slo.errorRate,
        observed: formatValue(errorRate * 100, '%'),
        limit,
      });
  }
  return checks;
}

/**
 * A capacity search passes when it found a load that keeps the SLO (or the SLO held at its top), fails when even
 * its lowest load broke it. A generator-bound end leaves the run invalid (see run health), not failed; a stopped
 * search is judged as interrupted.
 */
function searchChecks(result: RunResult): VerdictCheck[] {
  const { conclusion } = result.search!;
  if (!conclusion || conclusion.kind === 'generator') return [];
  const unit = result.model === 'closed' ? 'users' : 'req/s';
  const pass = conclusion.kind !== 'fails-at-lowest';
  return [
    {
      kind: 'slo',
      name: 'capacity at SLO',
      pass,
      observed: pass ? `${conclusion.capacity} ${unit}` : `the SLO fails at the lowest load tried, ${conclusion.failedAt} ${unit}`,
      limit: `SLO kept at ${result.search!.settings.from} ${unit} or more`,
    },
  ];
}

function deferToMerge(check: VerdictCheck): VerdictCheck {
  return { ...check, pass: null, observed: `${check.observed} on this shard; judged on the merged result (tailscope merge)` };
}

/** How each status reads in a report header. */
export const STATUS_WORD: Record<VerdictStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  invalid: 'INVALID RUN',
  interrupted: 'INTERRUPTED',
  unchecked: 'NO CHECKS',
};
