import type { ProbeVerdict } from '../../load/search.js';
import { blockLengthFor, blockResample, statsOf, type RunSample } from '../../analysis/compare/bootstrap.js';
import { intervalBuckets } from '../../analysis/compare/sparse.js';
import type { ComparableMetric } from '../../metrics/grammar/compare-rule.js';
import { createRandom } from '../../shared/random.js';
import { HEALTH_LIMITS } from '../health.js';

/**
 * Judges one probe of a capacity search from its intervals so far: keep going, or a verdict. Pure (no clock:
 * elapsed time is the number of intervals), so early ends and extensions are table-tested with synthetic
 * intervals.
 */

export const PROBE_RULES = {
  /** two-sided confidence of the p99 and error-rate intervals a verdict reads */
  confidence: 0.95,
  replicates: 400,
  /** intervals after the settle before any verdict: fewer give the bootstrap nothing to resample */
  minJudgedIntervals: 4,
  /**
   * open model: mean in flight past this many times (rate × SLO p99) means a mean latency of that many times the
   * SLO (Little's law), so the p99 is past it whatever the requests still queued will show
   */
  queueLittleFactor: 2,
  /** …and climbing in this many consecutive judged intervals: a queue growing without bound, not a burst */
  queueClimbIntervals: 3,
  /**
   * open model, at the end of the hold: requests in flight in the second half of the judged intervals above the
   * first half's by this many (and this share), while arrivals outnumber completions by this share, is a queue
   * that only grows — the load is past what the target serves, however good the p99 of a short probe still looks
   */
  climbMinRequests: 2,
  climbShare: 0.25,
  arrivalExcess: 0.02,
  /** more than this share of the judged intervals with a saturated worker: the generator is the limit */
  busyIntervalShare: 0.5,
} as const;

/** One interval of a probe, merged across workers. */
export interface ProbeInterval {
  requests: number;
  errors: number;
  sent: number;
  dropped: number;
  /** failures on the generator's side of the socket (ports or file descriptors ran out) */
  socketErrors: number;
  /** time-averaged requests in flight over the interval */
  meanInFlight: number;
  /** the latency histogram (µs, encoded): intended-time latency in an open model */
  total?: string;
  /** a worker was saturated or its event loop delayed in this interval (the health rules) */
  generatorBusy: boolean;
}

export interface ProbeJudgeInput {
  model: 'open' | 'closed';
  load: number;
  slo: { p99Ms?: number; errorRate?: number };
  holdMs: number;
  settleMs: number;
  intervalMs: number;
  /** every interval of the probe so far, from its start */
  intervals: readonly ProbeInterval[];
  seed: number;
}

/** A figure with its confidence interval. */
export interface Estimate {
  value: number;
  low: number;
  high: number;
}

export interface ProbeJudgement {
  verdict: ProbeVerdict;
  /** why, in one line: "p99 1.9 s [1.7 s, 2.2 s] above the SLO 500 ms" */
  reason: string;
  /** ended before its hold (clearly lost, or the generator could not drive it) */
  early: boolean;
  /** held past its hold because the SLO sat inside the confidence interval */
  extended: boolean;
  p99Ms?: Estimate;
  errorRate: Estimate;
  /** completed requests the verdict read */
  requests: number;
  judgedIntervals: number;
}

export type ProbeDecision = { kind: 'continue' } | ({ kind: 'verdict' } & ProbeJudgement);

