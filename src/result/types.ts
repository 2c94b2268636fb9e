import type { LatencySummary } from '../metrics/summary.js';

/** Bumped when a field changes meaning; readers refuse schemas they do not know. */
export const RESULT_SCHEMA = 'tailscope.result/v1';

/**
 * Every timed quantity a run records, each as an HDR histogram of microseconds.
 * - total: whole request, from the (intended, in an open model) send time to the last body byte
 * - dns / connect / tls: socket setup, recorded only for requests that opened a new socket
 * - write: request fully written; ttfb: first response byte; download: first byte to last byte
 * - service / queue: what the server says it spent (Server-Timing or a configured header/field)
 * - network: ttfb − service (per request), the share of the wait the server did not account for
 * - ttft / itl: stream time to first token and inter-token gaps (first token excluded)
 * - auth: token endpoint round trips
 * - totalUncorrected: open model only, from the actual send time (kept beside the corrected view)
 * - totalFailed / ttfbFailed: the failed attempts' share of total and ttfb, so that the successful
 *   requests' distribution is total − totalFailed (HDR histograms subtract exactly)
 */
export const METRIC_NAMES = [
  'total', 'dns', 'connect', 'tls', 'write', 'ttfb', 'download',
  'service', 'queue', 'network', 'ttft', 'itl', 'auth', 'totalUncorrected', 'totalFailed', 'ttfbFailed',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** Encoded histograms (hdr-histogram-js compressed base64), present only for metrics that recorded something. */
export type EncodedHistograms = Partial<Record<MetricName, string>>;

/**
 * Why a request did not succeed. `status` is an HTTP response outside 2xx (the status itself is counted in
 * `byStatus`); the others never got a complete response. `interrupted`: still in flight when the run ended
 * (or was stopped) and its graceful stop ran out, so it was cut by tailscope, not by the target; `aborted`:
 * cut by an abort signal; `too_large`: a body past `client.maxResponseBytes` (or a WebSocket message past it).
 */
export const ERROR_KINDS = [
  'status', 'refused', 'reset', 'timeout_connect', 'timeout_first_byte', 'timeout_total', 'timeout_idle',
  'dns', 'garbage', 'too_large', 'interrupted', 'aborted', 'socket', 'auth', 'other',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ErrorCounts {
  total: number;
  byKind: Partial<Record<ErrorKind, number>>;
  /** complete responses only (kind `status`, or `auth` from the token endpoint): a timeout has no status */
  byStatus: Record<string, number>;
  /** why, once per kind: the first failure's message, e.g. `auth: 401 invalid_client from /oauth/token`; secrets scrubbed */
  firstMessages?: Partial<Record<ErrorKind, string>>;
}

/** Counters that are not failures but change how the numbers read. */
export interface ClientCounters {
  /** attempts beyond the first, so retry amplification is visible */
  retries: number;
  /** 429 responses that the client waited out (not failures unless retries ran out) */
  rateLimited: number;
  /** 401s answered by one token refresh and one retry */
  authRefreshes: number;
  /** open model: arrivals that could not be sent on time because no slot was free */
  dropped: number;
  /** stream tokens received: from the server's usage report, and counted as chunks; never mixed */
  tokensFromUsage: number;
  tokensFromChunks: number;
  /**
   * responses whose server-reported time was longer than the client waited for them: the value is impossible
   * (a wrong unit, a clock that counts something else) and is left out of the service and network split
   */
  serverTimingRejected: number;
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
  histograms: Pick<EncodedHistograms, 'total' | 'totalUncorrected' | 'ttfb' | 'service' | 'network'>;
}

/**
 * The client that sent a stage's requests: autocannon stages have no DNS/connect/TLS phases. `http` is how
 * results written before the wire engine existed name the node:http client.
 */
export type StageEngine = 'wire' | 'node' | 'autocannon' | 'http';

export type StageKind = 'hold' | 'ramp' | 'step' | 'spike';

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
}

export interface WarmupResult extends LoadSummary {
  durationMs: number;
  errorsByKind: ErrorCounts;
  histograms: EncodedHistograms;
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
    /** the scenario as run, with every secret replaced by "[redacted]" */
    definition: unknown;
  };
  /** a closed-model run measures latency at a concurrency, not under an arrival rate; it says so */
  model: 'closed' | 'open';
  engine: string;
  target: { url: string; mock?: { profile: string; seed: number } };
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
  histograms: EncodedHistograms;
  /**
   * The warm-up sent before time zero (scenario `warmup`), kept apart: none of its requests is in the totals,
   * stages, intervals or names above. Absent when the run had no warm-up.
   */
  warmup?: WarmupResult;
  health: GeneratorHealth;
  /** set on one shard's result (0-based index); a merged result has none */
  shard?: { index: number; count: number };
  /** idle round-trip probe taken before the load (TCP handshakes), absent when it could not connect */
  probe?: { method: 'tcp-connect'; samples: number; rttMs: { min: number; p50: number; max: number } };
}
