import type { AdaptiveTimeoutSettings, BreakerSettings } from '../shared/call-policy.js';
import type { FlowsAnalysis } from './flows.js';
import type { LatencySummary } from '../shared/latency-summary.js';
import type { SearchProbe } from '../result/types.js';
import type { SearchConclusion } from '../load/search.js';

export const ANALYSIS_SCHEMA = 'tailscope.analysis/v1';

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
}

/**
 * How the wait was divided between network and service:
 * - server-timing / header: the server reported its own time per response; network = the rest
 * - rtt-bound: no server timing; network is bounded by the unloaded round trip (connect times)
 */
export type SplitMethod = 'server-timing' | 'header' | 'rtt-bound';

export interface SplitView {
  method: SplitMethod;
  /** responses the split rests on */
  samples: number;
  network: Percentiles;
  service: Percentiles;
  queue?: Percentiles;
  /** rtt-bound only: the round trip used as the network share, and where it was measured */
  rtt?: { source: 'connect-times' | 'idle-probe'; ms: number };
}

/** No split was possible (no server timing and no round trip to bound the network by): unknown, not zero. */
export interface NoSplit {
  method: 'none';
  samples: 0;
  network: null;
  service: null;
  queue?: undefined;
  reason: string;
}

export interface StageAnalysis {
  index: number;
  name: string;
  /** target load at the stage's end: concurrency (closed) or arrivals/s (open) */
  target: number;
  achievedConcurrency: number;
  requests: number;
  throughput: number;
  errorRate: number;
  latency: LatencySummary;
  split?: SplitView;
}

export interface Analysis {
  schema: typeof ANALYSIS_SCHEMA;
  run: {
    scenario: string;
    model: 'closed' | 'open';
    engine: string;
    valid: boolean;
    reasons: string[];
    interrupted: boolean;
    requests: number;
    durationMs: number;
  };
  stages: StageAnalysis[];
  split: (SplitView | NoSplit) & {
    perStage: ({ stage: number; name: string } & SplitView)[];
    /** which component grows as load grows, from the lightest to the heaviest stage (p50, ms) */
    growth: { component: 'network' | 'service' | 'queue' | 'none'; networkDeltaMs: number; serviceDeltaMs: number; queueDeltaMs: number };
  };
  /** whether the figures below measure the target at all, and how far the tails can be trusted */
  validity: Validity;
  /** the run's one verdict: the exit code and every report read it */
  verdict: Verdict;
  timeouts: TimeoutAdvice;
  resilience: ResilienceAdvice;
  capacity: CapacityAnalysis;
  /** present when a what-if policy was given (`tailscope analyze --policy`) */
  replay?: ReplayResult;
  /** flows and async jobs, when the scenario had them */
  flows?: FlowsAnalysis;
}

// ---------------------------------------------------------------- validity

export interface Validity {
  /** false when the generator saturated or the run was interrupted: the numbers do not describe the target */
  valid: boolean;
  reasons: string[];
  /** weaker than invalid: figures that rest on too few samples, too few load levels, and the like */
  warnings: string[];
  /** successful-or-not responses the recommendations rest on */
  samples: number;
}

// ---------------------------------------------------------------- verdict

/**
 * - interrupted: stopped by the user (SIGINT/SIGTERM) before the schedule ended; exit 130
 * - invalid: the generator saturated or the target could not be reached; the figures say nothing of it; exit 3
 * - fail: a threshold or SLO objective failed, or an abortOnFail threshold stopped the run; exit 1
 * - pass: every evaluated check passed; unchecked: there was nothing to check; exit 0
 */
export type VerdictStatus = 'pass' | 'fail' | 'invalid' | 'interrupted' | 'unchecked';

/** One pass/fail line of the verdict: a threshold from the scenario or an SLO objective. */
export interface VerdictCheck {
  kind: 'threshold' | 'slo';
  name: string;
  /** null: not evaluated (an expression this version cannot read, or a shard's part of a sharded run) */
  pass: boolean | null;
  observed: string;
  limit: string;
}

