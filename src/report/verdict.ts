import type { Analysis } from '../analysis/types.js';
import { evaluateThresholds, parseThreshold } from '../analysis/thresholds/index.js';
import { formatValue } from './threshold-text.js';
import type { RunResult } from '../result/types.js';
import { formatMs, formatPercent } from './format.js';

/** One pass/fail line of the verdict: a threshold from the scenario or an SLO objective. */
export interface Check {
  name: string;
  /** undefined: not evaluated (no verdict was available for it) */
  pass: boolean | undefined;
  observed: string;
  limit: string;
}

export interface Verdict {
  /** invalid outranks fail: a failed check on an invalid run says nothing about the target */
  status: 'pass' | 'fail' | 'invalid' | 'unchecked';
  thresholds: Check[];
  slo: Check[];
  validity: { valid: boolean; interrupted: boolean; reasons: string[]; warnings: string[] };
}

/**
 * The run's verdict from its result and analysis alone. Thresholds are judged by the threshold evaluator on
 * the result's merged histograms (the same judgement `run` exits on); SLO objectives are plain limits on
 * the totals. A threshold the evaluator cannot read is listed as not evaluated, with its error.
 */
export function verdictOf(result: RunResult, analysis: Analysis): Verdict {
  const thresholds = result.thresholds.map(thresholdCheck(result));
  const slo = sloChecks(result);
  const validity = {
    valid: analysis.validity.valid && result.health.valid,
    interrupted: result.interrupted,
    reasons: [...new Set([...analysis.validity.reasons, ...result.health.reasons])],
    warnings: analysis.validity.warnings,
  };
  const checks = [...thresholds, ...slo];
  const status = !validity.valid
    ? 'invalid'
    : checks.some((c) => c.pass === false)
      ? 'fail'
      : checks.some((c) => c.pass === true)
        ? 'pass'
        : 'unchecked';
  return { status, thresholds, slo, validity };
}

function thresholdCheck(result: RunResult): (expression: string) => Check {
  return (expression) => {
    try {
      const threshold = parseThreshold(expression);
      const [verdict] = evaluateThresholds(result, [threshold]);
      const observed = verdict!.observed === undefined ? `no data${verdict!.note ? ` (${verdict!.note})` : ''}` : `${verdict!.metric} = ${formatValue(verdict!.observed, verdict!.unit)}`;
      return { name: expression, pass: verdict!.pass, observed, limit: `${threshold.operator} ${formatValue(threshold.limit, threshold.unit)}` };
    } catch (error) {
      return { name: expression, pass: undefined, observed: `not evaluated: ${(error as Error).message}`, limit: '' };
    }
  };
}

function sloChecks(result: RunResult): Check[] {
  const slo = result.slo;
  if (!slo) return [];
  const latency = result.totals.latency;
  const checks: Check[] = [];
  const latencyCheck = (name: string, observed: number, limit: number | undefined) => {
    if (limit !== undefined) checks.push({ name: `SLO ${name}`, pass: observed <= limit, observed: `${formatMs(observed)} ms`, limit: `≤ ${formatMs(limit)} ms` });
  };
  latencyCheck('p50', latency.p50, slo.p50Ms);
  latencyCheck('p95', latency.p95, slo.p95Ms);
  latencyCheck('p99', latency.p99, slo.p99Ms);
  if (slo.errorRate !== undefined) {
    checks.push({ name: 'SLO error rate', pass: result.totals.errorRate <= slo.errorRate, observed: formatPercent(result.totals.errorRate), limit: `≤ ${formatPercent(slo.errorRate)}` });
  }
  return checks;
}

export const STATUS_WORD: Record<Verdict['status'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  invalid: 'INVALID RUN',
  unchecked: 'NO CHECKS',
};
