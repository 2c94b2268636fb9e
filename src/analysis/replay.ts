import type { EncodedHistograms, ErrorCounts, ErrorKind } from '../result/types.js';
import { backoffDelayMs } from '../shared/backoff.js';
import { createRandom } from '../shared/random.js';
import { successfulHistograms } from './timeouts.js';
import { decodeDistribution, quantileMs, samplerOf, type Distribution } from './distribution.js';
import type { LoadLevelTotal, ReplayPolicy, ReplayResult } from './types.js';
import { TailscopeError } from '../shared/errors.js';
import { EventQueue } from './event-queue.js';
import { loadLevelBand, PolicyState } from '../shared/call-policy.js';

/** Retry categories a policy names, and the run's error kinds that fall under each. */
type RetryCategory = ReplayPolicy['retries']['on'][number];
const KIND_CATEGORY: Partial<Record<ErrorKind, RetryCategory>> = {
  reset: 'reset',
  garbage: 'reset',
  refused: 'connect',
  timeout_connect: 'connect',
  dns: 'connect',
  timeout_first_byte: 'timeout',
  timeout_total: 'timeout',
  timeout_idle: 'timeout',
};
// The live requester's budget, kept under its old name for readers of the replay.
export { BUDGET_INITIAL_TOKENS } from '../shared/call-policy.js';

/** With no recorded call rate, the simulated clock assumes one client calling this many times a second. */
const DEFAULT_CALLS_PER_SEC = 100;

/** A population of recorded attempts to draw from: the whole run, or one stage of it. */
export interface RecordedAttempts {
  histograms: EncodedHistograms;
  /** attempts recorded and how they failed */
  requests: number;
  errors: ErrorCounts;
}

/** One stage of the run, for a per-load-level timeout: its own attempts, its calls, and the load level it ran at. */
export interface StageAttempts extends RecordedAttempts {
  name: string;
  calls: number;
  /** the curve's target at the stage's start and end (equal but on ramps): concurrency, or arrivals/s */
  levelFrom: number;
  levelTo: number;
}

export interface ReplayInput extends RecordedAttempts {
  /**
   * the run's stages in time order: with a per-load-level timeout, each simulated call draws from the stage it
   * falls in (by the stages' shares of the calls) at that stage's level. Unused otherwise.
   */
  stages?: StageAttempts[];
  /**
   * calls a second one client (worker) made on the run, each with its own policy state: a breaker's open time,
   * a retry's wait and a budget's refills are simulated against that client's stream of calls
   */
  callsPerSec?: number;
  /**
   * calls one client (worker) made on the run: stateful policies (breaker, budget, adaptive window) start cold
   * every this many simulated calls, as a client starts cold in every run. Unset: one client for all samples.
   */
  callsPerClient?: number;
}

/** What one attempt turned out to be: its outcome, how long it took, and the failure category if it failed. */
interface Attempt {
  ok: boolean;
  elapsedMs: number;
  cause?: string;
  category?: RetryCategory;
}

/**
 * Replays a client policy against the recorded distributions by Monte Carlo with a seeded PRNG.
 *
 * Each attempt first draws whether it fails the way the run's attempts failed (errors by kind, at their
 * recorded shares); failed attempts take a time drawn from the failed attempts' own times (`totalFailed`). A run's own timeouts are
 * censored observations: the attempt would have taken longer still, so it fails at the policy's timeout.
 * Otherwise the attempt draws a first-byte time from the successful requests' `ttfb` and a body time from `download` (independently:
 * the histograms do not keep which pairs went together), and a connect time from `connect` with the share of
 * attempts that opened a socket. The policy's timeouts cut those; retries follow with the policy's backoff,
 * gated by its budget; a hedge sends a second copy after its delay and the first success wins.
 */
