import type { LatencySummary } from '../shared/latency-summary.js';
import type { StageKind } from '../load/types.js';
import type { CheckTally } from '../metrics/checks.js';
import type { CallCounts, ClientCounters, EncodedHistograms, ErrorCounts } from '../metrics/vocabulary.js';

// The vocabulary a RunResult is written in lives with the stage that produces it; re-exported here for readers
// of result files, which should not need to know where each word was coined.
export { CALL_OUTCOMES, ERROR_KINDS, METRIC_NAMES } from '../metrics/vocabulary.js';
export type {
  CallCounts,
  CallOutcome,
  ClientCounters,
  EncodedHistograms,
  ErrorCounts,
  ErrorKind,
  MetricName,
} from '../metrics/vocabulary.js';
export type { StageKind } from '../load/types.js';
export type { CheckTally } from '../metrics/checks.js';
import type { SearchSettings } from '../load/types.js';
import type { ProbeVerdict, SearchConclusion } from '../load/search.js';

/** Bumped when a field changes meaning; readers refuse schemas they do not know. */
export const RESULT_SCHEMA = 'tailscope.result/v1';

/**
 * The caller's view: one call is one logical request from its first send (the intended send time in an open
 * model) to its final outcome, across retries, backoff, 429 Retry-After waits and hedges. Attempts (the rest
 * of a LoadSummary) are the wire's view: every request sent, a waited-out 429 included.
 */
export interface CallSummary extends CallCounts {
  /** failed calls / calls */
  errorRate: number;
  /** every call's wait, failed ones up to when they were given up on (the `call` histogram) */
  latency: LatencySummary;
}

export interface LoadSummary {
  /** completed requests (successes and failures), attributed to the interval or stage they ended in */
  requests: number;
  errors: number;
  errorRate: number;
  /** completed requests per second over the wall time covered */
  throughput: number;
  /** successful requests per second (goodput before any SLO filter) */
  successThroughput: number;
  latency: LatencySummary;
  /** open model only: latency from the actual send time, which hides coordinated omission */
  latencyUncorrected?: LatencySummary;
  /** calls that ended here; absent only in results written before calls were recorded */
  calls?: CallSummary;
}

export interface IntervalResult extends LoadSummary {
  index: number;
  startMs: number;
  endMs: number;
  /** index into stages[] of the stage this interval mostly belongs to */
  stage: number;
  /** the schedule's target (concurrency or arrivals/s), averaged over the interval */
  target: number;
  /** mean requests in flight over the interval (closed model: achieved concurrency) */
  achievedConcurrency: number;
  /** requests started per second (open model: achieved arrival rate) */
  sentPerSec: number;
  ttfb: { p50: number; p99: number };
  errorsByKind: ErrorCounts;
  histograms: Pick<EncodedHistograms, 'total' | 'totalUncorrected' | 'ttfb' | 'service' | 'network' | 'call' | 'callFailed'>;
}

/**
 * The client that sent a stage's requests: autocannon stages have no DNS/connect/TLS phases. `http` is how
 * results written before the wire engine existed name the node:http client.
 */
export type StageEngine = 'wire' | 'node' | 'autocannon' | 'http';

export interface StageResult extends LoadSummary {
  index: number;
  name: string;
  kind: StageKind;
  /** the engine that sent this stage's requests: autocannon stages have no DNS/connect/TLS phases */
  engine: StageEngine;
  startMs: number;
  endMs: number;
  /** target load at the stage's end: concurrency (closed) or arrivals/s (open) */
  target: number;
  /** target load at the stage's start (differs from `target` only on ramps) */
  targetFrom: number;
  achievedConcurrency: number;
  sentPerSec: number;
  errorsByKind: ErrorCounts;
  counters: ClientCounters;
  histograms: EncodedHistograms;
}

