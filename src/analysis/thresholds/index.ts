export { parseThreshold, statLabel, ThresholdSyntaxError } from '../../metrics/grammar/threshold.js';
export { evaluateThresholds, evaluateOnSnapshot } from './evaluate.js';
export { abortRules, createAbortWatch, failingAbortRule, type AbortRule } from './live.js';
export type { Threshold, ThresholdSpec, ThresholdVerdict, ThresholdStat, ObservedUnit, ComparisonOperator } from './types.js';
