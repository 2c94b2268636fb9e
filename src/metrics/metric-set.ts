import { addCheckTallies, type CheckOutcome, type CheckTally } from './checks.js';
import {
  CALL_OUTCOMES,
  METRIC_NAMES,
  type CallCounts,
  type CallOutcome,
  type ClientCounters,
  type ErrorCounts,
  type ErrorKind,
  type MetricName,
} from './vocabulary.js';
import { createHistogram, encodeHistogram, mergeEncoded, recordUs, type Histogram } from '../shared/histogram.js';

/** One finished attempt, reduced to what aggregation needs (all durations in µs, -1 = did not happen). */
export interface AttemptRecord {
  ok: boolean;
  status: number;
  errorKind?: ErrorKind;
  totalUs: number;
  /** open model: from the actual send time (-1 in a closed model, where there is no intended time) */
  totalUncorrectedUs: number;
  dnsUs: number;
  connectUs: number;
  tlsUs: number;
  writeUs: number;
  ttfbUs: number;
  downloadUs: number;
  serviceUs: number;
  queueUs: number;
  networkUs: number;
  ttftUs: number;
  interTokenUs?: readonly number[];
  /** completion tokens per the server's usage report (streams, or a plain JSON response), and stream chunks counted; kept apart */
  usageTokens?: number;
  chunkTokens?: number;
  /** the server reported more time than the client waited: its service time was left out */
  serverTimingRejected?: boolean;
  /** failures only: why, in one line, secrets scrubbed (see Outcome.errorMessage); kept once per kind */
  errorMessage?: string;
  /** the request's response checks, when it has any and a complete response arrived */
  checks?: readonly CheckOutcome[];
}

/** One finished call: how it ended, what the caller waited (µs) and how many attempts it sent. */
export interface CallRecord {
  outcome: CallOutcome;
  latencyUs: number;
  attempts: number;
}

export function emptyCounters(): ClientCounters {
  return {
    retries: 0,
    rateLimited: 0,
    authRefreshes: 0,
    dropped: 0,
    tokensFromUsage: 0,
    tokensFromChunks: 0,
    serverTimingRejected: 0,
    hedges: 0,
    breakerRejected: 0,
  };
}

export function emptyCalls(): CallCounts {
  return { calls: 0, failed: 0, outcomes: Object.fromEntries(CALL_OUTCOMES.map((o) => [o, 0])) as Record<CallOutcome, number> };
}

export function callSucceeded(outcome: CallOutcome): boolean {
  return outcome === 'succeededFirstTime' || outcome === 'succeededAfterRetries';
}

/** How a call whose last attempt failed with this kind ended. */
export function failedCallOutcome(kind: ErrorKind | undefined): CallOutcome {
  if (kind === 'interrupted') return 'interrupted';
  return kind !== undefined && kind.startsWith('timeout_') ? 'timedOut' : 'gaveUp';
}

/** A call made of one attempt (an engine that retries nothing): it ends as its attempt did. */
export function callOfAttempt(attempt: AttemptRecord): CallRecord {
  return { outcome: attempt.ok ? 'succeededFirstTime' : failedCallOutcome(attempt.errorKind), latencyUs: attempt.totalUs, attempts: 1 };
}

export function addCalls(into: CallCounts, from: CallCounts): void {
  into.calls += from.calls;
  into.failed += from.failed;
  for (const outcome of CALL_OUTCOMES) into.outcomes[outcome] += from.outcomes[outcome] ?? 0;
}

export function emptyErrors(): ErrorCounts {
  return { total: 0, byKind: {}, byStatus: {} };
}

/** The plain-data form of a MetricSet: what workers post and what the coordinator merges. */
export interface MetricSnapshot {
  requests: number;
  successes: number;
  /** requests started (sent), which differs from completed in a busy interval */
  sent: number;
  errors: ErrorCounts;
  counters: ClientCounters;
  /** calls (logical requests) finished, by outcome; their latency is the `call` histogram */
  calls: CallCounts;
  /** ∫ in-flight dt, in request·ms: divided by the covered time it is the mean concurrency */
  inFlightMs: number;
  histograms: Partial<Record<MetricName, string>>;
  /** response checks by label, present once a check was evaluated */
  checks?: CheckTally[];
}

/** Metric name → slot in a set's histogram array: recording indexes an array instead of hashing a name. */
const SLOT = Object.fromEntries(METRIC_NAMES.map((name, index) => [name, index])) as Record<MetricName, number>;

