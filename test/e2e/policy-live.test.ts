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
  it('retries with a budget land within 2 points of the replay in success rate and extra load, and mean + 2σ fails on the heavy tail, live and replayed', async () => {
    const profile = flakyProfileFile();
    const baseline = await runFlaky(profile, load);
    const live = { ...load, seed: load.seed + 1000 };

    const retried = await checkPolicy(profile, baseline, live, byName('retries + budget'));
    console.log('retries + budget', JSON.stringify({ predicted: retried.predicted.effective, live: retried.live, gap: retried.gap }));
    expect(retried.gap.successRatePoints).toBeLessThanOrEqual(2);
    expect(retried.gap.extraLoadPoints).toBeLessThanOrEqual(2);
    // Not the p99 here: with ~600 calls, 6 lie above it, too few to tell a 15% gap from two samples' own spread.
    // bench:policy checks it on 6,000-call runs.
    console.log('call p99 (not judged at this size)', retried.predicted.effective.p99, retried.live.callP99, retried.liveP99Interval);
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
    // on a normal tail. (How much more, they do not agree on yet: bench/RESULTS.md section 8 has the figures.)
    expect(predictedCut).toBeGreaterThan(NORMAL_CUT_AT_2_SIGMA);
    expect(liveCut).toBeGreaterThan(NORMAL_CUT_AT_2_SIGMA);
  }, 60_000);

  it('cuts each attempt at the timeout of the load level it was sent at, as the replay of the same levels predicts', async () => {
    const profile = flakyProfileFile();
    const perLevel = byName('per load level');
    const shape = { ...load, levels: perLevel.levels! };
    const baseline = await runFlaky(profile, shape);
    const checked = await checkPolicy(profile, baseline, { ...shape, seed: load.seed + 1000 }, perLevel);
    console.log(
      'per load level',
      JSON.stringify({ predicted: checked.predicted.successRate, live: checked.live, gap: checked.gap, stages: checked.liveStages }),
    );
    // This policy retries timeouts only, so flaky's ~4% of other faults reach the success rate as drawn: two runs
    // of ~800 calls differ by ~1 pp (one σ of the difference of two binomial shares) whatever the policy. The
    // bound is the replay's 2 pp or three of those σ, read from these very runs; bench:policy holds it to 2 pp on
    // runs five times as long.
    const failed = 1 - checked.live.successRate;
    const baselineCalls = baseline.totals.calls!.calls;
    const sigmaPoints = 100 * Math.sqrt((failed * (1 - failed)) / baselineCalls + (failed * (1 - failed)) / checked.live.calls);
    expect(checked.gap.successRatePoints).toBeLessThanOrEqual(Math.max(2, 3 * sigmaPoints));
    expect(checked.gap.extraLoadPoints).toBeLessThanOrEqual(2);
    // Live, the 100 ms band cut the light stage (~5% of ~200 attempts: none cut would happen once in ~10⁴ runs),
    // and the heavy stage, cut only at 1 s (~0.5%), lost a smaller share.
    const [lightStage, heavyStage] = checked.liveStages;
    expect(lightStage!.level).toBe(100);
    expect(lightStage!.timedOut).toBeGreaterThan(0);
    expect(lightStage!.timedOut / lightStage!.attempts).toBeGreaterThan(heavyStage!.timedOut / heavyStage!.attempts);
  }, 60_000);
});