export function replayPolicy(input: ReplayInput, policy: ReplayPolicy): ReplayResult {
  const random = createRandom(policy.seed);
  const bands = policy.loadLevelTimeouts;
  // A per-load-level timeout needs to know which level each call ran at: it draws stage by stage. Any other
  // policy draws from the whole run (or the one stage asked for), as one population.
  const strata = bands ? stagesToDraw(input.stages) : undefined;
  const whole = strata ? undefined : populationOf(input);
  const levelTimeouts =
    bands && strata ? strata.map((stratum) => bands.map((band) => bandTimeoutMs(band.total, stratum.population))) : undefined;
  const indexedBands = bands?.map((band, index) => ({ ...(band.upTo !== undefined && { upTo: band.upTo }), index }));
  const warnings: string[] = [];
  if (bands && strata) {
    const unread = strata.filter((_, i) => levelTimeouts![i]!.some((ms, b) => ms === undefined && !('ms' in bands[b]!.total)));
    if (unread.length > 0)
      warnings.push(
        `no successful attempts to read a band's quantile from in ${unread.map((s) => s.stage.name).join(', ')}: no load-level timeout there`,
      );
  }

  /** The stage a simulated call falls in, by its position among one client's calls, and the level it ran at. */
  const stratumAt = (position: number): { index: number; level: number } => {
    const list = strata!;
    let index = list.findIndex((s) => position < s.endShare);
    if (index < 0) index = list.length - 1;
    const { stage, startShare, endShare } = list[index]!;
    const within = endShare > startShare ? (position - startShare) / (endShare - startShare) : 0;
    return { index, level: stage.levelFrom + (stage.levelTo - stage.levelFrom) * Math.min(1, Math.max(0, within)) };
  };

  const gapMs = 1000 / (input.callsPerSec && input.callsPerSec > 0 ? input.callsPerSec : DEFAULT_CALLS_PER_SEC);
  const horizon = input.callsPerClient !== undefined && input.callsPerClient >= 1 ? Math.round(input.callsPerClient) : undefined;
  /**
   * One policy over `p.samples` calls, as a discrete-event simulation: each client's calls start one recorded
   * gap apart, and every call start, retry, answer and call end happens in time order on one queue. Live, a
   * policy's state changes as answers arrive, and a retry sent after its backoff finds the state those answers
   * left: a breaker opened by calls that started during its wait, a budget drawn on by them, an adaptive window
   * that learned from them. Running each call's retries inline, before the calls that start meanwhile, cannot
   * show that.
   */
  const simulate = (p: ReplayPolicy) => {
    const latencies: number[] = [];
    const failuresByCause: Record<string, number> = {};
    let attempts = 0;
    const fail = (cause: string) => (failuresByCause[cause] = (failuresByCause[cause] ?? 0) + 1);
    /** The policy as it stands for this attempt: its static total cut further by the adaptive and load-level ones. */
    const attemptPolicy = (adaptive: PolicyState['adaptive'], levelTimeoutMs: number | undefined): ReplayPolicy => {
      const cuts = [p.timeouts.totalMs, adaptive?.currentMs(), levelTimeoutMs].filter((ms): ms is number => ms !== undefined);
      if (cuts.length === 0 || (cuts.length === 1 && p.timeouts.totalMs !== undefined)) return p;
      return { ...p, timeouts: { ...p.timeouts, totalMs: Math.min(...cuts) } };
    };
    /** A call starting at `startMs`, at `position` in [0, 1) of its client's calls: what it draws from and its level's cut. */
    const callAt = (position: number, startMs: number): SimulatedCall => {
      if (!strata) return { startMs, population: whole! };
      // Strata: the call's place in the run decides its stage (a client walks through the stages in order).
      const at = stratumAt(position);
      const band = p.loadLevelTimeouts ? loadLevelBand(indexedBands!, at.level) : undefined;
      const levelTimeoutMs = band ? levelTimeouts![at.index]![band.index] : undefined;
      return { startMs, population: strata[at.index]!.population, ...(levelTimeoutMs !== undefined && { levelTimeoutMs }) };
    };
    const callsEach = horizon ?? p.samples;
    // Every client starts cold, as every client of the recorded run did, and runs on its own clock.
    for (let first = 0; first < p.samples; first += callsEach) {
      const calls = Math.min(callsEach, p.samples - first);
      const { budget, breaker, adaptive } = new PolicyState({
        ...(p.budgetRatio !== undefined && { budgetRatio: p.budgetRatio }),
        ...(p.breaker && { breaker: p.breaker }),
        ...(p.adaptiveTimeout && { adaptiveTimeout: p.adaptiveTimeout }),
      });
      const events = new EventQueue<SimulatedEvent>();
      events.push({ kind: 'start', atMs: 0, rank: RANK.send, callIndex: 0 });
      /** An attempt (with its hedge) sent at `atMs`: its answers and its end go on the queue. */
      const send = (call: SimulatedCall, retry: number, atMs: number) => {
        // An open breaker refuses the attempt without sending it: the call fails fast.
        if (breaker && !breaker.allow(atMs)) return fail('breaker');
        const tried = tryOnce(call.population, attemptPolicy(adaptive, call.levelTimeoutMs), random);
        attempts += tried.answers.length;
        for (const { afterMs, attempt } of tried.answers) events.push({ kind: 'answer', atMs: atMs + afterMs, rank: RANK.answer, attempt });
        events.push({ kind: 'end', atMs: atMs + tried.outcome.elapsedMs, rank: RANK.end, call, retry, outcome: tried.outcome });
      };
      for (let event = events.pop(); event; event = events.pop()) {
        if (event.kind === 'answer') {
          // What the live requester does as each attempt settles: a failure the caller did not cause counts
          // against the breaker (a status other than 5xx, 429s left out, is taken as the caller's own 4xx), and a
          // success teaches the adaptive timeout.
          const { attempt } = event;
          breaker?.record(!attempt.ok && attempt.cause !== 'status', event.atMs);
          if (attempt.ok) adaptive?.observe(attempt.elapsedMs);
        } else if (event.kind === 'start') {
          const { callIndex } = event;
          budget?.deposit();
          if (callIndex + 1 < calls)
            events.push({ kind: 'start', atMs: (callIndex + 1) * gapMs, rank: RANK.send, callIndex: callIndex + 1 });
          send(callAt(callIndex / callsEach, event.atMs), 0, event.atMs);
        } else if (event.kind === 'retry') {
          send(event.call, event.retry, event.atMs);
        } else {
          const { call, retry, outcome } = event;
          if (outcome.ok) latencies.push(event.atMs - call.startMs);
          else if (retry < p.retries.max && outcome.category && p.retries.on.includes(outcome.category) && (!budget || budget.withdraw())) {
            const atMs = event.atMs + backoffDelayMs(retry + 1, p.retries, random);
            events.push({ kind: 'retry', atMs, rank: RANK.send, call, retry: retry + 1 });
          } else fail(outcome.cause ?? 'other');
        }
      }
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]! : 0);
    return { successRate: latencies.length / p.samples, p50: at(0.5), p99: at(0.99), p999: at(0.999), attempts, failuresByCause };
  };

  const run = simulate(policy);
  const baseline = simulate({
    ...policy,
    timeouts: {},
    retries: { ...policy.retries, max: 0 },
    hedge: undefined,
    budgetRatio: undefined,
    breaker: undefined,
    adaptiveTimeout: undefined,
    loadLevelTimeouts: undefined,
  });
  const populations = strata ? strata.map((s) => s.population) : [whole!];
  const responses = populations.reduce((sum, pop) => sum + pop.ttfbCount, 0);
  if (responses < 1000) warnings.push(`the replay resamples ${responses} recorded responses: its tail (p99.9) repeats a handful of values`);
  if (populations.some((pop) => pop.censored)) {
    warnings.push(
      'the run had timeouts of its own: those attempts are taken to exceed any policy timeout (censored), and are resampled as failures at it',
    );
  }
  return {
    method: `Monte Carlo over the recorded histograms (seed ${policy.seed}, ${policy.samples} logical requests, ${horizon !== undefined ? `${Math.ceil(policy.samples / horizon)} client${Math.ceil(policy.samples / horizon) === 1 ? '' : 's'} of ${horizon}` : 'one client'} calling every ${gapMs.toFixed(2)} ms; calls, retries and answers in time order): failures by kind at the run's shares, ttfb + download resampled from their buckets, policy timeouts, retries with backoff${policy.budgetRatio !== undefined ? ' under a retry budget' : ''}${policy.hedge ? ', a hedge' : ''}${policy.breaker ? ', a circuit breaker hearing each answer as it arrives' : ''}${policy.adaptiveTimeout ? `, an adaptive timeout (mean + ${policy.adaptiveTimeout.k}σ of the last ${policy.adaptiveTimeout.window} successful attempts)` : ''}${strata ? `, a per-load-level timeout with each call drawn from its stage's own attempts at its level (${strata.length} stage${strata.length === 1 ? '' : 's'}, by their shares of the calls)` : ''}${horizon !== undefined && (policy.breaker || policy.adaptiveTimeout || policy.budgetRatio !== undefined || strata) ? `; policy state starts cold every ${horizon} calls, as one client of the recorded run did` : ''}`,
    policy,
    basis: { metric: 'ttfb+download', samples: responses, failureShareByKind: (strata ? populationOf(input) : whole!).failureShareByKind },
    logicalRequests: policy.samples,
    successRate: run.successRate,
    effective: { p50: run.p50, p99: run.p99, p999: run.p999 },
    extraLoadShare: run.attempts / policy.samples - 1,
    failuresByCause: run.failuresByCause,
    baseline: { successRate: baseline.successRate, p50: baseline.p50, p99: baseline.p99, p999: baseline.p999 },
    warnings,
  };
}

