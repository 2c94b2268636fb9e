import { TailscopeError } from '../../shared/errors.js';

/**
 * Regression rules: how much worse a metric may get before a comparison fails, e.g. `p99 +10%`,
 * `p99.9(ttfb) +25%`, `throughput -5%`, `error_rate +0.5pp`.
 */

/** Metrics that every interval of a result carries a histogram for (the block bootstrap resamples intervals). */
export const COMPARABLE_METRICS = ['total', 'ttfb', 'service', 'network'] as const;
export type ComparableMetric = (typeof COMPARABLE_METRICS)[number];

export type CompareStat =
  { kind: 'percentile'; percentile: number; metric: ComparableMetric } | { kind: 'throughput' } | { kind: 'error_rate' };

export interface CompareRule {
  text: string;
  stat: CompareStat;
  /** latency and throughput: relative change as a fraction (0.1 = 10%); error_rate: percentage points */
  tolerance: number;
  /** latency and errors regress upwards, throughput downwards */
  worse: 'up' | 'down';
}

export class CompareRuleError extends TailscopeError {
  readonly code = 'E_COMPARE_RULE';
  constructor(
    readonly rule: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`invalid compare rule "${rule}" at column ${position + 1}: ${reason}`);
  }
}

/**
 * Defaults: tolerances above what two identical 2 s runs differed by on a busy shared 2-core runner (p50 up to
 * +11.5%, p99 up to +20% in ten pairs). The intervals see the noise within a run; drift between runs (another
 * job starting on the runner) only the tolerance covers.
 */
export const DEFAULT_COMPARE_RULES: readonly string[] = ['p50 +15%', 'p90 +15%', 'p99 +20%', 'throughput -15%', 'error_rate +0.5pp'];

const RULE_PATTERN = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(?:\(\s*([A-Za-z_]+)\s*\))?\s*([+-])?\s*(\d+(?:\.\d+)?)?\s*([A-Za-z%]*)\s*$/;

export function parseCompareRule(text: string): CompareRule {
  const fail = (reason: string, at: number): never => {
    throw new CompareRuleError(text, at, reason);
  };
  const match = RULE_PATTERN.exec(text);
  if (!match) fail('expected e.g. "p99 +10%", "throughput -5%" or "error_rate +0.5pp"', firstBadColumn(text));
  const [, name, metricText, sign, numberText, unit] = match!;
  const at = (part: string | undefined) => (part === undefined ? text.length : Math.max(0, text.indexOf(part, text.indexOf(name!))));

  let stat: CompareStat;
  let worse: 'up' | 'down';
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(name!);
  if (percentile) {
    const p = Number(percentile[1]);
    if (!(p > 0 && p < 100)) fail(`percentile must be above 0 and below 100, got ${percentile[1]}`, at(name));
    const metric = metricText ?? 'total';
    if (!(COMPARABLE_METRICS as readonly string[]).includes(metric))
      fail(`compare works on ${COMPARABLE_METRICS.join(', ')}; got "${metric}"`, at(metricText));
    stat = { kind: 'percentile', percentile: p, metric: metric as ComparableMetric };
    worse = 'up';
  } else if (name === 'throughput' || name === 'error_rate') {
    if (metricText !== undefined) fail(`${name} takes no "( )" argument`, at(metricText));
    stat = { kind: name };
    worse = name === 'throughput' ? 'down' : 'up';
  } else {
    return fail(`unknown metric "${name}"; use pNN (p50, p99, p99.9), throughput or error_rate`, at(name));
  }
  if (sign === undefined) fail(`write the direction that is a regression: ${worse === 'up' ? '+' : '-'}`, at(numberText ?? unit));
  if ((sign === '+') !== (worse === 'up')) fail(`${name} regresses ${worse === 'up' ? 'upwards: use +' : 'downwards: use -'}`, at(sign));
  if (numberText === undefined) fail('expected a tolerance number', at(unit));
  const value = Number(numberText);
  if (stat.kind === 'error_rate') {
    if (unit !== 'pp') fail(`an error-rate tolerance is in percentage points: "${numberText}pp"`, unit ? at(unit) : text.length);
    return { text: text.trim(), stat, tolerance: value, worse };
  }
  if (unit !== '%')
    fail(
      `a ${stat.kind === 'throughput' ? 'throughput' : 'latency'} tolerance is relative: "${numberText}%"`,
      unit ? at(unit) : text.length,
    );
  return { text: text.trim(), stat, tolerance: value / 100, worse };
}

function firstBadColumn(text: string): number {
  const bad = /[^A-Za-z0-9_.()%+\-\s]/.exec(text);
  return bad ? bad.index : 0;
}

export function compareStatLabel(stat: CompareStat): string {
  if (stat.kind !== 'percentile') return stat.kind;
  return `p${stat.percentile}${stat.metric === 'total' ? '' : `(${stat.metric})`}`;
}
