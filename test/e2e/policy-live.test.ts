import { describe, expect, it } from 'vitest';
import { checkPolicy, flakyProfileFile, POLICY_CASES, runFlaky } from '../helpers/policy-live.js';

/**
 * A client policy enforced live against the mock's flaky profile, beside the replay's prediction of it made
 * from a run without it. A short version of bench/policy-live.ts (every policy, two seeds, longer runs; figures
 * in bench/RESULTS.md): one baseline and two live runs of 2 s at 300 calls/s, ~600 calls each.
 */
const load = { seed: 1, holdSec: 2, ratePerSec: 300 };
const byName = (name: string) => POLICY_CASES.find((c) => c.name === name)!;

/**
 * mean + 2σ would cut 2.3% of a normal tail; the profile's tail is 3% Pareto, and the rule learns only from the
 * attempts it let through.
 */
const NORMAL_CUT_AT_2_SIGMA = 0.0228;

describe('client policies enforced live, checked against the replay', () => {
  it('retries with a budget land within the replay bounds, and mean + 2σ fails on the heavy tail, live and replayed', async () => {
    const profile = flakyProfileFile();
    const baseline = await runFlaky(profile, load);
    const live = { ...load, seed: load.seed + 1000 };

    const retried = await checkPolicy(profile, baseline, live, byName('retries + budget'));
    console.log('retries + budget', JSON.stringify({ predicted: retried.predicted.effective, live: retried.live, gap: retried.gap }));
    expect(retried.gap.successRatePoints).toBeLessThanOrEqual(2);
    expect(retried.gap.extraLoadPoints).toBeLessThanOrEqual(2);
    // The 15% bound on p99 holds for the bench's ~2,000 calls a run. Here ~600 calls put 6 above the p99: the
    // tolerance is the wider of 15% and half the live p99's own 95% order-statistic interval, relative to it.
    const [low, high] = retried.liveP99Interval;
    const p99Tolerance = Math.max(0.15, (high - low) / 2 / retried.live.callP99);
    expect(retried.gap.callP99Relative).toBeLessThanOrEqual(p99Tolerance);
    // and the policy did something: it retried, and the retries rescued calls
    expect(retried.live.extraLoadShare).toBeGreaterThan(0.01);
    expect(retried.live.successRate).toBeGreaterThan(0.99);

    const adaptive = await checkPolicy(profile, baseline, live, byName('adaptive mean+2σ'));
    const predictedCut = adaptive.predictedTimedOutShare;
    const liveCut = adaptive.liveTimedOutShare;
    console.log(
      'adaptive mean+2σ',
      JSON.stringify({ predictedCut, liveCut, predicted: adaptive.predicted.successRate, live: adaptive.live }),
    );
    // Measured, not asserted from theory: both the replay and the live run lose more than mean + 2σ would cost
    // on a normal tail. (How much more, they do not agree on yet: bench/RESULTS.md section 7 has the figures.)
    expect(predictedCut).toBeGreaterThan(NORMAL_CUT_AT_2_SIGMA);
    expect(liveCut).toBeGreaterThan(NORMAL_CUT_AT_2_SIGMA);
  }, 60_000);
});
