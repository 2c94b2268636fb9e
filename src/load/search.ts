import type { SearchSettings } from './types.js';

/**
 * The capacity search as a pure function of the probes judged so far (like the pacer, no clock, no socket):
 * grow geometrically from `from` until a probe breaks the SLO, then bisect the bracket [highest pass, lowest
 * fail] until it is `precision` narrow; a probe the generator could not drive ends the search, because a
 * verdict above it would be about the generator, not the target.
 */

/** Each probe until the first failure is this many times the last passing one (Perf Analyzer doubles too). */
export const SEARCH_GROWTH = 2;
/** The sweep spreads its loads from this share of the capacity found up to all of it. */
export const SWEEP_LOWEST_SHARE = 0.2;

export type ProbeVerdict = 'pass' | 'fail' | 'generator';

export interface ProbeOutcome {
  load: number;
  verdict: ProbeVerdict;
}

export type SearchConclusion =
  /** the bracket is narrow enough: `capacity` lies in [passedAt, failedAt) */
  | { kind: 'found'; capacity: number; passedAt: number; failedAt: number }
  /** even `to` keeps the SLO: the capacity is at least that */
  | { kind: 'ceiling'; capacity: number; passedAt: number }
  /** the first probe already breaks the SLO */
  | { kind: 'fails-at-lowest'; failedAt: number }
  /** the generator could not drive `load`: what lies above the last pass is unknown */
  | { kind: 'generator'; load: number; passedAt?: number; failedAt?: number };

export type SearchStep = { kind: 'probe'; load: number } | { kind: 'done'; conclusion: SearchConclusion; sweep: number[] };

type Model = 'open' | 'closed';

/** The next thing the search does, given every probe so far in the order they ran. */
export function nextSearchStep(settings: SearchSettings, model: Model, probes: readonly ProbeOutcome[]): SearchStep {
  const first = probes[0];
  if (!first) return { kind: 'probe', load: settings.from };
  const last = probes[probes.length - 1]!;
  const { passedAt, failedAt } = bracketOf(probes);
  if (last.verdict === 'generator') {
    return done({
      kind: 'generator',
      load: last.load,
      ...(passedAt !== undefined && { passedAt }),
      ...(failedAt !== undefined && { failedAt }),
    });
  }
  if (passedAt === undefined) {
    // Nothing passed: the lowest load tried fails (probes only go down from a failure once something passed).
    return done({ kind: 'fails-at-lowest', failedAt: failedAt! });
  }
  if (failedAt === undefined) {
    if (passedAt >= settings.to) return done({ kind: 'ceiling', capacity: passedAt, passedAt }, settings, model);
    return { kind: 'probe', load: Math.min(settings.to, roundLoad(passedAt * SEARCH_GROWTH, model)) };
  }
  const middle = roundLoad((passedAt + failedAt) / 2, model);
  const narrow = (failedAt - passedAt) / passedAt <= settings.precision || middle <= passedAt || middle >= failedAt;
  if (narrow) {
    // An integer concurrency that passed is a load the target was seen to keep; an arrival rate is continuous,
    // so its best estimate is the bracket's middle (off by at most half the precision).
    const capacity = model === 'closed' ? passedAt : roundLoad((passedAt + failedAt) / 2, model);
    return done({ kind: 'found', capacity, passedAt, failedAt }, settings, model);
  }
  return { kind: 'probe', load: middle };
}

/**
 * The highest pass below the lowest failure. A pass above a failure (noise near the capacity) does not widen
 * the bracket: the failure is the more conservative reading.
 */
export function bracketOf(probes: readonly ProbeOutcome[]): { passedAt?: number; failedAt?: number } {
  const fails = probes.filter((p) => p.verdict === 'fail').map((p) => p.load);
  const failedAt = fails.length > 0 ? Math.min(...fails) : undefined;
  const passes = probes.filter((p) => p.verdict === 'pass' && (failedAt === undefined || p.load < failedAt)).map((p) => p.load);
  const passedAt = passes.length > 0 ? Math.max(...passes) : undefined;
  return { ...(passedAt !== undefined && { passedAt }), ...(failedAt !== undefined && { failedAt }) };
}

/** `count` loads from 20% to 100% of the capacity, evenly spaced; whole users in a closed model, never repeated. */
export function sweepLoads(capacity: number, count: number, model: Model): number[] {
  if (count <= 0 || capacity <= 0) return [];
  if (count === 1) return [capacity];
  const loads: number[] = [];
  for (let i = 0; i < count; i++) {
    const share = SWEEP_LOWEST_SHARE + ((1 - SWEEP_LOWEST_SHARE) * i) / (count - 1);
    const load = Math.max(model === 'closed' ? 1 : 0, roundLoad(capacity * share, model));
    if (load > 0 && !loads.includes(load)) loads.push(load);
  }
  return loads;
}

/** Whole users in a closed model; three significant figures of an arrival rate (78.1/s, not 78.125/s). */
export function roundLoad(load: number, model: Model): number {
  if (model === 'closed') return Math.max(1, Math.round(load));
  return Number(load.toPrecision(3));
}

function done(conclusion: SearchConclusion, settings?: SearchSettings, model?: Model): SearchStep {
  const capacity = 'capacity' in conclusion ? conclusion.capacity : undefined;
  const sweep = capacity !== undefined && settings && model ? sweepLoads(capacity, settings.sweep, model) : [];
  return { kind: 'done', conclusion, sweep };
}
