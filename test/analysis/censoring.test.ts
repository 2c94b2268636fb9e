import { describe, expect, it } from 'vitest';
import { censoringOf, recordedRankOf } from '../../src/analysis/censoring.js';
import { decodeDistribution } from '../../src/analysis/distribution.js';
import { chooseTimeout, RERUN_LOOSEN_FACTOR } from '../../src/analysis/timeouts.js';
import type { ErrorCounts } from '../../src/result/types.js';
import { encodeMs, lognormalMs } from './helpers.js';

const CONFIGURED = { connectMs: 2000, firstByteMs: 300, totalMs: 5000, idleMs: 1000 };
const errors = (byKind: ErrorCounts['byKind']): ErrorCounts => ({
  total: Object.values(byKind).reduce((a, b) => a + (b ?? 0), 0),
  byKind,
  byStatus: {},
});

/**
 * A first-byte population cut by the run's own timeout: the values above it are not recorded, they become
 * timeout_first_byte errors. The recorded histogram and the error count are exactly what a run would keep.
 */
function cutAt(values: readonly number[], timeoutMs: number) {
  const recorded = values.filter((v) => v <= timeoutMs);
  const cut = values.length - recorded.length;
  return { distribution: decodeDistribution(encodeMs(recorded))!, cut, errors: errors({ timeout_first_byte: cut }) };
}