/**
 * What the replay draws one population's attempts from. Successes and failures are drawn from their own
 * populations: a 503 answered in 2 ms is not a sample of how long a success takes, nor a success a sample of
 * how long a failure takes.
 */
interface Population {
  ttfbCount: number;
  /** the run's own timeouts cut some of these attempts */
  censored: boolean;
  failureShareByKind: Record<string, number>;
  /** successful attempts' total times, for a band's quantile */
  successTotal?: Distribution;
  draw(p: ReplayPolicy, random: () => number): Attempt;
}

function populationOf(recorded: RecordedAttempts): Population {
  const successful = successfulHistograms(recorded.histograms);
  const ttfb = decodeDistribution(successful.ttfb) ?? decodeDistribution(recorded.histograms.ttfb);
  const total = decodeDistribution(recorded.histograms.total);
  if (!ttfb || !total) throw new ReplayError('the result has no ttfb/total histogram to replay');
  const failedTotal = decodeDistribution(recorded.histograms.totalFailed) ?? total;
  const download = decodeDistribution(recorded.histograms.download);
  const connect = decodeDistribution(recorded.histograms.connect);
  const drawTtfb = samplerOf(ttfb);
  const drawFailedTotal = samplerOf(failedTotal);
  const drawDownload = download ? samplerOf(download) : () => 0;
  const drawConnect = connect ? samplerOf(connect) : () => 0;
  const connectShare = connect && recorded.requests > 0 ? Math.min(1, connect.count / recorded.requests) : 0;
  const longestRecordedMs = total.valuesMs[total.valuesMs.length - 1]!;

  // The failure mix seen on the run, per attempt. A status error counts only as a 5xx when it was one.
  const failureShareByKind: Record<string, number> = {};
  const kinds: { share: number; cause: string; category?: RetryCategory; censored: boolean }[] = [];
  // A 429 was the rate limiter's answer, waited out by the recorded client: the replay has no limiter to ask
  // again, so 429s are neither attempts nor failures here.
  const rateLimited = recorded.errors.byStatus['429'] ?? 0;
  const n = Math.max(recorded.requests - rateLimited, 1);
  const fivexx = Object.entries(recorded.errors.byStatus).reduce((sum, [status, count]) => sum + (Number(status) >= 500 ? count : 0), 0);
  for (const [kind, recordedCount] of Object.entries(recorded.errors.byKind) as [ErrorKind, number][]) {
    const count = kind === 'status' ? recordedCount - rateLimited : recordedCount;
    if (!count) continue;
    failureShareByKind[kind] = count / n;
    if (kind === 'status') {
      if (fivexx > 0) kinds.push({ share: fivexx / n, cause: '5xx', category: '5xx', censored: false });
      if (count - fivexx > 0) kinds.push({ share: (count - fivexx) / n, cause: 'status', censored: false });
    } else {
      const category = KIND_CATEGORY[kind];
      kinds.push({ share: count / n, cause: kind, ...(category ? { category } : {}), censored: category === 'timeout' });
    }
  }
  const successTotal = decodeDistribution(successful.total);

  const draw = (p: ReplayPolicy, random: () => number): Attempt => {
    let u = random();
    for (const kind of kinds) {
      if (u < kind.share) {
        if (kind.censored) return timeoutAttempt(p, longestRecordedMs);
        const elapsedMs = drawFailedTotal(random);
        if (p.timeouts.totalMs !== undefined && elapsedMs > p.timeouts.totalMs)
          return { ok: false, elapsedMs: p.timeouts.totalMs, cause: 'timeout_total', category: 'timeout' };
        return { ok: false, elapsedMs, cause: kind.cause, ...(kind.category ? { category: kind.category } : {}) };
      }
      u -= kind.share;
    }
    if (connectShare > 0 && random() < connectShare) {
      const connectMs = drawConnect(random);
      if (p.timeouts.connectMs !== undefined && connectMs > p.timeouts.connectMs) {
        return { ok: false, elapsedMs: p.timeouts.connectMs, cause: 'timeout_connect', category: 'connect' };
      }
    }
    const firstByteMs = drawTtfb(random);
    if (p.timeouts.firstByteMs !== undefined && firstByteMs > p.timeouts.firstByteMs) {
      return { ok: false, elapsedMs: p.timeouts.firstByteMs, cause: 'timeout_first_byte', category: 'timeout' };
    }
    const elapsedMs = firstByteMs + drawDownload(random);
    if (p.timeouts.totalMs !== undefined && elapsedMs > p.timeouts.totalMs) {
      return { ok: false, elapsedMs: p.timeouts.totalMs, cause: 'timeout_total', category: 'timeout' };
    }
    return { ok: true, elapsedMs };
  };
  return {
    ttfbCount: ttfb.count,
    censored: kinds.some((k) => k.censored),
    failureShareByKind,
    ...(successTotal && { successTotal }),
    draw,
  };
}