/**
 * Accumulates attempts into HDR histograms and counters. Recording is a handful of integer bucket
 * increments: nothing allocates per request except the lazily created histogram of a new metric.
 */
export class MetricSet {
  requests = 0;
  successes = 0;
  sent = 0;
  inFlightMs = 0;
  readonly errors: ErrorCounts = emptyErrors();
  readonly counters: ClientCounters = emptyCounters();
  readonly calls: CallCounts = emptyCalls();
  /** by slot; undefined until the metric records its first value */
  private readonly histograms: (Histogram | undefined)[] = METRIC_NAMES.map(() => undefined);
  /** by slot: whether this set keeps the metric at all */
  private readonly kept: boolean[];
  /** response checks in the order first seen, and the same tallies by label */
  private checkTallies: CheckTally[] = [];
  private readonly checkByLabel = new Map<string, CheckTally>();

  constructor(metrics: ReadonlySet<MetricName> | 'all' = 'all') {
    this.kept = METRIC_NAMES.map((name) => metrics === 'all' || metrics.has(name));
  }

  record(attempt: AttemptRecord): void {
    this.requests += 1;
    if (attempt.ok) {
      this.successes += 1;
    } else {
      this.errors.total += 1;
      const kind = attempt.errorKind ?? 'status';
      this.errors.byKind[kind] = (this.errors.byKind[kind] ?? 0) + 1;
      // Only complete responses have a status to count: a timeout or garbage after the headers is not a 200.
      if (attempt.status > 0 && (kind === 'status' || kind === 'auth'))
        this.errors.byStatus[attempt.status] = (this.errors.byStatus[attempt.status] ?? 0) + 1;
      if (attempt.errorMessage !== undefined) (this.errors.firstMessages ??= {})[kind] ??= attempt.errorMessage;
    }
    // Latency of attempts that never got a response is the time until they were given up on; recording it
    // keeps timeouts visible in the tail instead of silently dropping the slowest requests.
    this.add('total', attempt.totalUs);
    if (!attempt.ok) {
      this.add('totalFailed', attempt.totalUs);
      this.add('ttfbFailed', attempt.ttfbUs);
    }
    this.add('totalUncorrected', attempt.totalUncorrectedUs);
    this.add('dns', attempt.dnsUs);
    this.add('connect', attempt.connectUs);
    this.add('tls', attempt.tlsUs);
    this.add('write', attempt.writeUs);
    this.add('ttfb', attempt.ttfbUs);
    this.add('download', attempt.downloadUs);
    this.add('service', attempt.serviceUs);
    this.add('queue', attempt.queueUs);
    this.add('network', attempt.networkUs);
    this.add('ttft', attempt.ttftUs);
    if (attempt.interTokenUs) for (const gap of attempt.interTokenUs) this.add('itl', gap);
    if (attempt.usageTokens !== undefined) this.counters.tokensFromUsage += attempt.usageTokens;
    if (attempt.chunkTokens !== undefined) this.counters.tokensFromChunks += attempt.chunkTokens;
    if (attempt.serverTimingRejected) this.counters.serverTimingRejected += 1;
    if (attempt.ok) this.addTimePerToken(attempt);
    if (attempt.checks) for (const check of attempt.checks) this.countCheck(check);
  }

  /**
   * Time per output token from the server's own token count: a plain response's whole latency over its tokens;
   * a stream's time after its first token over the tokens after it (the first token's wait is ttft's).
   */
  private addTimePerToken(attempt: AttemptRecord): void {
    const tokens = attempt.usageTokens ?? attempt.chunkTokens;
    if (tokens === undefined || tokens <= 0) return;
    if (attempt.ttftUs < 0) this.add('tpot', attempt.totalUs / tokens);
    else if (tokens > 1) this.add('tpot', (attempt.totalUs - attempt.ttftUs) / (tokens - 1));
  }

  private countCheck(check: CheckOutcome): void {
    let tally = this.checkByLabel.get(check.label);
    if (!tally) {
      tally = { label: check.label, passes: 0, fails: 0 };
      this.checkByLabel.set(check.label, tally);
      this.checkTallies.push(tally);
    }
    if (check.failure === undefined) tally.passes += 1;
    else {
      tally.fails += 1;
      tally.firstFailure ??= check.failure;
    }
  }

  /** One call finished: counted by outcome, its whole wait recorded under `call` (and `callFailed` if it failed). */
  recordCall(call: CallRecord): void {
    this.calls.calls += 1;
    this.calls.outcomes[call.outcome] += 1;
    this.add('call', call.latencyUs);
    if (!callSucceeded(call.outcome)) {
      this.calls.failed += 1;
      this.add('callFailed', call.latencyUs);
    }
  }

