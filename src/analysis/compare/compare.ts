import type { RunResult } from '../../result/types.js';
import { blockBootstrap, blockLengthFor, iidBootstrap, runSample, statsOf, type RunSample, type SampleStats } from './bootstrap.js';
import { twoProportionTest } from './proportion.js';
import {
  DEFAULT_COMPARE_RULES,
  compareStatLabel,
  parseCompareRule,
  type ComparableMetric,
  type CompareRule,
  type CompareStat,
} from '../../metrics/grammar/compare-rule.js';
import { normalQuantile, quantileSorted } from './stats.js';

export interface CompareOptions {
  /** rule texts such as "p99 +10%"; DEFAULT_COMPARE_RULES when absent or empty */
  rules?: readonly string[];
  /** two-sided confidence of the intervals, 0.95 by default */
  confidence?: number;
  replicates?: number;
  seed?: number;
}

export const COMPARE_DEFAULTS = {
  confidence: 0.95,
  replicates: 2000,
  seed: 1,
  percentiles: [50, 90, 99, 99.9],
  metrics: ['total', 'ttfb'] as ComparableMetric[],
};

/** Fewer intervals than this per run and the block bootstrap has too little to resample. */
export const MIN_INTERVALS_FOR_BLOCKS = 6;

export interface MetricChange {
  label: string;
  stat: CompareStat;
  unit: 'ms' | 'req/s' | '%';
  baseline: number;
  current: number;
  /** relative change (0.1 = +10%) for latency and throughput; percentage points for error_rate */
  change: number;
  changeUnit: 'relative' | 'pp';
  ci: [number, number];
  /** two-sided p-value of "no change" */
  pValue: number;
}

export type RuleOutcome = 'regression' | 'pass' | 'improvement';

export interface RuleVerdict {
  rule: string;
  label: string;
  tolerance: number;
  outcome: RuleOutcome;
  /** the change is in the bad direction and beyond the tolerance (point estimate) */
  beyondTolerance: boolean;
  /** the confidence interval excludes no change */
  significant: boolean;
  change: MetricChange;
}

export interface Comparison {
  schema: 'tailscope.compare/v1';
  baseline: { scenario: string; startedAt: string; requests: number; intervals: number };
  current: { scenario: string; startedAt: string; requests: number; intervals: number };
  /** family-wise confidence over all rules; each rule's interval is at `perRuleConfidence` (Bonferroni) */
  confidence: number;
  perRuleConfidence: number;
  method: {
    latency: 'block-bootstrap' | 'iid-requests';
    replicates: number;
    seed: number;
    blockIntervals?: { baseline: number; current: number };
    errorRate: 'two-proportion-overdispersed';
  };
  changes: MetricChange[];
  rules: RuleVerdict[];
  regression: boolean;
  warnings: string[];
}

/**
 * Compares two runs of the same scenario. Each rule's change is flagged only when it is both beyond the rule's
 * tolerance and statistically significant at the given confidence: noise alone should not fail a build, and
 * neither should a significant but negligible change. Deterministic for a given seed.
 */
export function compareRuns(baseline: RunResult, current: RunResult, options: CompareOptions = {}): Comparison {
  const confidence = options.confidence ?? COMPARE_DEFAULTS.confidence;
  const replicates = options.replicates ?? COMPARE_DEFAULTS.replicates;
  const seed = options.seed ?? COMPARE_DEFAULTS.seed;
  const rules = (options.rules && options.rules.length > 0 ? options.rules : DEFAULT_COMPARE_RULES).map(parseCompareRule);
  const warnings: string[] = [];

  const stats: CompareStat[] = [];
  for (const metric of COMPARE_DEFAULTS.metrics)
    for (const percentile of COMPARE_DEFAULTS.percentiles) stats.push({ kind: 'percentile', percentile, metric });
  stats.push({ kind: 'throughput' }, { kind: 'error_rate' });
  for (const rule of rules) if (!stats.some((s) => compareStatLabel(s) === compareStatLabel(rule.stat))) stats.push(rule.stat);

  const wants: Record<string, number[]> = {};
  for (const s of stats) if (s.kind === 'percentile') (wants[s.metric] ??= []).push(s.percentile);
  for (const list of Object.values(wants)) list.sort((a, b) => a - b);
  const metrics = Object.keys(wants) as ComparableMetric[];

  const base = runSample(baseline, metrics);
  const cur = runSample(current, metrics);
  // The point estimates: every interval once, i.e. the whole run's merged histograms.
  const whole = (sample: RunSample) =>
    statsOf(
      sample,
      Uint32Array.from(sample.requests, (_, i) => i),
      wants,
      new Map(),
    );
  const observed = { baseline: whole(base), current: whole(cur) };

  const nb = baseline.intervals.length;
  const nc = current.intervals.length;
  const useBlocks = nb >= MIN_INTERVALS_FOR_BLOCKS && nc >= MIN_INTERVALS_FOR_BLOCKS;
  let draws: { baseline: SampleStats[]; current: SampleStats[] };
  if (useBlocks) {
    draws = blockBootstrap(base, cur, wants, { replicates, seed });
  } else {
    warnings.push(
      `only ${Math.min(nb, nc)} intervals in a run (fewer than ${MIN_INTERVALS_FOR_BLOCKS}): requests were treated as independent, ` +
        'so the intervals are narrower than the truth; run longer or set a shorter interval',
    );
    draws = {
      baseline: iidBootstrap(base, wants, { replicates, seed, seedOffset: 0 }),
      current: iidBootstrap(cur, wants, { replicates, seed, seedOffset: 7919 }),
    };
  }

  // Several rules judge one comparison: Bonferroni keeps the chance that any of them fires on noise alone
  // at 1 − confidence, instead of 1 − confidence per rule.
  const perRuleConfidence = 1 - (1 - confidence) / rules.length;
  const z = normalQuantile(1 - (1 - perRuleConfidence) / 2);
  const errorTest = twoProportionTest(base, cur, z);
  const changes = stats.map((stat) => changeOf(stat, wants, observed, draws, perRuleConfidence, errorTest));
  if (baseline.interrupted || current.interrupted) warnings.push('a run was interrupted: it covers less than its schedule');
  if (!baseline.health.valid || !current.health.valid)
    warnings.push("a run is marked invalid (the load generator saturated): its latency is not the target's");

  const verdicts = rules.map((rule) =>
    verdictOf(
      rule,
      changes.find((c) => c.label === compareStatLabel(rule.stat))!,
    ),
  );
  return {
    schema: 'tailscope.compare/v1',
    baseline: { scenario: baseline.scenario.name, startedAt: baseline.startedAt, requests: baseline.totals.requests, intervals: nb },
    current: { scenario: current.scenario.name, startedAt: current.startedAt, requests: current.totals.requests, intervals: nc },
    confidence,
    perRuleConfidence,
    method: {
      latency: useBlocks ? 'block-bootstrap' : 'iid-requests',
      replicates,
      seed,
      ...(useBlocks ? { blockIntervals: { baseline: blockLengthFor(maxStratum(base)), current: blockLengthFor(maxStratum(cur)) } } : {}),
      errorRate: 'two-proportion-overdispersed',
    },
    changes,
    rules: verdicts,
    regression: verdicts.some((v) => v.outcome === 'regression'),
    warnings,
  };
}