/** A simulated call: when it started, what its attempts draw from, and its load level's cut (if any). */
interface SimulatedCall {
  startMs: number;
  population: Population;
  levelTimeoutMs?: number;
}

/** An attempt's answer within a try: when it arrives, counted from the try's start, and the attempt itself. */
interface Answer {
  afterMs: number;
  attempt: Attempt;
}

/** Events due at the same instant: answers are heard first, then calls end, then attempts are sent. */
const RANK = { answer: 0, end: 1, send: 2 } as const;

type SimulatedEvent =
  | { kind: 'start'; atMs: number; rank: number; callIndex: number }
  | { kind: 'retry'; atMs: number; rank: number; call: SimulatedCall; retry: number }
  /** one attempt's answer reaching the client */
  | { kind: 'answer'; atMs: number; rank: number; attempt: Attempt }
  /** a try's outcome (its first success, else its last failure): the call succeeds, retries or fails */
  | { kind: 'end'; atMs: number; rank: number; call: SimulatedCall; retry: number; outcome: Attempt };

/**
 * One try: the primary attempt, raced by a hedged copy when the primary is still out at the hedge delay. The
 * outcome's time counts from the try's start; so does each answer's arrival (`afterMs`), while its attempt keeps
 * its own time, from its own send.
 */
function tryOnce(population: Population, p: ReplayPolicy, random: () => number): { outcome: Attempt; answers: Answer[] } {
  const primary = population.draw(p, random);
  if (!p.hedge || primary.elapsedMs <= p.hedge.delayMs)
    return { outcome: primary, answers: [{ afterMs: primary.elapsedMs, attempt: primary }] };
  const copy = population.draw(p, random);
  const copyDone = p.hedge.delayMs + copy.elapsedMs;
  const answers = [
    { afterMs: primary.elapsedMs, attempt: primary },
    { afterMs: copyDone, attempt: copy },
  ];
  if (primary.ok && (!copy.ok || primary.elapsedMs <= copyDone)) return { outcome: primary, answers };
  if (copy.ok) return { outcome: { ok: true, elapsedMs: copyDone }, answers };
  return { outcome: { ...primary, elapsedMs: Math.max(primary.elapsedMs, copyDone) }, answers };
}