export interface Verdict {
  status: VerdictStatus;
  checks: VerdictCheck[];
  validity: {
    /** the generator kept up and the target answered: the figures describe the target */
    valid: boolean;
    interrupted: boolean;
    reasons: string[];
    warnings: string[];
    /** the abortOnFail threshold that stopped the run */
    abortedBy?: string;
  };
}

// ---------------------------------------------------------------- timeouts

export type TimeoutPhase = 'connect' | 'firstByte' | 'total' | 'firstToken' | 'idle';

/** A timeout value and the share of this run's recorded values of its phase it would have cut (exact, from buckets). */
export interface TimeoutCut {
  timeoutMs: number;
  cutShare: number;
}

export interface TimeoutChoice extends TimeoutCut {
  phase: TimeoutPhase;
  /** the histogram the value was read from (connect, ttfb, total, ttft, itl) */
  metric: string;
  samples: number;
  /** how the value was chosen, in words, with the quantile and headroom */
  method: string;
  /** the tail quantile the rule starts from: q = 1 − targetCutShare, its value in ms */
  quantile: number;
  quantileMs: number;
  /** the textbook alternative, shown for comparison: mean + 2σ of the same histogram and what it cuts */
  meanPlus2Sd: TimeoutCut & { meanMs: number; sdMs: number };
  /** connect only: RFC 6298 retransmission timeout from the same samples */
  rfc6298?: Rfc6298Estimate;
  /** present when the run's own timeouts cut this phase: the values above the configured timeout were never seen */
  censored?: PhaseCensoring;
  /** present when too few values were recorded for the quantile the rule reads */
  underSampled?: UnderSampled;
  /**
   * true when quantileMs is only a lower bound (censored past the quantile, or too few samples to reach it):
   * the timeout is then a floor to re-measure from, not a fit, and `rerun` says how to measure it
   */
  lowerBound?: boolean;
  /** how to re-run so that this phase's quantile can be read: a looser timeout, more requests, or both */
  rerun?: RerunAdvice;
  warnings: string[];
}

/**
 * The run's own timeouts cut some attempts of a phase: those values lie above the configured timeout and were
 * never recorded, so every quantile in that region is unknown (right-censored data).
 */
export interface PhaseCensoring {
  /** attempts cut, by error kind (timeout_first_byte, timeout_total, …) */
  byKind: Record<string, number>;
  cutCount: number;
  /** cut / (recorded + cut): the share of the phase's population the run could not see */
  cutShare: number;
  /** the configured timeout the cut values lie above (the smallest of the timeouts that fired), ms */
  configuredMs: number;
  /** the scenario field that set it (client.timeouts.firstByte, …) */
  field: string;
}

export interface UnderSampled {
  /** values the quantile was read from (recorded + cut) */
  samples: number;
  /** values needed for at least TIMEOUT_RULE.minTailSamples above the quantile */
  needed: number;
}

export interface RerunAdvice {
  /** the looser timeout to run with, and the scenario field to set it in */
  timeoutMs?: number;
  field?: string;
  /** at least this many requests (of this phase), and how long that takes at the throughput seen */
  minRequests?: number;
  minDurationMs?: number;
  text: string;
}

export interface Rfc6298Estimate {
  /** steady state of the RFC's estimators: SRTT → mean, RTTVAR → mean absolute deviation */
  srttMs: number;
  rttvarMs: number;
  /** SRTT + max(G, 4·RTTVAR), G = clock granularity */
  rtoMs: number;
  /** the RFC's lower bound of 1 s applied (§2.4), what a TCP stack would wait before resending a SYN */
  rtoFlooredMs: number;
}

export interface LoadLevelRef {
  level: 'light' | 'nominal' | 'knee';
  stage: number;
  name: string;
  /** concurrency (closed) or arrivals/s (open) the stage targeted */
  target: number;
  throughput: number;
}