export interface RequestNameResult extends LoadSummary {
  name: string;
  errorsByKind: ErrorCounts;
  histograms: EncodedHistograms;
  /**
   * the request's response checks in the order declared, each with its passes, fails and first failure
   * reason; absent when the request has none. Evaluated on every complete response, warm-up excluded.
   */
  checks?: CheckTally[];
  /** completion tokens the responses reported (stream usage events or a plain JSON `usage` path) */
  tokens?: number;
}

/**
 * One flow (scenario `flows`): its iterations and how they ended; `latency` is the completed iterations'
 * end-to-end time (metric `flow`: from the first step's send, intended in an open model, to the end of the last
 * step, think time between steps included, after the last step not).
 */
export interface FlowResult {
  name: string;
  /** iterations started */
  iterations: number;
  completed: number;
  /** ended by a failed step: a request that failed, a capture that found nothing, an async job that did not end well */
  failed: number;
  /** cut by the run's stop or the end of its graceful stop */
  interrupted: number;
  /** failed iterations by the step they failed at */
  failedAt: Record<string, number>;
  /** completed iterations per second over the run */
  throughput: number;
  latency: LatencySummary;
  histograms: { flow?: string };
}

/**
 * The async jobs one step submitted (`poll` or `callback`): how they ended and how long they took. `completion` runs
 * from the submitting send to the poll response that saw the job final (or the callback's arrival), done jobs only.
 */
export interface JobResult {
  /** the submitting step */
  name: string;
  mode: 'poll' | 'callback';
  /** jobs whose submitting request succeeded */
  submitted: number;
  /** in a final state that is not a failure */
  done: number;
  /** in a final state listed as a failure (`until.failed`, `callback.failed`) */
  failed: number;
  /** no final state before the timeout */
  expired: number;
  /** a poll failed, or its answer did not hold the state */
  lost: number;
  /** cut by the run's stop */
  interrupted: number;
  /** poll requests sent for these jobs */
  polls: number;
  /** polls per job that ended (not interrupted), null for callbacks */
  pollsPerJob: { mean: number; p50: number; p99: number; max: number } | null;
  completion: LatencySummary;
  histograms: { completion?: string; polls?: string };
}

export interface WarmupResult extends LoadSummary {
  durationMs: number;
  errorsByKind: ErrorCounts;
  histograms: EncodedHistograms;
}

/** Garbage collections of one or more load threads over the measured run; pauses in ms. */
export interface GcTally {
  collections: number;
  /** full mark-compacts: the long pauses */
  majorCollections: number;
  pauseTotalMs: number;
  pauseMaxMs: number;
}

/** What the generator saw of itself. A run whose generator saturated is not a measurement of the target. */
export interface GeneratorHealth {
  valid: boolean;
  reasons: string[];
  workers: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /**
   * Event-loop utilization of the worker threads (0..1 per interval, mean and max): the share of time each
   * loop was not waiting for I/O. Not CPU: a loop can be busy waiting on a lock or a page fault.
   */
  eventLoopUtilization: { mean: number; max: number };
  /**
   * CPU of each worker thread (process.threadCpuUsage, share of one core per interval, mean and max), or null
   * where the platform has no per-thread clock (Node before 23.9).
   */
  threadCpu: { mean: number; max: number } | null;
  /**
   * CPU of the whole tailscope process (process.cpuUsage: every thread, the in-process mock's included when the
   * target is the bundled mock), in cores per interval, mean and max, beside the cores the machine offers.
   */
  processCpu: { meanCores: number; maxCores: number; availableCores: number };
  /**
   * The load threads' garbage collections over the measured run (warm-up excluded), summed over threads; pauses
   * in ms, the longest being the longest of any thread. A pause stamps every request in flight on its thread late
   * by its length, so a max pause near a tail percentile's distance from the median says who made that tail.
   * Absent in results written before it was recorded.
   */
  gc?: GcTally;
  /** how late requests were sent against the schedule (open model) or VUs started (closed) */
  scheduleLagMs: { p50: number; p99: number; max: number };
  socketErrors: Record<string, number>;
}

