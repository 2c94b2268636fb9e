import type { Analysis, ReplayResult, ResilienceAdvice, TimeoutAdvice } from '../../src/analysis/types.js';

/**
 * Advice with round, hand-picked figures (not computed), so tests can assert the exact text each section
 * shows for them.
 */

export const RESILIENCE: ResilienceAdvice = {
  maxRetries: { value: 2, failureShare: 0.012, rule: 'fewest retries R ≤ 3 with p^(R+1) ≤ 0.0001' },
  backoff: { kind: 'exponential', baseMs: 25, maxBackoffMs: 200, jitter: 'full', rule: 'base = median latency rounded up' },
  retryBudget: { ratio: 0.15, minRetriesPerSec: 10, minRetryConcurrency: 3, rule: '3× the retryable failure share, kept within 10–20%' },
  hedging: {
    delayMs: 48,
    quantile: 0.95,
    extraLoadShare: 0.051,
    p99WithoutMs: 142.4,
    p99WithMs: 63.2,
    method: 'hedge at the p95 of total latency',
  },
  concurrencyLimit: { value: 12, rule: 'the measured in-flight requests at the knee (stage 2)' },
  circuitBreaker: {
    failureRateThreshold: 0.06,
    maxConcurrent: 12,
    maxPending: 12,
    rule: 'open when the failure share over a window exceeds 5× the 1.20% seen',
  },
  idempotency: { retryOnTimeout: true, notIdempotent: [], rule: 'POST and PATCH are not idempotent' },
  snippets: {
    undici: 'const agent = new Agent({ headersTimeout: 1000 });\n',
    resilience4j: 'resilience4j:\n  retry: {}\n',
    polly: 'var pipeline = new ResiliencePipelineBuilder().Build();\n',
    fetch: "const agent = new Agent({ connect: { timeout: 120 } });\nif (a < b && c > d) retry('5xx');\n",
    defaults: [],
    envoy: 'route:\n  timeout: 0.25s\n  retry_policy: { num_retries: 2 }\n',
  },
  warnings: ['no knee was found: the concurrency limit is read at the heaviest stage'],
};

export const REPLAY: ReplayResult = {
  method: 'Monte Carlo over the recorded histograms (seed 7, 10000 logical requests)',
  policy: {
    timeouts: { connectMs: 500, firstByteMs: 150 },
    retries: { max: 2, backoff: 'exponential', baseMs: 25, maxBackoffMs: 200, jitter: 'full', on: ['5xx', 'timeout'] },
    budgetRatio: 0.2,
    hedge: { delayMs: 48 },
    samples: 10_000,
    seed: 7,
  },
  basis: { metric: 'ttfb+download', samples: 4200, failureShareByKind: { status: 0.012, timeout_total: 0.0005 } },
  logicalRequests: 10_000,
  successRate: 0.9991,
  effective: { p50: 31.5, p99: 96.2, p999: 212 },
  extraLoadShare: 0.0734,
  failuresByCause: { timeout_first_byte: 6, '5xx': 3 },
  baseline: { successRate: 0.988, p50: 30.7, p99: 144, p999: 199.4 },
  warnings: ['the run had timeouts of its own: those attempts are taken to exceed any policy timeout (censored)'],
};

export const BY_LEVEL: TimeoutAdvice['byLoadLevel'] = [
  {
    level: 'light',
    stage: 0,
    name: 'c2',
    target: 2,
    throughput: 99.5,
    timeouts: { firstByte: { timeoutMs: 62, cutShare: 0 }, total: { timeoutMs: 70, cutShare: 0.0005 } },
  },
  {
    level: 'nominal',
    stage: 1,
    name: 'c4',
    target: 4,
    throughput: 198,
    timeouts: { firstByte: { timeoutMs: 75, cutShare: 0.001 }, total: { timeoutMs: 82, cutShare: 0.0008 } },
  },
  { level: 'knee', stage: 2, name: 'c8', target: 8, throughput: 310, timeouts: { total: { timeoutMs: 160, cutShare: 0.00125 } } },
];

/** The analysis with the hand-picked advice above in place of the computed one. */
export function withFixedAdvice(analysis: Analysis): Analysis {
  return {
    ...analysis,
    resilience: RESILIENCE,
    replay: REPLAY,
    timeouts: { ...analysis.timeouts, basis: { level: 'knee', stage: 2, name: 'c8', target: 8, throughput: 310 }, byLoadLevel: BY_LEVEL },
  };
}
