import type { FlowMetricName, MetricName } from '../vocabulary.js';

export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/**
 * What a threshold measures:
 * - percentile / mean / min / max of a latency metric (ms); `flow` and `completion` read flows and async jobs
 *   (`{name=…}` scopes them to one flow, or one async step), every other metric reads requests
 * - error_rate: failed requests / completed requests; error_rate(call): failed calls / calls (the caller's view,
 *   after retries); error_rate(flow) and error_rate(completion): failed iterations, or failed jobs
 * - status: share of completed requests that failed with a status (429) or a status class (5xx)
 * - throughput: completed requests per second; requests: completed requests
 * - checks: passed response checks / evaluated response checks
 */
export type ThresholdStat =
  | { kind: 'percentile'; percentile: number; metric: MetricName | FlowMetricName }
  | { kind: 'mean' | 'min' | 'max'; metric: MetricName | FlowMetricName }
  /**
   * alone: failed attempts; `(call)`: failed calls (after retries); `(flow)` or `(completion)`: failed
   * iterations, or failed, expired and lost jobs, over those that ended
   */
  | { kind: 'error_rate'; level?: 'call'; metric?: FlowMetricName }
  | { kind: 'status'; status: string }
  | { kind: 'throughput' }
  | { kind: 'requests' }
  | { kind: 'checks' };

/** The unit a stat is observed in: latencies in ms, shares in percent, throughput in requests/s. */
export type ObservedUnit = 'ms' | '%' | 'req/s' | 'requests';

/** Narrows a threshold to one request name or one stage (by name or index). */
export type ThresholdScope = { request: string } | { stage: string } | undefined;

/** A parsed threshold expression; `limit` is already in `unit` (ms, percent, req/s, count). */
export interface Threshold {
  expression: string;
  stat: ThresholdStat;
  scope: ThresholdScope;
  /**
   * Which attempts a latency stat reads: the successful ones (the default: a failure at 0 ms must not make a
   * run look fast) or, with the tag `{attempts=all}`, every attempt, failures at the time they were given up.
   */
  attempts: 'successful' | 'all';
  operator: ComparisonOperator;
  limit: number;
  unit: ObservedUnit;
}

/** A threshold as a scenario gives it: the expression plus k6-style run-time abort options. */
export interface ThresholdSpec {
  threshold: string;
  abortOnFail: boolean;
  /** abortOnFail is not judged before this much of the run has passed (too few samples early on) */
  delayAbortEvalMs: number;
}
