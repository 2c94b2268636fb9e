import { describe, expect, it } from 'vitest';
import { SearchConductor, type PlanUpdate } from '../../src/runner/search/conductor.js';
import { emptyCalls, emptyCounters, emptyErrors, type MetricSnapshot } from '../../src/metrics/metric-set.js';
import { createHistogram, encodeHistogram, recordUs } from '../../src/shared/histogram.js';
import type { SearchProbe } from '../../src/result/types.js';

const INTERVAL_MS = 250;
const calm = { eventLoopUtilization: 0.2, threadCpuShare: null, processCpuCores: 0.3, eventLoopDelayP99Ms: 1, eventLoopDelayMaxMs: 2 };

/** One interval: `requests` completions at `latencyMs`, `inFlight` requests in flight on average. */
function snapshot(requests: number, latencyMs: number, inFlight = 2): MetricSnapshot {
  const histogram = createHistogram();
  for (let i = 0; i < requests; i++) recordUs(histogram, latencyMs * 1000 + (i % 7) * 100);
  return {
    requests,
    successes: requests,
    sent: requests,
    errors: emptyErrors(),
    counters: emptyCounters(),
    calls: emptyCalls(),
    inFlightMs: inFlight * INTERVAL_MS,
    histograms: requests > 0 ? { total: encodeHistogram(histogram) } : {},
  };
}

function conductor(onProbe?: (probe: SearchProbe) => void) {
  return new SearchConductor({
    settings: { from: 40, to: 160, holdMs: 1_000, settleMs: 250, precision: 0.4, sweep: 2 },
    model: 'open',
    slo: { p99Ms: 200 },
    intervalMs: INTERVAL_MS,
    onProbe,
  });
}

describe('the coordinator side of a capacity search', () => {
  it('plans the first probe long enough for a doubled hold, and waits for its verdict', () => {
    const c = conductor();
    expect(c.plan).toEqual({
      final: false,
      segments: [{ index: 0, name: 'probe 1: 40/s', kind: 'probe', startMs: 0, endMs: 250 + 2_000 + 3 * INTERVAL_MS, from: 40, to: 40 }],
    });
    for (let i = 0; i < 4; i++) expect(c.onInterval(i, snapshot(10, 50), [calm], (i + 1) * INTERVAL_MS + 5)).toBeUndefined();
  });

  it('cuts a decided probe at the next boundary the workers can still be told of, and appends the next probe', () => {
    const probes: SearchProbe[] = [];
    const c = conductor((p) => probes.push(p));
    let update: PlanUpdate | undefined;
    for (let i = 0; i < 5; i++) update = c.onInterval(i, snapshot(10, 50), [calm], (i + 1) * INTERVAL_MS + 30);
    // interval 4 ends at 1250 ms; decided at 1280 ms, so the cut goes to 1500 ms (at least 150 ms ahead)
    expect(probes).toMatchObject([{ probe: 1, load: 40, verdict: 'pass', stage: 0, decidedAtMs: 1250 }]);
    expect(update!.segments.map((s) => [s.kind, s.startMs, s.endMs, s.to])).toEqual(
      [
        ['probe', 0, 1500],
        ['probe', 1500, 1500 + 3000],
      ].map(([kind, start, end], i) => [kind, start, end, i === 0 ? 40 : 80]),
    );
    expect(update!.final).toBe(false);
  });

  it('after a failed probe sends nothing until its queue drains, then goes on; the sweep ends the plan', () => {
    const c = conductor();
    const feed = (index: number, s: MetricSnapshot) => c.onInterval(index, s, [calm], (index + 1) * INTERVAL_MS + 10);
    // probe 1 (40/s) passes at interval 4 → cut at 1500 ms (interval 6 starts there)
    for (let i = 0; i < 5; i++) feed(i, snapshot(10, 50));
    feed(5, snapshot(10, 50));
    // probe 2 (80/s) from interval 6: p99 far past the SLO → fails early
    let update: PlanUpdate | undefined;
    for (let i = 6; i < 11 && !update; i++) update = feed(i, snapshot(20, 900, 40));
    expect(update!.segments.at(-2)).toMatchObject({ kind: 'probe', to: 80 });
    expect(update!.segments.at(-1)).toMatchObject({ kind: 'drain', name: 'drain after probe 2', from: 0, to: 0 });
    const drain = update!.segments.at(-1)!;
    // still in flight: the drain goes on; then nothing in flight: the next probe, the bracket's middle, from the
    // first boundary at least 150 ms after the decision
    const first = Math.round(drain.startMs / INTERVAL_MS);
    expect(feed(first, snapshot(15, 900, 12))).toBeUndefined();
    const next = feed(first + 1, snapshot(3, 900, 0.2))!;
    expect(next.segments.at(-2)).toMatchObject({ kind: 'drain', endMs: (first + 3) * INTERVAL_MS });
    expect(next.segments.at(-1)).toMatchObject({ kind: 'probe', to: 60, startMs: (first + 3) * INTERVAL_MS });
    // 60/s passes: [60, 80] is within 40%, so the search ends with a sweep of two loads below 70/s
    const start = first + 3;
    let last: PlanUpdate | undefined;
    for (let i = start; i < start + 5 && !last; i++) last = feed(i, snapshot(15, 50));
    expect(last!.final).toBe(true);
    expect(last!.segments.filter((s) => s.kind === 'sweep').map((s) => s.to)).toEqual([14, 70]);
    expect(c.record.conclusion).toEqual({ kind: 'found', capacity: 70, passedAt: 60, failedAt: 80 });
    expect(c.record.sweepStages).toEqual([last!.segments.length - 2, last!.segments.length - 1]);
  });
});
