export { compareRuns, COMPARE_DEFAULTS, type Comparison, type CompareOptions, type MetricChange, type RuleVerdict } from './compare.js';
export { comparabilityProblems, IncomparableRunsError } from './compatible.js';
export { parseCompareRule, CompareRuleError, DEFAULT_COMPARE_RULES, type CompareRule } from '../../metrics/grammar/compare-rule.js';
