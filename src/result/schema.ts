import { z } from 'zod';
import { RESULT_SCHEMA } from './types.js';
import { encodedHistogramProblem } from './histogram-check.js';

/**
 * result.json as readers need it, checked with the machinery that checks scenarios: a file that fails here
 * would otherwise crash analysis, compare, merge or report with a stack trace somewhere deep inside. Loose
 * objects: fields this version does not read are kept, not refused, so a newer writer's extras do not break it.
 */

const count = z.number().finite().nonnegative();
const ms = z.number().finite().nonnegative();
/** a figure that may be absent (null) when nothing was recorded for it */
const figure = z.number().finite().nullable();

const histogram = z.string().superRefine((encoded, ctx) => {
  const problem = encodedHistogramProblem(encoded);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

// Any metric name, for the same reason; each value must decode.
const histograms = z.record(z.string(), histogram);

const latency = z.looseObject({
  count,
  min: figure,
  mean: figure,
  p50: figure,
  p90: figure,
  p95: figure,
  p99: figure,
  p999: figure,
  max: figure,
});

const errorCounts = z.looseObject({
  total: count,
  // Any kind name: a later version may count kinds this one does not know; the counts must still be counts.
  byKind: z.record(z.string(), count),
  byStatus: z.record(z.string(), count),
  firstMessages: z.record(z.string(), z.string()).optional(),
});

const counters = z.looseObject({
  retries: count,
  rateLimited: count,
  authRefreshes: count,
  dropped: count,
  tokensFromUsage: count,
  tokensFromChunks: count,
  serverTimingRejected: count.optional(),
  hedges: count.optional(),
  breakerRejected: count.optional(),
});

// Calls by outcome must add up: a reader sums them and divides by the count.
const calls = z
  .looseObject({
    calls: count,
    failed: count,
    errorRate: z.number().min(0).max(1),
    outcomes: z.looseObject({
      succeededFirstTime: count,
      succeededAfterRetries: count,
      gaveUp: count,
      timedOut: count,
      interrupted: count,
    }),
    latency,
  })
  .superRefine((value, ctx) => {
    const { succeededFirstTime, succeededAfterRetries, gaveUp, timedOut, interrupted } = value.outcomes;
    if (succeededFirstTime + succeededAfterRetries + gaveUp + timedOut + interrupted !== value.calls)
      ctx.addIssue({ code: 'custom', path: ['outcomes'], message: `call outcomes do not add up to ${value.calls} calls` });
    if (gaveUp + timedOut + interrupted !== value.failed)
      ctx.addIssue({ code: 'custom', path: ['failed'], message: `${value.failed} failed calls, but the failed outcomes add up otherwise` });
  });

const loadSummary = {
  requests: count,
  errors: count,
  errorRate: z.number().min(0).max(1),
  throughput: count,
  successThroughput: count,
  latency,
  latencyUncorrected: latency.optional(),
  calls: calls.optional(),
};

const interval = z.looseObject({
  ...loadSummary,
  index: z.number().int().nonnegative(),
  startMs: ms,
  endMs: ms,
  stage: z.number().int().nonnegative(),
  target: count,
  achievedConcurrency: count,
  sentPerSec: count,
  errorsByKind: errorCounts,
  histograms,
});

const stage = z.looseObject({
  ...loadSummary,
  index: z.number().int().nonnegative(),
  name: z.string(),
  kind: z.enum(['hold', 'ramp', 'step', 'spike', 'probe', 'sweep', 'drain']),
  engine: z.string(),
  startMs: ms,
  endMs: ms,
  target: count,
  targetFrom: count,
  achievedConcurrency: count,
  sentPerSec: count,
  errorsByKind: errorCounts,
  counters,
  histograms,
});

const checkTally = z.looseObject({ label: z.string(), passes: count, fails: count, firstFailure: z.string().optional() });

const requestName = z.looseObject({
  ...loadSummary,
  name: z.string(),
  errorsByKind: errorCounts,
  histograms,
  checks: z.array(checkTally).optional(),
  tokens: count.optional(),
});

const flowResult = z.looseObject({
  name: z.string(),
  iterations: count,
  completed: count,
  failed: count,
  interrupted: count,
  failedAt: z.record(z.string(), count),
  throughput: count,
  latency,
  histograms,
});

const jobResult = z.looseObject({
  name: z.string(),
  mode: z.enum(['poll', 'callback']),
  submitted: count,
  done: count,
  failed: count,
  expired: count,
  lost: count,
  interrupted: count,
  polls: count,
  pollsPerJob: z.looseObject({ mean: figure, p50: figure, p99: figure, max: figure }).nullable(),
  completion: latency,
  histograms,
});

const spread = z.looseObject({ p50: figure, p99: figure, max: figure });

const health = z.looseObject({
  valid: z.boolean(),
  reasons: z.array(z.string()),
  workers: z.number().int().nonnegative(),
  eventLoopDelayMs: spread,
  // Named differently across versions (workerCpu, then eventLoopUtilization / threadCpu / processCpu): checked
  // when present, so a result from either side of the rename reads.
  workerCpu: z.looseObject({ mean: figure, max: figure }).optional(),
  eventLoopUtilization: z.looseObject({ mean: figure, max: figure }).optional(),
  threadCpu: z.looseObject({ mean: figure, max: figure }).nullable().optional(),
  processCpu: z.looseObject({}).optional(),
  scheduleLagMs: spread,
  socketErrors: z.record(z.string(), count),
  // Recorded since the load threads counted their collections: absent in older results.
  gc: z.looseObject({ collections: count, majorCollections: count, pauseTotalMs: figure, pauseMaxMs: figure }).optional(),
});

export const runResultSchema = z.looseObject({
  schema: z.literal(RESULT_SCHEMA),
  tool: z.looseObject({ name: z.string(), version: z.string() }),
  scenario: z.looseObject({ name: z.string(), file: z.string().optional(), definition: z.unknown() }),
  model: z.enum(['closed', 'open']),
  engine: z.string(),
  target: z.looseObject({ url: z.string() }),
  tls: z.looseObject({ insecure: z.boolean() }).optional(),
  environment: z.looseObject({}),
  startedAt: z.string(),
  durationMs: ms,
  scheduledDurationMs: ms,
  intervalMs: z.number().finite().positive(),
  interrupted: z.boolean(),
  serverTiming: z.looseObject({ source: z.string(), header: z.string(), metric: z.string() }),
  thresholds: z.array(z.string()),
  stages: z.array(stage),
  intervals: z.array(interval),
  totals: z.looseObject({ ...loadSummary, errorsByKind: errorCounts, counters, achievedConcurrency: count }),
  requestsByName: z.record(z.string(), requestName),
  flows: z.record(z.string(), flowResult).optional(),
  jobs: z.record(z.string(), jobResult).optional(),
  histograms,
  health,
  shard: z.looseObject({ index: z.number().int().nonnegative(), count: z.number().int().positive() }).optional(),
});