export interface TimeoutAdvice {
  /** share of successful requests a recommended timeout may cut off at most (on this run) */
  targetCutShare: number;
  /** multiplier applied to the (1 − targetCutShare) quantile */
  headroom: number;
  rule: string;
  /** the load level the recommendations are read at */
  basis: LoadLevelRef | { level: 'whole-run' };
  recommended: TimeoutChoice[];
  /**
   * The same rule per load level: the right timeout depends on load. One row per distinct stage: a one-stage run
   * has one row, and a level that falls on the same stage as another is not repeated (`sameAs` names it).
   */
  byLoadLevel: (LoadLevelRef & { sameAs?: LoadLevelRef['level'][]; timeouts: Partial<Record<TimeoutPhase, LevelTimeoutCut>> })[];
  /** the same rule per request name, with the request's method and transport (plain, SSE, WebSocket) */
  byRequest: RequestTimeoutAdvice[];
  /** the client timeouts the run itself used (scenario client.timeouts): what censored its data */
  configured: { connectMs: number; firstByteMs: number; totalMs: number; idleMs: number };
  warnings: string[];
}

export interface LevelTimeoutCut extends TimeoutCut {
  /** the value is a floor (censored or too few samples at that level) */
  lowerBound?: boolean;
}

export interface RequestTimeoutAdvice {
  name: string;
  method: string;
  transport: 'plain' | 'sse' | 'ws';
  requests: number;
  /** false for POST / PATCH without an Idempotency-Key header: never retry it after a timeout */
  retryOnTimeout: boolean;
  recommended: TimeoutChoice[];
  warnings: string[];
}

// ---------------------------------------------------------------- retries and resilience

export interface ResilienceAdvice {
  maxRetries: { value: number; rule: string; failureShare: number };
  backoff: { kind: 'exponential'; baseMs: number; maxBackoffMs: number; jitter: 'full'; rule: string };
  /** Finagle/Envoy style: retries may add at most this share of requests, plus a floor for low traffic */
  retryBudget: { ratio: number; minRetriesPerSec: number; minRetryConcurrency: number; rule: string };
  /** Tail at Scale: send a second copy after delayMs, take whichever answers first */
  /** extraLoadShare and the p99s are null when the run recorded no first-byte times to replay the hedge from */
  hedging: {
    delayMs: number;
    quantile: number;
    extraLoadShare: number | null;
    p99WithoutMs: number | null;
    p99WithMs: number | null;
    method: string;
  };
  /** from the knee: more in flight than this only queues; null when the run has no knee (it cannot be derived) */
  concurrencyLimit: { value: number | null; rule: string };
  /** the caps are null when the run has no knee, like the concurrency limit */
  circuitBreaker: { failureRateThreshold: number; maxConcurrent: number | null; maxPending: number | null; rule: string };
  /** whether timeouts, resets and 5xx may be retried: not for POST / PATCH without an Idempotency-Key */
  idempotency: { retryOnTimeout: boolean; notIdempotent: string[]; rule: string };
  /**
   * Ready-to-paste configuration with these figures: undici, fetch + AbortSignal, Envoy, resilience4j
   * (Spring Boot YAML) and Polly v8 (C#). `defaults`: the figures the run could not measure, filled with stock
   * values and marked as such.
   */
  snippets: { undici: string; fetch: string; envoy: string; resilience4j: string; polly: string; defaults: readonly string[] };
  warnings: string[];
}

// ---------------------------------------------------------------- what-if replay

export interface ReplayPolicy {
  timeouts: { connectMs?: number; firstByteMs?: number; totalMs?: number };
  retries: {
    max: number;
    backoff: 'exponential' | 'constant';
    baseMs: number;
    maxBackoffMs: number;
    jitter: 'full' | 'equal' | 'none';
    on: ('5xx' | 'reset' | 'timeout' | 'connect')[];
  };
  /** share of first attempts that retries may add (e.g. 0.2); undefined = unlimited */
  budgetRatio?: number;
  hedge?: { delayMs: number };
  /** a circuit breaker, run on a simulated clock at the recorded call rate */
  breaker?: BreakerSettings;
  /** mean + k·σ of the recent window of successful attempts, as the live requester computes it */
  adaptiveTimeout?: AdaptiveTimeoutSettings;
  /**
   * a total timeout per band of load levels (bands ascend by `upTo`; the last may have none); a quantile is read
   * off each stage's own successful attempts, so `p99` is the p99 at that stage's level
   */
  loadLevelTimeouts?: { upTo?: number; total: LoadLevelTotal }[];
  samples: number;
  seed: number;
}

