import type { ErrorCounts, RunResult } from '../result/types.js';
import { decodeDistribution, quantileMs, shareAboveMs } from './distribution.js';
import { replayPolicy } from './replay.js';
import { retrySafeOnTimeout, runConfigOf } from './run-config.js';
import { envoySnippet, fetchSnippet, pollySnippet, resilience4jSnippet, undiciSnippet, type SnippetValues } from './snippets.js';
import { niceCeilMs } from './timeouts.js';
import type { CapacityAnalysis, ResilienceAdvice, TimeoutAdvice } from './types.js';

export const RESILIENCE_RULES = {
  /** residual failure share retries aim for (a tenth of the SLO's error rate when one is set) */
  residualFailureGoal: 1e-4,
  maxRetriesCap: 3,
  /** at or above this failure share failures are not independent: retrying only adds load */
  hopelessFailureShare: 0.5,
  /** the budget covers this multiple of the failure share seen, within Finagle's usual 10–20% band */
  budgetFailureMultiple: 3,
  budgetBounds: { min: 0.1, max: 0.2 },
  /** Finagle's default floor (retries/s allowed whatever the traffic) and Envoy's min_retry_concurrency */
  minRetriesPerSec: 10,
  minRetryConcurrency: 3,
  hedgeQuantile: 0.95,
  /** backoff base: the median latency (a retry sooner than a typical response only piles on), at least 10 ms */
  minBackoffBaseMs: 10,
  /** breaker trips at this multiple of the failure share seen, at least 5%, at most 50% */
  breakerFailureMultiple: 5,
  replaySamples: 20_000,
  replaySeed: 1,
} as const;

/** Share of attempts that failed in a way a retry can fix: 5xx, resets, connection failures and timeouts. */
export function retryableFailureShare(requests: number, errors: ErrorCounts): number {
  if (requests === 0) return 0;
  const fivexx = Object.entries(errors.byStatus).reduce((sum, [status, count]) => sum + (Number(status) >= 500 ? count : 0), 0);
  const k = errors.byKind;
  const other =
    (k.reset ?? 0) +
    (k.garbage ?? 0) +
    (k.refused ?? 0) +
    (k.timeout_connect ?? 0) +
    (k.timeout_first_byte ?? 0) +
    (k.timeout_total ?? 0) +
    (k.timeout_idle ?? 0);
  return (fivexx + other) / requests;
}

/** Fewest retries (≤ cap) that bring independent failures at share p down to the goal: p^(R+1) ≤ goal. */
export function retriesFor(failureShare: number, goal: number): number {
  if (failureShare <= 0) return 1;
  if (failureShare >= RESILIENCE_RULES.hopelessFailureShare) return 0;
  const needed = Math.ceil(Math.log(goal) / Math.log(failureShare)) - 1;
  return Math.min(RESILIENCE_RULES.maxRetriesCap, Math.max(1, needed));
}