function maxStratum(sample: RunSample): number {
  return Math.max(0, ...sample.strata.map((s) => s.length));
}

function changeOf(
  stat: CompareStat,
  wants: Readonly<Record<string, readonly number[]>>,
  observed: { baseline: SampleStats; current: SampleStats },
  draws: { baseline: SampleStats[]; current: SampleStats[] },
  confidence: number,
  errorTest: ReturnType<typeof twoProportionTest>,
): MetricChange {
  const label = compareStatLabel(stat);
  if (stat.kind === 'error_rate') {
    return {
      label,
      stat,
      unit: '%',
      baseline: errorTest.baselineRate * 100,
      current: errorTest.currentRate * 100,
      change: errorTest.differencePp,
      changeUnit: 'pp',
      ci: errorTest.ciPp,
      pValue: errorTest.pValue,
    };
  }
  const read = (s: SampleStats): number => {
    if (stat.kind === 'throughput') return s.throughput;
    // statsOf returns the wanted percentiles of a metric in the (ascending) order they were asked for.
    const index = wants[stat.metric]?.indexOf(stat.percentile) ?? -1;
    return index >= 0 ? (s.percentilesUs[stat.metric]?.[index] ?? NaN) : NaN;
  };
  const b = read(observed.baseline);
  const c = read(observed.current);
  const deltas = Float64Array.from(draws.baseline.map((sb, i) => read(draws.current[i]!) / read(sb) - 1))
    .filter(Number.isFinite)
    .sort();
  const alpha = 1 - confidence;
  const ci: [number, number] = deltas.length > 0 ? [quantileSorted(deltas, alpha / 2), quantileSorted(deltas, 1 - alpha / 2)] : [NaN, NaN];
  let below = 0;
  let above = 0;
  for (const d of deltas) {
    if (d <= 0) below++;
    if (d >= 0) above++;
  }
  // Bootstrap p-value of "no change", with the +1 correction so it is never reported as exactly 0.
  const pValue = deltas.length > 0 ? Math.min(1, (2 * (Math.min(below, above) + 1)) / (deltas.length + 1)) : NaN;
  const toUnit = stat.kind === 'throughput' ? 1 : 1 / 1000;
  return {
    label,
    stat,
    unit: stat.kind === 'throughput' ? 'req/s' : 'ms',
    baseline: b * toUnit,
    current: c * toUnit,
    change: c / b - 1,
    changeUnit: 'relative',
    ci,
    pValue,
  };
}

function verdictOf(rule: CompareRule, change: MetricChange): RuleVerdict {
  const bad = rule.worse === 'up' ? 1 : -1;
  const signed = change.change * bad;
  const [low, high] = change.ci;
  const significant = Number.isFinite(low) && (low > 0 || high < 0);
  const beyondTolerance = signed > rule.tolerance;
  const betterBeyond = -signed > rule.tolerance;
  const outcome: RuleOutcome = significant && beyondTolerance ? 'regression' : significant && betterBeyond ? 'improvement' : 'pass';
  return { rule: rule.text, label: change.label, tolerance: rule.tolerance, outcome, beyondTolerance, significant, change };
}