/** The stages that sent calls, each with its share of the run's calls as a span of [0, 1) in time order. */
function stagesToDraw(stages: readonly StageAttempts[] | undefined) {
  const sent = (stages ?? []).filter((stage) => stage.calls > 0 && stage.requests > 0 && stage.histograms.total);
  if (sent.length === 0)
    throw new ReplayError('a per-load-level timeout is replayed stage by stage, and no stage of the run recorded attempts');
  const calls = sent.reduce((sum, stage) => sum + stage.calls, 0);
  let before = 0;
  return sent.map((stage) => {
    const startShare = before / calls;
    before += stage.calls;
    return { stage, startShare, endShare: before / calls, population: populationOf(stage) };
  });
}

/** A band's timeout at one stage: its duration, or its quantile of that stage's successful attempts. */
function bandTimeoutMs(total: LoadLevelTotal, population: Population): number | undefined {
  if ('ms' in total) return total.ms;
  return population.successTotal ? quantileMs(population.successTotal, total.quantile) : undefined;
}

function timeoutAttempt(p: ReplayPolicy, longestRecordedMs: number): Attempt {
  const limits = [p.timeouts.firstByteMs, p.timeouts.totalMs].filter((v): v is number => v !== undefined);
  return {
    ok: false,
    elapsedMs: limits.length ? Math.min(...limits) : longestRecordedMs,
    cause: 'timeout_first_byte',
    category: 'timeout',
  };
}

export class ReplayError extends TailscopeError {
  readonly code = 'E_REPLAY';
  constructor(message: string) {
    super(message);
  }
}