export function resilienceOf(result: RunResult, capacity: CapacityAnalysis, timeouts: TimeoutAdvice): ResilienceAdvice {
  const R = RESILIENCE_RULES;
  const warnings: string[] = [];
  const basisStage = 'stage' in timeouts.basis ? result.stages[timeouts.basis.stage] : undefined;
  const histograms = basisStage?.histograms ?? result.histograms;
  const requests = basisStage?.requests ?? result.totals.requests;
  const errors = basisStage?.errorsByKind ?? result.totals.errorsByKind;
  const failureShare = retryableFailureShare(requests, errors);
  const goal = result.slo?.errorRate !== undefined ? Math.min(R.residualFailureGoal, result.slo.errorRate / 10) : R.residualFailureGoal;
  const maxRetries = retriesFor(failureShare, goal);
  if (failureShare >= R.hopelessFailureShare)
    warnings.push(
      `${(failureShare * 100).toFixed(1)}% of attempts failed: failures this common are not independent, and retries would only add load`,
    );

  const total = decodeDistribution(histograms.total);
  const p50Ms = total ? quantileMs(total, 0.5) : 0;
  const baseMs = Math.max(R.minBackoffBaseMs, niceCeilMs(p50Ms));
  const maxBackoffMs = baseMs * 2 ** R.maxRetriesCap;

  const budgetRatio = Math.min(R.budgetBounds.max, Math.max(R.budgetBounds.min, R.budgetFailureMultiple * failureShare));

  const hedgeDelayMs = total ? niceCeilMs(quantileMs(total, R.hedgeQuantile)) : 0;
  // Without first-byte times the hedge is not replayed: its effect is unknown (null), not zero.
  const hedging: ResilienceAdvice['hedging'] = {
    delayMs: hedgeDelayMs,
    quantile: R.hedgeQuantile,
    extraLoadShare: null,
    p99WithoutMs: null,
    p99WithMs: null,
    method: '',
  };
  if (total && result.histograms.ttfb) {
    const replayed = replayPolicy(
      { histograms, requests, errors },
      {
        timeouts: {},
        retries: { max: 0, backoff: 'exponential', baseMs, maxBackoffMs, jitter: 'full', on: [] },
        hedge: { delayMs: hedgeDelayMs },
        samples: R.replaySamples,
        seed: R.replaySeed,
      },
    );
    hedging.extraLoadShare = shareAboveMs(total, hedgeDelayMs);
    hedging.p99WithoutMs = replayed.baseline.p99;
    hedging.p99WithMs = replayed.effective.p99;
    hedging.method = `hedge at the p95 of total latency (Dean & Barroso, The Tail at Scale): a second copy goes out for every request still waiting then, so the extra load is the share above the delay (read from the histogram); p99 with and without by Monte Carlo replay (seed ${R.replaySeed}), assuming the copy's latency is independent of the first's — on a saturated server it is not, and hedging then adds queueing`;
  }

  // A limit is read at a knee the run loaded past only: without one, the in-flight count is just the load the
  // run was given (its virtual users or arrival rate), and echoing it back as a limit would cap production at
  // the test's size. A knee at the heaviest stage is the same: the run never saw where scaling stopped.
  const kneePoint = capacity.knee ? capacity.points.find((p) => p.stage === capacity.knee!.stage) : undefined;
  const knee = kneePoint && capacity.points.some((p) => p.load > kneePoint.load) ? kneePoint : undefined;
  const kneeConcurrency = knee ? (result.model === 'closed' ? knee.concurrency : (knee.throughput * knee.meanLatencyMs) / 1000) : 0;
  const concurrencyLimit = knee ? Math.max(1, Math.ceil(kneeConcurrency)) : null;
  const noKneeReason =
    capacity.points.length < 2
      ? 'one load level'
      : kneePoint
        ? 'the knee is the heaviest load the run reached: it never loaded past it'
        : 'no stage met the SLO';
  if (!knee)
    warnings.push(
      `no knee was found (${noKneeReason}): a concurrency limit and the circuit breaker's caps cannot be derived from this run — the in-flight requests it measured are only the load it was given. Run stages past the knee (steps or a ramp) to size them`,
    );
  const breakerThreshold = Math.min(0.5, Math.max(0.05, R.breakerFailureMultiple * failureShare));
  if (!result.health.valid || result.interrupted)
    warnings.push('these recommendations rest on an invalid or interrupted run: re-run before using them');
  warnings.push(...timeouts.warnings.filter((w) => w.includes('rests on') || w.startsWith('censored')));

  // POST / PATCH without an Idempotency-Key: a timeout, a reset or a 5xx after sending may mean it was applied.
  const unsafe = runConfigOf(result.scenario.definition).requests.filter((r) => !retrySafeOnTimeout(r));
  const retryOnTimeout = unsafe.length === 0;
  if (!retryOnTimeout)
    warnings.push(
      `${unsafe.map((r) => `${r.method} ${r.name}`).join(', ')} ${unsafe.length === 1 ? 'is' : 'are'} not idempotent and carr${unsafe.length === 1 ? 'ies' : 'y'} no Idempotency-Key: the snippets never retry ${unsafe.length === 1 ? 'it' : 'them'} after a timeout, reset or 5xx (the first attempt may have been applied), only when the connection failed before anything was sent. Add an Idempotency-Key header the server deduplicates by to retry them safely`,
    );

  const timeoutOf = (phase: string, fallbackMs: number) => timeouts.recommended.find((c) => c.phase === phase)?.timeoutMs ?? fallbackMs;
  const measured = (phase: string) => timeouts.recommended.some((c) => c.phase === phase);
  // Stock figures stand in for what the run could not measure; the snippets mark each one as a default.
  const defaults: SnippetValues['defaults'] = [
    ...(measured('connect') ? [] : (['connectMs'] as const)),
    ...(measured('firstByte') || measured('total') ? [] : (['firstByteMs'] as const)),
    ...(measured('total') ? [] : (['totalMs'] as const)),
  ];
  const values: SnippetValues = {
    connectMs: timeoutOf('connect', 1000),
    firstByteMs: timeoutOf('firstByte', timeoutOf('total', 30_000)),
    totalMs: timeoutOf('total', 30_000),
    ...(timeouts.recommended.some((c) => c.phase === 'idle') ? { idleMs: timeoutOf('idle', 30_000) } : {}),
    maxRetries,
    baseMs,
    maxBackoffMs,
    budgetRatio,
    minRetryConcurrency: R.minRetryConcurrency,
    hedgeDelayMs,
    concurrencyLimit,
    maxPending: concurrencyLimit,
    breakerFailureShare: breakerThreshold,
    retryOnTimeout,
    defaults,
  };

  return {
    maxRetries: {
      value: maxRetries,
      failureShare,
      rule: `fewest retries R ≤ ${R.maxRetriesCap} with p^(R+1) ≤ ${goal} for the retryable failure share p = ${(failureShare * 100).toFixed(3)}% seen per attempt (independent failures assumed); at least 1 for transients the run did not see, 0 when p ≥ ${R.hopelessFailureShare * 100}%`,
    },
    backoff: {
      kind: 'exponential',
      baseMs,
      maxBackoffMs,
      jitter: 'full',
      rule: `base = median latency rounded up (${p50Ms.toFixed(1)} ms, at least ${R.minBackoffBaseMs} ms), doubling per retry up to base·2^${R.maxRetriesCap}; full jitter (uniform in [0, delay]) so clients that failed together do not retry together`,
    },
    retryBudget: {
      ratio: budgetRatio,
      minRetriesPerSec: R.minRetriesPerSec,
      minRetryConcurrency: R.minRetryConcurrency,
      rule: `${R.budgetFailureMultiple}× the retryable failure share, kept within ${R.budgetBounds.min * 100}–${R.budgetBounds.max * 100}% (Finagle's default is 20% with 10 retries/s as a floor; Envoy's retry_budget min_retry_concurrency 3): normal failures are retried, an outage cannot multiply load by more than 1 + ratio`,
    },
    hedging,
    concurrencyLimit: {
      value: concurrencyLimit,
      rule: knee
        ? `the ${result.model === 'closed' ? 'measured in-flight requests' : "in-flight requests by Little's law (throughput × mean latency)"} at the knee (stage ${knee.stage}): past it more concurrency only queues`
        : 'cannot be derived: the run has no knee, and the in-flight requests it measured are only the load it was given',
    },
    circuitBreaker: {
      failureRateThreshold: breakerThreshold,
      maxConcurrent: concurrencyLimit,
      maxPending: concurrencyLimit,
      rule: `open when the failure share over a window exceeds ${R.breakerFailureMultiple}× the ${(failureShare * 100).toFixed(2)}% seen (at least 5%, at most 50%); ${concurrencyLimit !== null ? "cap requests and pending requests at the knee's concurrency" : 'no caps on requests in flight: without a knee they cannot be derived'}`,
    },
    idempotency: {
      retryOnTimeout,
      notIdempotent: unsafe.map((r) => r.name),
      rule: 'POST and PATCH are not idempotent (RFC 9110 §9.2.2): after a timeout, reset or 5xx the first attempt may have been applied, so they are retried only when they carry an Idempotency-Key, or when the connection failed before anything was sent',
    },
    snippets: {
      undici: undiciSnippet(values),
      fetch: fetchSnippet(values),
      envoy: envoySnippet(values),
      resilience4j: resilience4jSnippet(values),
      polly: pollySnippet(values),
      defaults,
    },
    warnings,
  };
}