export function judgeProbe(input: ProbeJudgeInput): ProbeDecision {
  const { intervals, intervalMs, settleMs, holdMs, slo } = input;
  const settleIntervals = Math.ceil(settleMs / intervalMs);
  const judged = intervals.slice(settleIntervals);
  const elapsedMs = intervals.length * intervalMs;
  const holdEndMs = settleIntervals * intervalMs + holdMs;
  const limitMs = settleIntervals * intervalMs + 2 * holdMs;
  const atHold = elapsedMs >= holdEndMs;
  const verdict = (v: ProbeVerdict, reason: string, stats: Stats | undefined, flags: { early?: boolean; extended?: boolean } = {}) =>
    ({
      kind: 'verdict',
      verdict: v,
      reason,
      early: flags.early ?? !atHold,
      extended: flags.extended ?? elapsedMs > holdEndMs,
      ...(stats?.p99Ms && { p99Ms: stats.p99Ms }),
      errorRate: stats?.errorRate ?? { value: 0, low: 0, high: 0 },
      requests: judged.reduce((n, i) => n + i.requests, 0),
      judgedIntervals: judged.length,
    }) satisfies ProbeDecision;

  // The generator first: a verdict on a load it could not send would be a verdict on the generator.
  const generator = generatorLimit(judged.length > 0 ? judged : intervals);
  if (generator) return verdict('generator', generator, undefined);

  const queue = input.model === 'open' ? queueGrowth(judged, input.load, slo.p99Ms) : undefined;
  if (queue) return verdict('fail', queue, statsOf_(judged, input.seed));
  // Checked after the queue: a target whose queue grows without bound takes the generator's sockets with it.
  const socketErrors = intervals.reduce((n, i) => n + i.socketErrors, 0);
  if (socketErrors > 0) {
    return verdict('generator', `${socketErrors} generator-side socket errors (ports or file descriptors ran out)`, undefined);
  }

  if (judged.length < PROBE_RULES.minJudgedIntervals && !atHold) return { kind: 'continue' };
  const completed = judged.reduce((n, i) => n + i.requests, 0);
  if (completed === 0) {
    return atHold ? verdict('fail', `no request completed in ${(holdMs / 1000).toFixed(0)} s`, undefined) : { kind: 'continue' };
  }
  const stats = statsOf_(judged, input.seed)!;
  const above: string[] = [];
  const within: string[] = [];
  const unsure: string[] = [];
  if (slo.p99Ms !== undefined && stats.p99Ms) {
    const text = `p99 ${ms(stats.p99Ms.value)} [${ms(stats.p99Ms.low)}, ${ms(stats.p99Ms.high)}]`;
    if (stats.p99Ms.low > slo.p99Ms) above.push(`${text} above the SLO ${ms(slo.p99Ms)}`);
    else if (stats.p99Ms.high <= slo.p99Ms) within.push(`${text} within the SLO ${ms(slo.p99Ms)}`);
    else unsure.push(`${text} straddles the SLO ${ms(slo.p99Ms)}`);
  }
  const climb = atHold && input.model === 'open' ? inFlightClimb(judged) : undefined;
  if (climb) above.push(climb);
  if (slo.errorRate !== undefined) {
    const e = stats.errorRate;
    const text = `error rate ${pct(e.value)} [${pct(e.low)}, ${pct(e.high)}]`;
    if (e.low > slo.errorRate) above.push(`${text} above the SLO ${pct(slo.errorRate)}`);
    else if (e.high <= slo.errorRate) within.push(`${text} within the SLO ${pct(slo.errorRate)}`);
    else unsure.push(`${text} straddles the SLO ${pct(slo.errorRate)}`);
  }
  // Clearly lost: past the SLO with confidence ends the probe at once, before its hold.
  if (above.length > 0) return verdict('fail', above.join('; '), stats);
  if (!atHold) return { kind: 'continue' };
  if (unsure.length === 0) return verdict('pass', within.join('; '), stats);
  // The SLO sits inside the interval: more intervals narrow it, up to twice the hold; then the estimate decides.
  if (elapsedMs < limitMs) return { kind: 'continue' };
  const passes =
    (slo.p99Ms === undefined || (stats.p99Ms?.value ?? Infinity) <= slo.p99Ms) &&
    (slo.errorRate === undefined || stats.errorRate.value <= slo.errorRate);
  return verdict(passes ? 'pass' : 'fail', `${[...unsure, ...within].join('; ')} after twice the hold: judged on the estimate`, stats);
}

interface Stats {
  p99Ms?: Estimate;
  errorRate: Estimate;
}

/**
 * The probe's p99 and error rate with their intervals: a moving-block bootstrap over its intervals (the same
 * resampling the comparison uses), so requests delayed together by one hiccup are not counted as independent.
 */
