import { describe, expect, it } from 'vitest';
import { chooseTimeout, niceCeilMs } from '../../src/analysis/timeouts.js';
import { decodeDistribution, shareAboveMs } from '../../src/analysis/distribution.js';
import { rfc6298Estimate, rtoUpdate } from '../../src/analysis/rfc6298.js';
import { encodeMs, lognormalMs } from './helpers.js';

describe('niceCeilMs', () => {
  it.each([
    [287.3, 290],
    [290, 290],
    [1.234, 1.3],
    [0.42, 0.42],
    [99.01, 100],
    [1000, 1000],
    [1001, 1100],
  ])('rounds %f up to %f', (value, expected) => expect(niceCeilMs(value)).toBe(expected));
});

describe('chooseTimeout on a lognormal first-byte histogram', () => {
  // median 50 ms, p99 400 ms: σ ≈ 0.89, a heavy right tail. 100k draws put ~100 values above p99.9.
  const values = lognormalMs(100_000, 50, 400, 11);
  const distribution = decodeDistribution(encodeMs(values))!;
  const choice = chooseTimeout('firstByte', distribution);

  it('recommends a first-byte timeout that cuts at most 0.1%', () => {
    const exactCut = values.filter((v) => v > choice.timeoutMs).length / values.length;
    expect(choice.cutShare).toBeLessThanOrEqual(0.001);
    // The bucket count agrees with the raw values up to the histogram's 0.1% resolution.
    expect(Math.abs(choice.cutShare - exactCut)).toBeLessThan(0.0002);
    // the lognormal's p99.9 is 50·e^(3.09·0.894) ≈ 793 ms; ×1.25 → ~990 ms
    expect(choice.quantileMs).toBeGreaterThan(700);
    expect(choice.quantileMs).toBeLessThan(900);
    expect(choice.warnings).toEqual([]);
  });

  it('shows mean + 2σ cutting more than the target on a heavy tail', () => {
    expect(choice.meanPlus2Sd.cutShare).toBeGreaterThan(0.02);
    expect(choice.meanPlus2Sd.timeoutMs).toBeLessThan(choice.timeoutMs);
  });

  it('warns when the tail quantile rests on too few values', () => {
    const small = decodeDistribution(encodeMs(values.slice(0, 2000)))!;
    expect(chooseTimeout('firstByte', small).warnings[0]).toMatch(/rests on 2000 values/);
  });

  it('reads shares above a value from the buckets', () => {
    expect(shareAboveMs(distribution, 0)).toBe(1);
    expect(shareAboveMs(distribution, 1e9)).toBe(0);
    expect(shareAboveMs(distribution, 50)).toBeCloseTo(0.5, 2);
  });
});

describe('RFC 6298', () => {
  it.each([
    // first sample R: SRTT = R, RTTVAR = R/2, RTO = R + 4·R/2
    { samples: [100], srtt: 100, rttvar: 50, rto: 300 },
    // second sample 200: RTTVAR = 3/4·50 + 1/4·|100 − 200| = 62.5; SRTT = 7/8·100 + 1/8·200 = 112.5
    { samples: [100, 200], srtt: 112.5, rttvar: 62.5, rto: 362.5 },
    // a constant RTT: RTTVAR decays toward 0 and RTO toward SRTT + G
    { samples: Array(200).fill(10), srtt: 10, rttvar: 0, rto: 11 },
  ])('updates SRTT/RTTVAR/RTO for $samples.length samples', ({ samples, srtt, rttvar, rto }) => {
    let state;
    for (const s of samples) state = rtoUpdate(state, s);
    if (!state) throw new Error('the table rows all have samples');
    expect(state.srttMs).toBeCloseTo(srtt, 6);
    expect(state.rttvarMs).toBeCloseTo(rttvar, 6);
    expect(state.rtoMs).toBeCloseTo(rto, 6);
  });

  it('settles at mean + 4·mean absolute deviation, floored at 1 s', () => {
    const estimate = rfc6298Estimate(decodeDistribution(encodeMs([10, 10, 30, 30]))!);
    expect(estimate.srttMs).toBeCloseTo(20, 1);
    expect(estimate.rttvarMs).toBeCloseTo(10, 1);
    expect(estimate.rtoMs).toBeCloseTo(60, 0);
    expect(estimate.rtoFlooredMs).toBe(1000);
  });

  it('makes the connect timeout at least the floored RTO', () => {
    const choice = chooseTimeout('connect', decodeDistribution(encodeMs(lognormalMs(20_000, 0.2, 1, 3)))!);
    expect(choice.timeoutMs).toBe(1000);
    expect(choice.rfc6298!.rtoMs).toBeLessThan(5);
  });
});