describe('censoringOf: which timeouts hide which phase', () => {
  it.each([
    // phase, error kinds seen, cut count, configured value the cut values lie above, field
    { phase: 'firstByte', byKind: { timeout_first_byte: 30 }, cut: 30, boundMs: 300, field: 'client.timeouts.firstByte' },
    // a total timeout can fire after the first byte: it does not censor first-byte times
    { phase: 'firstByte', byKind: { timeout_total: 30 }, cut: 0, boundMs: 0, field: '' },
    // every timeout hides a total; the values lie above the smallest that fired
    { phase: 'total', byKind: { timeout_first_byte: 30, timeout_total: 5 }, cut: 35, boundMs: 300, field: 'client.timeouts.firstByte' },
    { phase: 'total', byKind: { timeout_total: 5 }, cut: 5, boundMs: 5000, field: 'client.timeouts.total' },
    { phase: 'connect', byKind: { timeout_connect: 2, timeout_first_byte: 9 }, cut: 2, boundMs: 2000, field: 'client.timeouts.connect' },
    { phase: 'idle', byKind: { timeout_idle: 4 }, cut: 4, boundMs: 1000, field: 'client.timeouts.idle' },
    { phase: 'firstToken', byKind: { timeout_idle: 4, timeout_first_byte: 1 }, cut: 5, boundMs: 300, field: 'client.timeouts.firstByte' },
    { phase: 'idle', byKind: { status: 12, reset: 3 }, cut: 0, boundMs: 0, field: '' },
  ] as const)('$phase with $byKind: $cut cut above $boundMs ms', ({ phase, byKind, cut, boundMs, field }) => {
    const censoring = censoringOf(phase, 970, errors(byKind), CONFIGURED);
    if (cut === 0) return expect(censoring).toBeUndefined();
    expect(censoring).toMatchObject({ cutCount: cut, configuredMs: boundMs, field });
    expect(censoring!.cutShare).toBeCloseTo(cut / (970 + cut), 12);
  });

  it.each([
    // q, recorded, cut → rank among the recorded values (undefined: the quantile lies among the cut ones)
    [0.999, 1000, 0, 0.999],
    [0.999, 9990, 5, (0.999 * 9995) / 9990],
    [0.999, 9990, 10, 1],
    [0.999, 9700, 300, undefined],
    [0.5, 0, 10, undefined],
  ])('reads quantile %f of %i recorded + %i cut at rank %s of the recorded', (q, recorded, cut, rank) => {
    const got = recordedRankOf(q, recorded, cut);
    if (rank === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(rank, 12);
  });
});

describe('chooseTimeout on censored first-byte data', () => {
  // median 150 ms, p99 350 ms (σ ≈ 0.36): ~3% of values lie above 300 ms, the run's own first-byte timeout.
  const values = lognormalMs(20_000, 150, 350, 21);
  const run = cutAt(values, 300);

  it('says the data are censored and recommends above the configured timeout when ~3% were cut', () => {
    expect(run.cut / values.length).toBeGreaterThan(0.02);
    expect(run.cut / values.length).toBeLessThan(0.05);
    const censoring = censoringOf('firstByte', run.distribution.count, run.errors, CONFIGURED)!;
    const choice = chooseTimeout('firstByte', run.distribution, { censoring, valuesPerSec: 200 });
    expect(choice.lowerBound).toBe(true);
    expect(choice.censored).toMatchObject({ cutCount: run.cut, configuredMs: 300 });
    // never below (nor at) the timeout that cut the data: 1.25 × 300 rounded up
    expect(choice.timeoutMs).toBe(380);
    // the quantile is read as the larger of the timeout and the highest recorded value (300 ms, to the bucket)
    expect(choice.quantileMs).toBeGreaterThanOrEqual(300);
    expect(choice.quantileMs).toBeLessThan(300.5);
    expect(choice.warnings[0]).toMatch(
      /^censored: \d+ of 20000 ttfb values \(\d\.\d+%; \d+ timeout_first_byte\) were cut by the run's own client\.timeouts\.firstByte of 300 ms/,
    );
    expect(choice.warnings[0]).toMatch(/is a floor, not a fit/);
    // the re-run loosens the timeout that cut it, enough to see past it
    expect(choice.rerun).toMatchObject({ timeoutMs: 300 * RERUN_LOOSEN_FACTOR, field: 'client.timeouts.firstByte' });
    expect(choice.rerun!.text).toMatch(/re-run with client\.timeouts\.firstByte: 1200ms/);
    // a timeout above the configured one cuts at most what the run cut: stated as that upper bound
    expect(choice.cutShare).toBeCloseTo(run.cut / values.length, 12);
    // and the truth (the uncut values) agrees that the real p99.9 lies above 300 ms
    const sorted = [...values].sort((a, b) => a - b);
    expect(sorted[Math.floor(0.999 * sorted.length)]).toBeGreaterThan(300);
  });

  it('reads the quantile exactly, and stays at or above the configured timeout, when the cut share is below the rule’s', () => {
    // cut at 480 ms: a handful (~0.08%) above it
    const light = cutAt(values, 480);
    expect(light.cut).toBeGreaterThan(0);
    expect(light.cut / values.length).toBeLessThan(0.001);
    const configured = { ...CONFIGURED, firstByteMs: 480 };
    const censoring = censoringOf('firstByte', light.distribution.count, light.errors, configured)!;
    const choice = chooseTimeout('firstByte', light.distribution, { censoring });
    expect(choice.lowerBound).toBeUndefined();
    expect(choice.rerun).toBeUndefined();
    // the p99.9 of all 20 000 values, read from the recorded ones: within the histogram's resolution of the truth
    const truth = [...values].sort((a, b) => a - b)[Math.ceil(0.999 * values.length) - 1]!;
    expect(Math.abs(choice.quantileMs - truth) / truth).toBeLessThan(0.01);
    expect(choice.timeoutMs).toBeGreaterThanOrEqual(480);
    expect(choice.warnings[0]).toMatch(/^censored: .* read counting them as longer than every recorded value/);
  });

  it('may go below the configured timeout when the cut values fit inside the rule’s share, and counts them as cut', () => {
    // 10 of 20 010 (0.05%) cut at 300 ms on a fast distribution whose p99.9 is far below: the quantile is known
    const fast = lognormalMs(20_000, 20, 60, 5);
    const recorded = decodeDistribution(encodeMs(fast))!;
    const censoring = censoringOf('firstByte', recorded.count, errors({ timeout_first_byte: 10 }), CONFIGURED)!;
    const choice = chooseTimeout('firstByte', recorded, { censoring });
    expect(choice.lowerBound).toBeUndefined();
    expect(choice.timeoutMs).toBeLessThan(300);
    // what it cuts: the recorded values above it plus all 10 the run cut (each took longer than 300 ms)
    const recordedAbove = fast.filter((v) => v > choice.timeoutMs).length;
    expect(choice.cutShare * 20_010).toBeCloseTo(recordedAbove + 10, 0);
    expect(choice.cutShare).toBeLessThanOrEqual(0.001);
  });

  it('leaves uncensored data alone', () => {
    const choice = chooseTimeout('firstByte', decodeDistribution(encodeMs(values))!, {});
    expect(choice.censored).toBeUndefined();
    expect(choice.lowerBound).toBeUndefined();
    expect(choice.warnings).toEqual([]);
  });
});

describe('chooseTimeout with too few samples for the quantile', () => {
  it.each([
    // samples, throughput → lower bound?, rerun duration
    { samples: 300, perSec: 50, lowerBound: true, minDurationMs: 200_000 },
    { samples: 9_000, perSec: 100, lowerBound: true, minDurationMs: 100_000 },
    { samples: 12_000, perSec: 100, lowerBound: undefined, minDurationMs: undefined },
  ])('p99.9 from $samples values is a lower bound: $lowerBound', ({ samples, perSec, lowerBound, minDurationMs }) => {
    const distribution = decodeDistribution(encodeMs(lognormalMs(samples, 50, 300, 9)))!;
    const choice = chooseTimeout('total', distribution, { valuesPerSec: perSec });
    expect(choice.lowerBound).toBe(lowerBound);
    if (!lowerBound) return expect(choice.rerun).toBeUndefined();
    expect(choice.underSampled).toEqual({ samples, needed: 10_000 });
    expect(choice.rerun).toMatchObject({ minRequests: 10_000, minDurationMs });
    expect(choice.warnings.join('\n')).toMatch(new RegExp(`rests on ${samples} values .* is a lower bound`));
    expect(choice.rerun!.text).toMatch(/re-run with at least 10000 total values/);
  });
});