function statsOf_(judged: readonly ProbeInterval[], seed: number): Stats | undefined {
  if (judged.length === 0) return undefined;
  const sample: RunSample = {
    metrics: { total: intervalBuckets(judged.map((i) => i.total)) },
    strata: [Uint32Array.from(judged.map((_, i) => i))],
    requests: Float64Array.from(judged.map((i) => i.requests)),
    errors: Float64Array.from(judged.map((i) => i.errors)),
    spanMs: Float64Array.from(judged.map(() => 1)),
  };
  const wants = { total: [99] };
  const scratch = new Map<ComparableMetric, Float64Array>();
  const all = Uint32Array.from(judged.map((_, i) => i));
  const whole = statsOf(sample, all, wants, scratch);
  const random = createRandom(seed);
  const blockLength = blockLengthFor(judged.length);
  const p99s: number[] = [];
  const errorRates: number[] = [];
  for (let r = 0; r < PROBE_RULES.replicates; r++) {
    const stats = statsOf(sample, blockResample(judged.length, blockLength, random), wants, scratch);
    const p99 = stats.percentilesUs.total?.[0];
    if (p99 !== undefined && Number.isFinite(p99)) p99s.push(p99 / 1000);
    errorRates.push(stats.errorRate);
  }
  const wholeP99 = whole.percentilesUs.total?.[0];
  return {
    ...(wholeP99 !== undefined && Number.isFinite(wholeP99) && p99s.length > 0 && { p99Ms: estimate(wholeP99 / 1000, p99s) }),
    errorRate: estimate(whole.errorRate, errorRates),
  };
}

function estimate(value: number, replicates: number[]): Estimate {
  const sorted = [...replicates].sort((a, b) => a - b);
  const tail = (1 - PROBE_RULES.confidence) / 2;
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
  return { value, low: Math.min(value, at(tail)), high: Math.max(value, at(1 - tail)) };
}

/** Dropped arrivals or a saturated worker: the load asked for was not the load sent. */
function generatorLimit(intervals: readonly ProbeInterval[]): string | undefined {
  const sent = intervals.reduce((n, i) => n + i.sent, 0);
  const dropped = intervals.reduce((n, i) => n + i.dropped, 0);
  if (dropped > 0 && dropped / (sent + dropped) > HEALTH_LIMITS.droppedShare) {
    return `the generator dropped ${dropped} of ${sent + dropped} arrivals (load.maxInFlight reached)`;
  }
  // A busy loop in two short intervals is a GC pause or a neighbour on the machine; a generator that cannot keep
  // up is busy in most of them, judged over as many intervals as a verdict needs.
  const busy = intervals.filter((i) => i.generatorBusy).length;
  if (intervals.length >= PROBE_RULES.minJudgedIntervals && busy / intervals.length > PROBE_RULES.busyIntervalShare) {
    return `the generator was saturated in ${busy} of ${intervals.length} intervals`;
  }
  return undefined;
}

/** Open model: requests in flight climbing interval after interval, far past what the SLO allows at this rate. */
function queueGrowth(judged: readonly ProbeInterval[], ratePerSec: number, sloP99Ms: number | undefined): string | undefined {
  if (sloP99Ms === undefined || judged.length < PROBE_RULES.queueClimbIntervals) return undefined;
  const recent = judged.slice(-PROBE_RULES.queueClimbIntervals);
  const climbing = recent.every((interval, i) => i === 0 || interval.meanInFlight > recent[i - 1]!.meanInFlight);
  const allowed = (ratePerSec * sloP99Ms) / 1000;
  const last = recent[recent.length - 1]!.meanInFlight;
  if (!climbing || last <= PROBE_RULES.queueLittleFactor * allowed) return undefined;
  return `requests in flight climbed from ${recent[0]!.meanInFlight.toFixed(0)} to ${last.toFixed(0)} (the SLO allows about ${allowed.toFixed(0)} at this rate): the queue grows without bound`;
}

/** Open model: the queue climbing through the probe while arrivals outpace completions. */
function inFlightClimb(judged: readonly ProbeInterval[]): string | undefined {
  if (judged.length < PROBE_RULES.minJudgedIntervals) return undefined;
  const half = Math.floor(judged.length / 2);
  const mean = (part: readonly ProbeInterval[]) => part.reduce((n, i) => n + i.meanInFlight, 0) / part.length;
  const first = mean(judged.slice(0, half));
  const last = mean(judged.slice(-half));
  const sent = judged.reduce((n, i) => n + i.sent, 0);
  const completed = judged.reduce((n, i) => n + i.requests, 0);
  const climbed = last - first > Math.max(PROBE_RULES.climbMinRequests, PROBE_RULES.climbShare * first);
  if (!climbed || sent <= completed * (1 + PROBE_RULES.arrivalExcess)) return undefined;
  return `requests in flight climbed from ${first.toFixed(1)} to ${last.toFixed(1)} through the probe (${sent} sent, ${completed} completed): the arrivals outpace the target`;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toPrecision(3)} s` : `${value >= 100 ? value.toFixed(0) : value.toPrecision(3)} ms`;
}

function pct(value: number): string {
  return `${(value * 100).toFixed(value !== 0 && value < 0.001 ? 3 : 2)}%`;
}
