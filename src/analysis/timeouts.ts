import { encodeHistogram, subtractEncoded } from '../shared/histogram.js';
import { formatDuration } from '../shared/units.js';
import type { EncodedHistograms, ErrorCounts, ErrorKind, MetricName, RunResult } from '../result/types.js';
import { censoringOf, recordedRankOf } from './censoring.js';
import { decodeDistribution, quantileMs, shareAboveMs, type Distribution } from './distribution.js';
import { rfc6298Estimate } from './rfc6298.js';
import { retrySafeOnTimeout, runConfigOf, type ConfiguredTimeouts, type RunConfig } from './run-config.js';
import type {
  LevelTimeoutCut,
  LoadLevelRef,
  PhaseCensoring,
  RequestTimeoutAdvice,
  RerunAdvice,
  TimeoutAdvice,
  TimeoutChoice,
  TimeoutPhase,
} from './types.js';

/**
 * The timeout rule: read the (1 − target) quantile of the phase's recorded times, multiply by the headroom and
 * round up to two significant digits. Because headroom ≥ 1, the value cuts at most `targetCutShare` of this
 * run's values; the headroom absorbs the sampling error of a tail quantile and run-to-run drift.
 */
export const TIMEOUT_RULE = {
  targetCutShare: 0.001,
  headroom: 1.25,
  /** a tail quantile resting on fewer values above it than this is flagged */
  minTailSamples: 10,
} as const;

export const PHASE_METRICS: Record<TimeoutPhase, MetricName> = {
  connect: 'connect',
  firstByte: 'ttfb',
  total: 'total',
  firstToken: 'ttft',
  idle: 'itl',
};

/** Rounds up to two significant digits, so a timeout reads like one a person would write (287.3 → 290). */
export function niceCeilMs(valueMs: number): number {
  if (!(valueMs > 0)) return 0;
  const step = 10 ** (Math.floor(Math.log10(valueMs)) - 1);
  // The epsilon keeps an exact multiple (e.g. 290) from rounding up a step through floating-point noise.
  return Number((Math.ceil(valueMs / step - 1e-9) * step).toPrecision(12));
}

export function tailRuleMs(
  distribution: Distribution,
  targetCutShare = TIMEOUT_RULE.targetCutShare,
  headroom = TIMEOUT_RULE.headroom,
): { quantileMs: number; timeoutMs: number } {
  const q = quantileMs(distribution, 1 - targetCutShare);
  return { quantileMs: q, timeoutMs: niceCeilMs(q * headroom) };
}

/** What a phase's figures must be read against: the run's own timeouts and what they cut, and the throughput. */
export interface PhaseContext {
  /** the run's own timeouts cut some of this phase's values (see censoring.ts) */
  censoring?: PhaseCensoring;
  /**
   * values of this phase recorded per second, to say how long a re-run must be: not requests per second, since
   * a phase may record fewer values (connect: new sockets only) or more (idle: every gap between tokens)
   */
  valuesPerSec?: number;
}

/** A re-run is proposed with the configured timeout loosened this much: far enough to see a tail past it. */
export const RERUN_LOOSEN_FACTOR = 4;

/**
 * One phase's recommended timeout, with mean + 2σ beside it to show what the textbook rule would cut. When the
 * run's own timeout cut the phase, or too few values reach the quantile, the quantile is only a lower bound:
 * the recommendation is then a floor (never below the configured timeout) and a re-run is proposed.
 */