  /** Records into one histogram directly (e.g. token endpoint latency under `auth`). */
  add(metric: MetricName, valueUs: number): void {
    if (valueUs < 0) return;
    const slot = SLOT[metric];
    if (!this.kept[slot]) return;
    const histogram = (this.histograms[slot] ??= createHistogram());
    recordUs(histogram, valueUs);
  }

  /**
   * Empties the set for reuse: histograms keep their arrays (reset, not reallocated), so a worker that posts
   * an interval every second does not hand the garbage collector a megabyte of typed arrays each time.
   */
  reset(): void {
    this.requests = 0;
    this.successes = 0;
    this.sent = 0;
    this.inFlightMs = 0;
    this.errors.total = 0;
    this.errors.byKind = {};
    this.errors.byStatus = {};
    delete this.errors.firstMessages;
    for (const key of Object.keys(this.counters) as (keyof ClientCounters)[]) this.counters[key] = 0;
    this.calls.calls = 0;
    this.calls.failed = 0;
    for (const outcome of CALL_OUTCOMES) this.calls.outcomes[outcome] = 0;
    for (const histogram of this.histograms) histogram?.reset();
    this.checkTallies = [];
    this.checkByLabel.clear();
  }

  snapshot(): MetricSnapshot {
    const histograms: Partial<Record<MetricName, string>> = {};
    this.histograms.forEach((histogram, slot) => {
      if (histogram !== undefined && histogram.totalCount > 0) histograms[METRIC_NAMES[slot]!] = encodeHistogram(histogram);
    });
    return {
      requests: this.requests,
      successes: this.successes,
      sent: this.sent,
      errors: structuredClone(this.errors),
      counters: { ...this.counters },
      calls: { ...this.calls, outcomes: { ...this.calls.outcomes } },
      inFlightMs: this.inFlightMs,
      histograms,
      ...(this.checkTallies.length > 0 ? { checks: this.checkTallies.map((tally) => ({ ...tally })) } : {}),
    };
  }
}

/** A snapshot of nothing: what a stage or interval without a single attempt reads as. */
export function emptySnapshot(): MetricSnapshot {
  return {
    requests: 0,
    successes: 0,
    sent: 0,
    errors: emptyErrors(),
    counters: emptyCounters(),
    calls: emptyCalls(),
    inFlightMs: 0,
    histograms: {},
  };
}

/** Exact merge: counters add and histograms add bucket by bucket. */
export function mergeSnapshots(parts: readonly MetricSnapshot[]): MetricSnapshot {
  const merged = emptySnapshot();
  const encodedByMetric = new Map<MetricName, string[]>();
  const checks: CheckTally[] = [];
  for (const part of parts) {
    if (part.checks) addCheckTallies(checks, part.checks);
    merged.requests += part.requests;
    merged.successes += part.successes;
    merged.sent += part.sent;
    merged.inFlightMs += part.inFlightMs;
    addErrors(merged.errors, part.errors);
    for (const key of Object.keys(part.counters) as (keyof ClientCounters)[]) merged.counters[key] += part.counters[key] ?? 0;
    if (part.calls) addCalls(merged.calls, part.calls);
    for (const [metric, encoded] of Object.entries(part.histograms) as [MetricName, string][]) {
      const list = encodedByMetric.get(metric) ?? [];
      list.push(encoded);
      encodedByMetric.set(metric, list);
    }
  }
  for (const [metric, list] of encodedByMetric) {
    merged.histograms[metric] = list.length === 1 ? list[0]! : encodeHistogram(mergeEncoded(list));
  }
  if (checks.length > 0) merged.checks = checks;
  return merged;
}

export function addErrors(into: ErrorCounts, from: ErrorCounts): void {
  into.total += from.total;
  for (const [kind, count] of Object.entries(from.byKind) as [ErrorKind, number][]) into.byKind[kind] = (into.byKind[kind] ?? 0) + count;
  for (const [status, count] of Object.entries(from.byStatus)) into.byStatus[status] = (into.byStatus[status] ?? 0) + count;
  // The first message of each kind wins: parts are merged in time order (intervals, then workers).
  for (const [kind, message] of Object.entries(from.firstMessages ?? {}) as [ErrorKind, string][])
    (into.firstMessages ??= {})[kind] ??= message;
}