/** A band's total timeout: a duration, or a quantile of the stage's own successful attempts. */
export type LoadLevelTotal = { ms: number } | { quantile: number };

export interface ReplayResult {
  method: string;
  policy: ReplayPolicy;
  /** where the replay draws from: histogram, the stage(s), and the failure mix seen on the run */
  basis: { metric: string; samples: number; failureShareByKind: Record<string, number> };
  logicalRequests: number;
  successRate: number;
  /** latency of successful logical requests, retries and backoff included, ms */
  effective: { p50: number; p99: number; p999: number };
  /** attempts (retries + hedges) per logical request minus one */
  extraLoadShare: number;
  failuresByCause: Record<string, number>;
  /** the same replay with no timeouts, retries or hedge: the recorded baseline, for comparison */
  baseline: { successRate: number; p50: number; p99: number; p999: number };
  warnings: string[];
}

// ---------------------------------------------------------------- capacity

export interface CapacityPoint {
  stage: number;
  name: string;
  /** closed: time-averaged requests in flight; open: offered arrivals/s */
  load: number;
  concurrency: number;
  throughput: number;
  meanLatencyMs: number;
  p99Ms: number;
  errorRate: number;
  /** requests/s that succeeded and met the SLO latency */
  goodput: number;
  withinSlo: boolean;
}

export interface UslFit {
  /** contention (σ), coherency (κ), single-unit throughput (λ, requests/s) */
  sigma: number;
  kappa: number;
  lambda: number;
  /** N* = sqrt((1 − σ)/κ); null when κ = 0 (no retrograde region: throughput only levels off) */
  peakConcurrency: number | null;
  /** X(N*), or the asymptote λ/σ when there is no peak (null when σ = κ = 0: linear) */
  peakThroughput: number | null;
  /**
   * Where linear scaling at λ would reach the peak throughput: peakThroughput / λ. On a server with a hard
   * number of slots this lands at the slot count, while N* (a smooth curve's maximum) lands past it.
   */
  saturationConcurrency: number | null;
  r2: number;
  points: number;
  method: string;
}

export interface LittleCheck {
  stage: number;
  name: string;
  /** L measured (time-averaged in flight) vs X·W (throughput × mean latency) */
  concurrency: number;
  throughputTimesLatency: number;
  relativeError: number;
  ok: boolean;
}

export interface CapacityAnalysis {
  model: 'closed' | 'open';
  /** what load means on the x axis */
  loadAxis: 'concurrency' | 'arrival-rate';
  points: CapacityPoint[];
  slo?: { p99Ms?: number; errorRate?: number };
  knee?: {
    stage: number;
    name: string;
    load: number;
    throughput: number;
    rule: string;
    /** the first stage whose mean latency exceeds the baseline by the climb factor */
    latencyClimb?: { stage: number; name: string; load: number; factor: number };
  };
  usl?: UslFit;
  littlesLaw: { tolerance: number; checks: LittleCheck[]; broken: number[] };
  /** best SLO goodput over the stages */
  goodput: { bestPerSec: number; stage?: number };
  /** a capacity search (load.search): the highest load that keeps the SLO, with its bracket and every probe */
  atSlo?: CapacityAtSlo;
  warnings: string[];
}

/** What a capacity search found: loads in arrivals/s (open) or users (closed). */
export interface CapacityAtSlo {
  /** the capacity at the SLO; absent when the search found none (first probe failed, generator bound, stopped) */
  load?: number;
  /** highest load that kept the SLO below the lowest that broke it */
  passedAt?: number;
  failedAt?: number;
  unit: 'req/s' | 'users';
  /** how the search ended (load/search.ts); `stopped`: Ctrl-C before it concluded */
  outcome: SearchConclusion['kind'] | 'stopped';
  /** "capacity at SLO: 78 req/s (passes at 76, fails at 80; p99 at 76: 142 ms [131, 160])" */
  sentence: string;
  probes: SearchProbe[];
  /** the sweep's loads below the capacity, as capacity points */
  sweep: CapacityPoint[];
  /** Universal Scalability Law fit of the sweep */
  usl?: UslFit;
}