export function chooseTimeout(phase: TimeoutPhase, distribution: Distribution, context: PhaseContext = {}): TimeoutChoice {
  const { targetCutShare, headroom, minTailSamples } = TIMEOUT_RULE;
  const q = 1 - targetCutShare;
  const censoring = context.censoring;
  const cut = censoring?.cutCount ?? 0;
  const population = distribution.count + cut;
  const warnings: string[] = [];
  const metric = PHASE_METRICS[phase];

  // Where the rule's quantile falls: among the recorded values (its rank there), or among the cut ones.
  const rank = recordedRankOf(q, distribution.count, cut);
  const censoredPastQuantile = censoring !== undefined && rank === undefined;
  const underSampled = population * targetCutShare < minTailSamples;
  const recordedQuantileMs = quantileMs(distribution, Math.min(rank ?? 1, 1));
  // Where the cut values reach the quantile, it is at least the run's own timeout: the floor starts there, and
  // with headroom > 1 the advice is always above it — a timeout at or below it would cut every attempt the run
  // cut and more, by an amount this run cannot measure. (Where they stay inside the share the rule allows, the
  // quantile lies among the recorded values, and a shorter timeout's cut, the run's cuts included, is exact.)
  const quantileValueMs = censoredPastQuantile ? Math.max(censoring.configuredMs, recordedQuantileMs) : recordedQuantileMs;
  let timeoutMs = niceCeilMs(quantileValueMs * headroom);
  let method = `${headroom}× the ${pct(q)} quantile (${quantileValueMs.toFixed(2)} ms) of ${metric}, rounded up to 2 significant digits`;
  if (censoredPastQuantile)
    method = `${method}; the quantile is a floor: at least the run's own ${censoring.field} (${fmt(censoring.configuredMs)} ms), which the attempts it cut lie past`;

  const choice: Partial<TimeoutChoice> = {};
  if (phase === 'connect') {
    const rfc = rfc6298Estimate(distribution);
    choice.rfc6298 = rfc;
    if (rfc.rtoFlooredMs > timeoutMs) {
      timeoutMs = niceCeilMs(rfc.rtoFlooredMs);
      method += `; raised to RFC 6298's RTO with its 1 s floor (SRTT + 4·RTTVAR = ${rfc.rtoMs.toFixed(2)} ms): a shorter connect timeout gives up before the first SYN retransmission`;
    }
  }

  if (censoring) {
    choice.censored = censoring;
    const kinds = Object.entries(censoring.byKind)
      .map(([kind, count]) => `${count} ${kind}`)
      .join(', ');
    if (censoredPastQuantile) {
      warnings.push(
        `censored: ${censoring.cutCount} of ${population} ${metric} values (${pct(censoring.cutShare)}; ${kinds}) were cut by the run's own ${censoring.field} of ${fmt(censoring.configuredMs)} ms, more than the ${pct(targetCutShare)} the rule reads past: the ${pct(q)} quantile is above ${fmt(censoring.configuredMs)} ms and this run cannot say where. ${fmt(timeoutMs)} ms is a floor, not a fit`,
      );
    } else {
      warnings.push(
        `censored: ${censoring.cutCount} of ${population} ${metric} values (${pct(censoring.cutShare)}; ${kinds}) were cut by the run's own ${censoring.field} of ${fmt(censoring.configuredMs)} ms; the ${pct(q)} quantile is read counting them as longer than every recorded value`,
      );
    }
  }
  if (underSampled) {
    const needed = Math.ceil(minTailSamples / targetCutShare);
    choice.underSampled = { samples: population, needed };
    warnings.push(
      `the ${pct(q)} quantile rests on ${population} values (~${(population * targetCutShare).toFixed(1)} above it; want ≥ ${minTailSamples}, so ≥ ${needed} values): the highest values of a small sample fall short of the tail, so ${fmt(quantileValueMs)} ms is a lower bound — run longer before trusting this ${phase} timeout`,
    );
  }
  const lowerBound = censoredPastQuantile || underSampled;
  if (lowerBound) choice.lowerBound = true;
  const rerun = rerunAdvice(phase, { censoredPastQuantile, underSampled, population, timeoutMs }, context);
  if (rerun) {
    choice.rerun = rerun;
    warnings.push(rerun.text);
  }

  const m2sMs = distribution.meanMs + 2 * distribution.sdMs;
  return {
    phase,
    metric,
    samples: distribution.count,
    method,
    quantile: q,
    quantileMs: quantileValueMs,
    timeoutMs,
    cutShare: cutShareOf(distribution, timeoutMs, censoring),
    meanPlus2Sd: {
      timeoutMs: m2sMs,
      cutShare: cutShareOf(distribution, m2sMs, censoring),
      meanMs: distribution.meanMs,
      sdMs: distribution.sdMs,
    },
    ...choice,
    warnings,
  };
}

/**
 * Share of the phase's population (recorded + cut) a timeout would cut. Below the configured timeout every cut
 * value counts as cut (exact); at or above it the cut values may or may not fall past the new timeout, so they
 * all count: an upper bound, which is the side a timeout's cost should err on.
 */
