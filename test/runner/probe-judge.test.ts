import { describe, expect, it } from 'vitest';
import { judgeProbe, PROBE_RULES, type ProbeInterval, type ProbeJudgeInput } from '../../src/runner/search/probe-judge.js';
import { createHistogram, encodeHistogram, recordUs } from '../../src/shared/histogram.js';

/** An interval of `fast` requests at 50 ms and `slow` at `slowMs`. */
function interval(fast: number, slow = 0, slowMs = 300, extra: Partial<ProbeInterval> = {}): ProbeInterval {
  const histogram = createHistogram();
  for (let i = 0; i < fast; i++) recordUs(histogram, 50_000);
  for (let i = 0; i < slow; i++) recordUs(histogram, slowMs * 1000);
  return {
    requests: fast + slow,
    errors: 0,
    sent: fast + slow,
    dropped: 0,
    socketErrors: 0,
    meanInFlight: 4,
    total: encodeHistogram(histogram),
    generatorBusy: false,
    ...extra,
  };
}

const base: Omit<ProbeJudgeInput, 'intervals'> = {
  model: 'open',
  load: 80,
  slo: { p99Ms: 200, errorRate: 0.01 },
  holdMs: 8_000,
  settleMs: 1_000,
  intervalMs: 1_000,
  seed: 1,
};
const judge = (intervals: ProbeInterval[], overrides: Partial<ProbeJudgeInput> = {}) => judgeProbe({ ...base, ...overrides, intervals });
const repeat = (n: number, make: (i: number) => ProbeInterval) => Array.from({ length: n }, (_, i) => make(i));