export interface RunResult {
  schema: typeof RESULT_SCHEMA;
  tool: { name: 'tailscope'; version: string };
  scenario: {
    name: string;
    file?: string;
    /** the scenario as run (command-line overrides applied), with every secret replaced by "[redacted]" */
    definition: unknown;
    /** the command-line overrides that changed it, in the order they applied: `-e VUS=32`, `--set …` */
    overrides?: string[];
  };
  /** a closed-model run measures latency at a concurrency, not under an arrival rate; it says so */
  model: 'closed' | 'open';
  engine: string;
  target: { url: string; mock?: { profile: string; seed: number } };
  /** present when the scenario set client.tls; `insecure`: the target's certificate was not verified */
  tls?: { insecure: boolean };
  environment: { node: string; platform: string; arch: string; cpus: number; cpuModel: string };
  /** wall clock, for humans only; every duration is from the monotonic clock */
  startedAt: string;
  durationMs: number;
  /** the load curve's length; durationMs also covers the drain after it */
  scheduledDurationMs: number;
  intervalMs: number;
  interrupted: boolean;
  /** the abortOnFail threshold that stopped the run (interrupted is then true as well) */
  abortedBy?: string;
  /** where the service time was read from, so the analyzer can say which split method it used */
  serverTiming: { source: 'server-timing' | 'header' | 'none'; header: string; metric: string };
  slo?: { p99Ms?: number; p95Ms?: number; p50Ms?: number; errorRate?: number };
  thresholds: string[];
  stages: StageResult[];
  intervals: IntervalResult[];
  totals: LoadSummary & { errorsByKind: ErrorCounts; counters: ClientCounters; achievedConcurrency: number };
  requestsByName: Record<string, RequestNameResult>;
  /** by flow name; absent when the scenario has no flows (its `requests:` are one-step flows without metrics of their own) */
  flows?: Record<string, FlowResult>;
  /** by the name of the step that submits async jobs; absent when no step polls or waits for a callback */
  jobs?: Record<string, JobResult>;
  histograms: EncodedHistograms;
  /**
   * The warm-up sent before time zero (scenario `warmup`), kept apart: none of its requests is in the totals,
   * stages, intervals or names above. Absent when the run had no warm-up.
   */
  warmup?: WarmupResult;
  health: GeneratorHealth;
  /** set on one shard's result (0-based index); a merged result has none */
  shard?: { index: number; count: number };
  /** a capacity search (load.search): every probe's verdict as the run decided it, and where it ended */
  search?: SearchRecord;
  /** idle round-trip probe taken before the load (TCP handshakes), absent when it could not connect */
  probe?: { method: 'tcp-connect'; samples: number; rttMs: { min: number; p50: number; max: number } };
}

/** A figure with its confidence interval (the block bootstrap over the probe's intervals). */
export interface Estimate {
  value: number;
  low: number;
  high: number;
}

/** One probe of a capacity search, judged while the run went on; its requests are the stage `stage`. */
export interface SearchProbe {
  /** 1-based, in the order they ran */
  probe: number;
  stage: number;
  /** arrivals/s (open) or concurrency (closed) */
  load: number;
  verdict: ProbeVerdict;
  /** the figures that decided it, in one line */
  reason: string;
  /** ended before its hold: clearly lost, or the generator could not drive it */
  early: boolean;
  /** held past its hold (up to twice) because the SLO sat inside the confidence interval */
  extended: boolean;
  /** run time the probe started and was decided (ms); the stage may run on a little past the decision */
  startMs: number;
  decidedAtMs: number;
  p99Ms?: Estimate;
  errorRate: Estimate;
  /** completed requests the verdict read (after the settle) */
  requests: number;
}

export interface SearchRecord {
  settings: SearchSettings;
  probes: SearchProbe[];
  /** how the search ended; absent when it was stopped (Ctrl-C) before it could conclude */
  conclusion?: SearchConclusion;
  /** stage indices of the sweep run below the capacity found */
  sweepStages: number[];
}