export function cutShareOf(distribution: Distribution, timeoutMs: number, censoring: PhaseCensoring | undefined): number {
  if (!censoring) return shareAboveMs(distribution, timeoutMs);
  const recordedAbove = shareAboveMs(distribution, timeoutMs) * distribution.count;
  return (recordedAbove + censoring.cutCount) / (distribution.count + censoring.cutCount);
}

/** How to measure what this run could not: a looser timeout where it was censored, more requests where short. */
function rerunAdvice(
  phase: TimeoutPhase,
  state: { censoredPastQuantile: boolean; underSampled: boolean; population: number; timeoutMs: number },
  context: PhaseContext,
): RerunAdvice | undefined {
  if (!state.censoredPastQuantile && !state.underSampled) return undefined;
  const parts: string[] = [];
  const rerun: RerunAdvice = { text: '' };
  if (state.censoredPastQuantile && context.censoring) {
    const c = context.censoring;
    rerun.timeoutMs = niceCeilMs(Math.max(c.configuredMs * RERUN_LOOSEN_FACTOR, state.timeoutMs * 2));
    rerun.field = c.field;
    parts.push(
      `${c.field}: ${formatDuration(rerun.timeoutMs)} (loosened from the ${fmt(c.configuredMs)} ms that cut it: at least ${RERUN_LOOSEN_FACTOR}× that and twice the floor; if it cuts more than ${pct(TIMEOUT_RULE.targetCutShare)} again, loosen it again)`,
    );
  }
  if (state.underSampled) {
    rerun.minRequests = Math.ceil(TIMEOUT_RULE.minTailSamples / TIMEOUT_RULE.targetCutShare);
    const perSec = context.valuesPerSec ?? 0;
    if (perSec > 0) rerun.minDurationMs = Math.ceil((rerun.minRequests / perSec) * 1000);
    parts.push(
      `at least ${rerun.minRequests} ${PHASE_METRICS[phase]} values${rerun.minDurationMs !== undefined ? ` (~${formatDuration(Math.ceil(rerun.minDurationMs / 1000) * 1000)} at the ${perSec.toFixed(1)} values/s seen)` : ''}`,
    );
  }
  rerun.text = `to measure ${phase} instead of bounding it, re-run with ${parts.join(' and ')}`;
  return rerun;
}

const STREAM_PHASES: readonly TimeoutPhase[] = ['firstToken', 'idle'];

/**
 * The context of a phase in one population: the run's censoring of it (from the population's error counts; a
 * stream phase from the streams' only) and the rate its values came in (recorded and cut, per request).
 */
function contextOf(phase: TimeoutPhase, recorded: number, p: Population, configured: ConfiguredTimeouts | undefined): PhaseContext {
  const errors = STREAM_PHASES.includes(phase) ? (p.streamErrors ?? p.errors) : p.errors;
  const censoring = errors && configured ? censoringOf(phase, recorded, errors, configured) : undefined;
  const values = recorded + (censoring?.cutCount ?? 0);
  const valuesPerSec = p.throughputPerSec !== undefined && p.requests ? (p.throughputPerSec * values) / p.requests : undefined;
  return { ...(censoring ? { censoring } : {}), ...(valuesPerSec !== undefined ? { valuesPerSec } : {}) };
}

/** One population's figures: its histograms, its error counts (what the run's timeouts cut) and throughput. */
export interface Population {
  histograms: EncodedHistograms;
  errors?: ErrorCounts;
  /**
   * the streamed requests' share of those errors, when plain and streamed requests are mixed: first-token and
   * idle times are recorded only by streams, so only their timeouts censor those phases
   */
  streamErrors?: ErrorCounts;
  /** requests completed per second, and how many: with a phase's value count they give its values per second */
  throughputPerSec?: number;
  requests?: number;
}

/**
 * Every phase with recorded values in a population. Total and first-byte times are those of the successful
 * requests (failed attempts subtracted): a timeout is chosen for, and judged by, the requests it would cut that
 * would otherwise have succeeded — not the hangs and resets that failed anyway. The attempts the run's own
 * timeouts cut are counted back in as censored values (they might have succeeded with more patience).
 */
export function timeoutsOf(p: Population, configured?: ConfiguredTimeouts): TimeoutChoice[] {
  const choices: TimeoutChoice[] = [];
  const successful = successfulHistograms(p.histograms);
  for (const phase of Object.keys(PHASE_METRICS) as TimeoutPhase[]) {
    const distribution = decodeDistribution(successful[PHASE_METRICS[phase]]);
    if (distribution) choices.push(chooseTimeout(phase, distribution, contextOf(phase, distribution.count, p, configured)));
  }
  return choices;
}

