export { parseThreshold, statLabel, ThresholdSyntaxError } from './parse.js';
export { evaluateThresholds, evaluateOnSnapshot } from './evaluate.js';
export { abortRules, createAbortWatch, failingAbortRule, type AbortRule } from './live.js';
export { formatValue, thresholdSuite, verdictLine } from './format.js';
export type { Threshold, ThresholdSpec, ThresholdVerdict, ThresholdStat, ObservedUnit, ComparisonOperator } from './types.js';
