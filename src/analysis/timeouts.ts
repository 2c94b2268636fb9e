import { encodeHistogram, subtractEncoded } from '../shared/histogram.js';
import type { EncodedHistograms, MetricName, RunResult } from '../result/types.js';
import { decodeDistribution, quantileMs, shareAboveMs, type Distribution } from './distribution.js';
import { rfc6298Estimate } from './rfc6298.js';
import type { LoadLevelRef, TimeoutAdvice, TimeoutChoice, TimeoutCut, TimeoutPhase } from './types.js';

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

/** One phase's recommended timeout, with mean + 2σ beside it to show what the textbook rule would cut. */
export function chooseTimeout(phase: TimeoutPhase, distribution: Distribution): TimeoutChoice {
  const { targetCutShare, headroom, minTailSamples } = TIMEOUT_RULE;
  const tail = tailRuleMs(distribution);
  const warnings: string[] = [];
  const tailSamples = distribution.count * targetCutShare;
  if (tailSamples < minTailSamples) {
    warnings.push(
      `the ${pct(1 - targetCutShare)} quantile rests on ${distribution.count} values (~${tailSamples.toFixed(1)} above it; want ≥ ${minTailSamples}): run longer before trusting this ${phase} timeout`,
    );
  }
  const m2sMs = distribution.meanMs + 2 * distribution.sdMs;
  let timeoutMs = tail.timeoutMs;
  let method = `${headroom}× the ${pct(1 - targetCutShare)} quantile (${tail.quantileMs.toFixed(2)} ms) of ${PHASE_METRICS[phase]}, rounded up to 2 significant digits`;
  const choice: Partial<TimeoutChoice> = {};
  if (phase === 'connect') {
    const rfc = rfc6298Estimate(distribution);
    choice.rfc6298 = rfc;
    if (rfc.rtoFlooredMs > timeoutMs) {
      timeoutMs = niceCeilMs(rfc.rtoFlooredMs);
      method += `; raised to RFC 6298's RTO with its 1 s floor (SRTT + 4·RTTVAR = ${rfc.rtoMs.toFixed(2)} ms): a shorter connect timeout gives up before the first SYN retransmission`;
    }
  }
  return {
    phase,
    metric: PHASE_METRICS[phase],
    samples: distribution.count,
    method,
    quantile: 1 - targetCutShare,
    quantileMs: tail.quantileMs,
    timeoutMs,
    cutShare: shareAboveMs(distribution, timeoutMs),
    meanPlus2Sd: { timeoutMs: m2sMs, cutShare: shareAboveMs(distribution, m2sMs), meanMs: distribution.meanMs, sdMs: distribution.sdMs },
    ...choice,
    warnings,
  };
}

/**
 * Every phase with recorded values in a set of histograms. Total and first-byte times are those of the
 * successful requests (failed attempts subtracted): a timeout is chosen for, and judged by, the requests it
 * would cut that would otherwise have succeeded — not the hangs and resets that failed anyway.
 */
export function timeoutsOf(histograms: EncodedHistograms): TimeoutChoice[] {
  const choices: TimeoutChoice[] = [];
  const successful = successfulHistograms(histograms);
  for (const phase of Object.keys(PHASE_METRICS) as TimeoutPhase[]) {
    const distribution = decodeDistribution(successful[PHASE_METRICS[phase]]);
    if (distribution) choices.push(chooseTimeout(phase, distribution));
  }
  return choices;
}

/**
 * Recommendations at the knee level (the most load a client should plan for; a timeout read at light load
 * cuts more as load rises), and the same rule at each level beside them.
 */
export function timeoutAdviceOf(result: RunResult, levels: readonly LoadLevelRef[]): TimeoutAdvice {
  const knee = levels.find((l) => l.level === 'knee');
  const singleLevel = new Set(levels.map((l) => l.stage)).size <= 1;
  const basis: TimeoutAdvice['basis'] = knee && !singleLevel ? knee : { level: 'whole-run' };
  const recommended = timeoutsOf(basisHistograms(result, basis));
  const byLoadLevel = levels.map((level) => {
    const timeouts: Partial<Record<TimeoutPhase, TimeoutCut>> = {};
    for (const choice of timeoutsOf(result.stages[level.stage]!.histograms))
      timeouts[choice.phase] = { timeoutMs: choice.timeoutMs, cutShare: choice.cutShare };
    return { ...level, timeouts };
  });
  const warnings = recommended.flatMap((c) => c.warnings);
  const heavy = recommended.find((c) => c.phase === 'firstByte' || c.phase === 'total');
  if (heavy && heavy.meanPlus2Sd.cutShare > TIMEOUT_RULE.targetCutShare) {
    warnings.push(
      `mean + 2σ of ${heavy.metric} (${heavy.meanPlus2Sd.timeoutMs.toFixed(1)} ms) would cut ${pct(heavy.meanPlus2Sd.cutShare)} of requests: the tail is heavier than a normal distribution's, so σ understates it`,
    );
  }
  return {
    targetCutShare: TIMEOUT_RULE.targetCutShare,
    headroom: TIMEOUT_RULE.headroom,
    rule: `timeout = ${TIMEOUT_RULE.headroom} × the ${pct(1 - TIMEOUT_RULE.targetCutShare)} quantile of the phase's recorded times, rounded up to 2 significant digits, so it cuts at most ${pct(TIMEOUT_RULE.targetCutShare)} of this run's values (cut shares are read exactly from the histogram buckets); connect is at least RFC 6298's floored RTO. Read at the knee load level; a timeout read at light load cuts more as load grows.`,
    basis,
    recommended,
    byLoadLevel,
    warnings,
  };
}

/** The histograms a recommendation was read from: its load level's stage, or the whole run. */
export function basisHistograms(result: RunResult, basis: TimeoutAdvice['basis']): EncodedHistograms {
  return 'stage' in basis ? result.stages[basis.stage]!.histograms : result.histograms;
}

/** Total and first-byte times of the successful requests only: failed attempts subtracted bucket by bucket. */
export function successfulHistograms(histograms: EncodedHistograms): EncodedHistograms {
  const out: EncodedHistograms = { ...histograms };
  if (histograms.total && histograms.totalFailed) out.total = encodeHistogram(subtractEncoded(histograms.total, histograms.totalFailed));
  if (histograms.ttfb && histograms.ttfbFailed) out.ttfb = encodeHistogram(subtractEncoded(histograms.ttfb, histograms.ttfbFailed));
  if (histograms.call && histograms.callFailed) out.call = encodeHistogram(subtractEncoded(histograms.call, histograms.callFailed));
  return out;
}

function pct(share: number): string {
  const value = share * 100;
  return `${Number(value.toPrecision(4))}%`;
}