/**
 * Recommendations at the knee level (the most load a client should plan for; a timeout read at light load
 * cuts more as load rises), the same rule at each distinct load level beside them, and per request name.
 */
export function timeoutAdviceOf(result: RunResult, levels: readonly LoadLevelRef[]): TimeoutAdvice {
  const config = runConfigOf(result.scenario.definition);
  const configured = config.timeouts;
  const knee = levels.find((l) => l.level === 'knee');
  const distinct = distinctLevels(levels);
  const basis: TimeoutAdvice['basis'] = knee && distinct.length > 1 ? knee : { level: 'whole-run' };
  const streams = streamShare(result, config);
  const recommended = timeoutsOf(withStreamErrors(basisPopulation(result, basis), streams), configured);
  const byLoadLevel = distinct.map((level) => {
    const stage = result.stages[level.stage]!;
    const timeouts: Partial<Record<TimeoutPhase, LevelTimeoutCut>> = {};
    const population = {
      histograms: stage.histograms,
      errors: stage.errorsByKind,
      throughputPerSec: stage.throughput,
      requests: stage.requests,
    };
    for (const choice of timeoutsOf(withStreamErrors(population, streams), configured))
      timeouts[choice.phase] = {
        timeoutMs: choice.timeoutMs,
        cutShare: choice.cutShare,
        ...(choice.lowerBound ? { lowerBound: true } : {}),
      };
    return { ...level, timeouts };
  });
  const warnings = recommended.flatMap((c) => c.warnings);
  const heavy = recommended.find((c) => c.phase === 'firstByte' || c.phase === 'total');
  if (heavy && !heavy.lowerBound && heavy.meanPlus2Sd.cutShare > TIMEOUT_RULE.targetCutShare) {
    warnings.push(
      `mean + 2σ of ${heavy.metric} (${heavy.meanPlus2Sd.timeoutMs.toFixed(1)} ms) would cut ${pct(heavy.meanPlus2Sd.cutShare)} of requests: the tail is heavier than a normal distribution's, so σ understates it`,
    );
  }
  return {
    targetCutShare: TIMEOUT_RULE.targetCutShare,
    headroom: TIMEOUT_RULE.headroom,
    rule: `timeout = ${TIMEOUT_RULE.headroom} × the ${pct(1 - TIMEOUT_RULE.targetCutShare)} quantile of the phase's recorded times, rounded up to 2 significant digits, so it cuts at most ${pct(TIMEOUT_RULE.targetCutShare)} of this run's values (cut shares are read exactly from the histogram buckets); connect is at least RFC 6298's floored RTO. Attempts the run's own timeouts cut count as longer than any recorded value: where they reach the quantile, it is only a lower bound and the timeout never goes below the run's own. Read at the knee load level; a timeout read at light load cuts more as load grows.`,
    basis,
    recommended,
    byLoadLevel,
    byRequest: requestAdviceOf(result, config),
    configured,
    warnings,
  };
}

/**
 * One row per distinct stage among the levels: with one stage, light, nominal and knee are the same
 * numbers and one row says so; the row keeps the heaviest name it stands for and lists the others.
 */
export function distinctLevels(levels: readonly LoadLevelRef[]): (LoadLevelRef & { sameAs?: LoadLevelRef['level'][] })[] {
  const byStage = new Map<number, LoadLevelRef & { sameAs?: LoadLevelRef['level'][] }>();
  for (const level of levels) {
    const seen = byStage.get(level.stage);
    if (!seen) byStage.set(level.stage, { ...level });
    else byStage.set(level.stage, { ...level, sameAs: [...(seen.sameAs ?? []), seen.level] });
  }
  return [...byStage.values()];
}

/**
 * In a run that mixes plain and streamed requests, the streams' share of each error kind (from the per-name
 * counts); undefined when all requests share one transport (every error then belongs to the phase's requests).
 */