describe('judging one probe of a capacity search', () => {
  it('keeps going through the settle and until enough intervals to resample', () => {
    expect(judge(repeat(1 + PROBE_RULES.minJudgedIntervals - 1, () => interval(80)))).toEqual({ kind: 'continue' });
    // a clear pass is still held to the end of its hold: an early pass would be a short measurement
    expect(judge(repeat(8, () => interval(80)))).toEqual({ kind: 'continue' });
  });

  it('passes at the end of the hold when the whole interval is within the SLO', () => {
    const decision = judge(repeat(9, () => interval(80)));
    expect(decision).toMatchObject({ kind: 'verdict', verdict: 'pass', early: false, extended: false, judgedIntervals: 8, requests: 640 });
    if (decision.kind !== 'verdict') return;
    expect(decision.p99Ms!.high).toBeLessThanOrEqual(200);
  });

  it('ends a probe early once the p99 is past the SLO with confidence', () => {
    const decision = judge(repeat(1 + PROBE_RULES.minJudgedIntervals, () => interval(50, 30, 900)));
    expect(decision).toMatchObject({ kind: 'verdict', verdict: 'fail', early: true, extended: false });
    if (decision.kind !== 'verdict') return;
    expect(decision.p99Ms!.low).toBeGreaterThan(200);
    expect(decision.reason).toMatch(/above the SLO 200 ms/);
  });

  it('fails early on an error rate past the SLO with confidence', () => {
    const decision = judge(repeat(5, () => interval(80, 0, 0, { errors: 10 })));
    expect(decision).toMatchObject({ kind: 'verdict', verdict: 'fail', early: true });
    if (decision.kind === 'verdict') expect(decision.reason).toMatch(/error rate 12\.50% .* above the SLO 1\.00%/);
  });

  it('holds a probe whose interval straddles the SLO longer, up to twice the hold, then decides on the estimate', () => {
    // Two intervals in four have 3 of 103 requests at 300 ms: pooled, 1.5% are slow (p99 300 ms), but blocks of
    // resampled intervals put the p99 at 50 ms or 300 ms, so the SLO of 200 ms sits inside the interval.
    const straddling = (i: number) => interval(100, i % 4 < 2 ? 3 : 0, 300);
    expect(judge(repeat(9, straddling))).toEqual({ kind: 'continue' });
    expect(judge(repeat(16, straddling))).toEqual({ kind: 'continue' });
    const decision = judge(repeat(17, straddling));
    expect(decision).toMatchObject({ kind: 'verdict', verdict: 'fail', early: false, extended: true });
    if (decision.kind !== 'verdict') return;
    expect(decision.reason).toMatch(/straddles the SLO 200 ms.*after twice the hold/);
    expect(decision.p99Ms!.low).toBeLessThanOrEqual(200);
    expect(decision.p99Ms!.high).toBeGreaterThan(200);
  });

  it('ends an open-model probe whose queue grows without bound', () => {
    // 80/s with a 200 ms SLO allows about 16 in flight; 20 → 45 → 90 → 160 climbs far past it.
    const climbing = [interval(80), ...[20, 45, 90, 160].map((inFlight) => interval(60, 0, 0, { meanInFlight: inFlight }))];
    const decision = judge(climbing.slice(0, 4));
    expect(decision).toMatchObject({ kind: 'verdict', verdict: 'fail', early: true });
    if (decision.kind === 'verdict') expect(decision.reason).toMatch(/queue grows without bound/);
    // in a closed model the in-flight count is the load itself: no queue rule
    expect(judge(climbing.slice(0, 4), { model: 'closed' })).toEqual({ kind: 'continue' });
  });

  it('fails an open-model probe whose queue climbs through it while arrivals outpace completions, even with a good p99 so far', () => {
    // 85/s against 80/s served: five more arrive than complete each second; the p99 has not broken 200 ms yet.
    const climbing = repeat(9, (i) => interval(80, 0, 0, { sent: 85, meanInFlight: 4 + (5 * i) / 8 }));
    const decision = judge(climbing);
    expect(decision).toMatchObject({ kind: 'verdict', verdict: 'fail', early: false });
    if (decision.kind === 'verdict')
      expect(decision.reason).toMatch(/climbed from 5\.6 to 8\.1 through the probe \(680 sent, 640 completed\)/);
    // the same climb with completions keeping up is a burst, not a queue; and not yet at the end of the hold
    expect(judge(repeat(9, (i) => interval(80, 0, 0, { sent: 80, meanInFlight: 4 + (5 * i) / 8 })))).toMatchObject({ verdict: 'pass' });
    expect(judge(climbing.slice(0, 8))).toEqual({ kind: 'continue' });
  });

  it('a probe the generator could not drive is the generator’s, not a failure of the target', () => {
    const dropping = judge(repeat(3, () => interval(80, 0, 0, { dropped: 5 })));
    expect(dropping).toMatchObject({ kind: 'verdict', verdict: 'generator' });
    if (dropping.kind === 'verdict') expect(dropping.reason).toMatch(/dropped 10 of 170 arrivals/);
    const outOfSockets = judge(repeat(3, () => interval(80, 0, 0, { socketErrors: 2 })));
    expect(outOfSockets).toMatchObject({
      kind: 'verdict',
      verdict: 'generator',
      reason: '6 generator-side socket errors (ports or file descriptors ran out)',
    });
    const saturated = (n: number) => repeat(n, () => interval(80, 0, 0, { generatorBusy: true }));
    // two busy intervals are not yet a saturated generator; most of the intervals a verdict needs are
    expect(judge(saturated(3))).toEqual({ kind: 'continue' });
    expect(judge(saturated(1 + PROBE_RULES.minJudgedIntervals))).toMatchObject({
      kind: 'verdict',
      verdict: 'generator',
      reason: 'the generator was saturated in 4 of 4 intervals',
    });
  });

  it('fails a probe in which nothing completed by the end of its hold', () => {
    const silent = repeat(9, () => ({ ...interval(0), sent: 80, meanInFlight: 0 }));
    expect(judge(silent.slice(0, 8))).toEqual({ kind: 'continue' });
    expect(judge(silent)).toMatchObject({ kind: 'verdict', verdict: 'fail', reason: 'no request completed in 8 s' });
  });

  it('is deterministic: the same intervals and seed give the same interval', () => {
    const intervals = repeat(9, (i) => interval(100, i % 3, 150));
    expect(judge(intervals)).toEqual(judge(intervals));
  });
});
