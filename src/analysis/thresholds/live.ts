import { mergeSnapshots, type MetricSnapshot } from '../../metrics/metric-set.js';
import { evaluateOnSnapshot } from './evaluate.js';
import { parseThreshold } from '../../metrics/grammar/threshold.js';
import type { Threshold, ThresholdSpec, ThresholdVerdict } from './types.js';

export interface AbortRule {
  threshold: Threshold;
  delayAbortEvalMs: number;
}

/** The abortOnFail thresholds of a scenario, parsed once. */
export function abortRules(specs: readonly ThresholdSpec[]): AbortRule[] {
  return specs.filter((s) => s.abortOnFail).map((s) => ({ threshold: parseThreshold(s.threshold), delayAbortEvalMs: s.delayAbortEvalMs }));
}

/**
 * The first abortOnFail threshold that fails on everything merged so far, or undefined. Pure: the run command
 * feeds it the running merge of interval snapshots. A rule is not judged before its delay has passed, nor while
 * its stat has no samples, so a slow first interval cannot end a run on three requests.
 */
export function failingAbortRule(rules: readonly AbortRule[], merged: MetricSnapshot, elapsedMs: number): ThresholdVerdict | undefined {
  for (const rule of rules) {
    if (elapsedMs < rule.delayAbortEvalMs) continue;
    const verdict = evaluateOnSnapshot(rule.threshold, merged, elapsedMs);
    if (verdict && !verdict.pass) return verdict;
  }
  return undefined;
}

/**
 * Keeps the running merge of interval snapshots (one exact merge per interval, not a re-merge of all of them)
 * and reports the first abortOnFail failure once.
 */
export function createAbortWatch(rules: readonly AbortRule[], intervalMs: number) {
  let merged: MetricSnapshot | undefined;
  let lastIndex = -1;
  let fired = false;
  return {
    /** Feed one interval (merged across workers); returns the failing verdict the first time one fails. */
    onInterval(index: number, snapshot: MetricSnapshot): ThresholdVerdict | undefined {
      if (rules.length === 0 || fired) return undefined;
      merged = merged ? mergeSnapshots([merged, snapshot]) : snapshot;
      lastIndex = Math.max(lastIndex, index);
      const verdict = failingAbortRule(rules, merged, (lastIndex + 1) * intervalMs);
      if (verdict) fired = true;
      return verdict;
    },
  };
}