function streamShare(result: RunResult, config: RunConfig): Partial<Record<string, number>> | undefined {
  const transports = new Map(config.requests.map((r) => [r.name, r.transport]));
  const names = Object.values(result.requestsByName);
  const streamed = names.filter((n) => (transports.get(n.name) ?? 'plain') !== 'plain');
  if (streamed.length === 0 || streamed.length === names.length) return undefined;
  const share: Partial<Record<string, number>> = {};
  for (const kind of new Set(names.flatMap((n) => Object.keys(n.errorsByKind.byKind)))) {
    const count = (list: typeof names) => list.reduce((sum, n) => sum + (n.errorsByKind.byKind[kind as ErrorKind] ?? 0), 0);
    const all = count(names);
    share[kind] = all > 0 ? count(streamed) / all : 0;
  }
  return share;
}

/**
 * A population's stream errors: its error counts scaled by the streams' share of each kind. Exact for the
 * whole run (the shares come from it); for one stage it assumes the stage's errors split between transports
 * as the run's did, since stages do not count errors per request name.
 */
function withStreamErrors(population: Population, share: Partial<Record<string, number>> | undefined): Population {
  if (!share || !population.errors) return population;
  const byKind: ErrorCounts['byKind'] = {};
  for (const [kind, count] of Object.entries(population.errors.byKind))
    byKind[kind as ErrorKind] = Math.round((count ?? 0) * (share[kind] ?? 0));
  const total = Object.values(byKind).reduce((sum, n) => sum + (n ?? 0), 0);
  return { ...population, streamErrors: { total, byKind, byStatus: {} } };
}

/** Per request name: its own histograms, error counts and transport; stream phases appear where recorded. */
function requestAdviceOf(result: RunResult, config: RunConfig): RequestTimeoutAdvice[] {
  return Object.values(result.requestsByName).map((byName) => {
    const request = config.requests.find((r) => r.name === byName.name);
    const recommended = timeoutsOf(
      { histograms: byName.histograms, errors: byName.errorsByKind, throughputPerSec: byName.throughput, requests: byName.requests },
      config.timeouts,
    );
    const method = request?.method ?? 'GET';
    const retryOnTimeout = request ? retrySafeOnTimeout(request) : true;
    const warnings = recommended.flatMap((c) => c.warnings.map((w) => `${c.phase}: ${w}`));
    if (!retryOnTimeout)
      warnings.push(
        `${method} is not idempotent: do not retry it after a timeout (the first attempt may have been applied) unless each request carries an Idempotency-Key the server deduplicates by; retry only failures before the request was sent (connect refused or failed)`,
      );
    return {
      name: byName.name,
      method,
      transport: request?.transport ?? 'plain',
      requests: byName.requests,
      retryOnTimeout,
      recommended,
      warnings,
    };
  });
}

/** The histograms a recommendation was read from: its load level's stage, or the whole run. */
export function basisHistograms(result: RunResult, basis: TimeoutAdvice['basis']): EncodedHistograms {
  return 'stage' in basis ? result.stages[basis.stage]!.histograms : result.histograms;
}

/** The population a recommendation was read from, with its error counts and throughput. */
export function basisPopulation(result: RunResult, basis: TimeoutAdvice['basis']): Population {
  if ('stage' in basis) {
    const stage = result.stages[basis.stage]!;
    return { histograms: stage.histograms, errors: stage.errorsByKind, throughputPerSec: stage.throughput, requests: stage.requests };
  }
  return {
    histograms: result.histograms,
    errors: result.totals.errorsByKind,
    throughputPerSec: result.totals.throughput,
    requests: result.totals.requests,
  };
}

/** Total and first-byte times of the successful requests only: failed attempts subtracted bucket by bucket. */
export function successfulHistograms(histograms: EncodedHistograms): EncodedHistograms {
  const out: EncodedHistograms = { ...histograms };
  if (histograms.total && histograms.totalFailed) out.total = encodeHistogram(subtractEncoded(histograms.total, histograms.totalFailed));
  if (histograms.ttfb && histograms.ttfbFailed) out.ttfb = encodeHistogram(subtractEncoded(histograms.ttfb, histograms.ttfbFailed));
  if (histograms.call && histograms.callFailed) out.call = encodeHistogram(subtractEncoded(histograms.call, histograms.callFailed));
  return out;
}

/** Milliseconds as a reader writes them: whole above 10 ms, two decimals below. */
function fmt(ms: number): string {
  return ms >= 10 ? `${Math.round(ms)}` : `${Number(ms.toFixed(2))}`;
}

function pct(share: number): string {
  const value = share * 100;
  return `${Number(value.toPrecision(4))}%`;
}
