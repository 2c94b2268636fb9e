import { describe, expect, it } from 'vitest';
import { LiveRun } from '../../src/cli/dashboard/live-run.js';
import { MetricSet, type MetricSnapshot } from '../../src/metrics/metric-set.js';
import { parseScenario } from '../../src/scenario/read.js';
import { attemptOf } from '../helpers/attempts.js';

const attempt = attemptOf;

const scenario = parseScenario(
  `
name: live
target: { url: "http://127.0.0.1:9" }
requests:
  - { name: a, path: /a }
  - { name: b, path: /b }
load:
  closed:
    - { hold: 2s, concurrency: 2 }
    - { hold: 2s, concurrency: 4 }
slo: { p99: 100ms }
`,
  'live.yaml',
  {},
);

/** One interval: `fast` attempts of 50 ms and `slow` of 150 ms (one of them a 503) for request `name`. */
function interval(stage: number, name: string, fast: number, slow: number) {
  const whole = new MetricSet();
  const cell = new MetricSet(new Set(['total']));
  for (let i = 0; i < fast; i++) for (const set of [whole, cell]) set.record(attempt(50_000));
  for (let i = 0; i < slow; i++) for (const set of [whole, cell]) set.record(attempt(150_000, i > 0, i > 0 ? 200 : 503));
  const snapshot: MetricSnapshot = whole.snapshot();
  return { snapshot, live: { cells: [{ stage, name, snapshot: cell.snapshot() }], inFlight: 2, health: [], afterEnd: false } };
}

describe('LiveRun: the run so far', () => {
  it('counts per stage × name exactly, buckets around the SLO, whatever order the intervals arrive in', () => {
    const live = new LiveRun(scenario);
    const add = (index: number, part: ReturnType<typeof interval>) => live.add(index, part.snapshot, part.live);
    add(1, interval(0, 'a', 10, 2));
    add(0, interval(0, 'a', 5, 1));
    add(2, interval(1, 'b', 7, 3));
    const view = live.metricsView();
    expect(view.bucketsSeconds).toContain(0.1);
    const le100 = view.bucketsSeconds.indexOf(0.1);
    const le200 = view.bucketsSeconds.indexOf(0.2);
    expect(
      view.cells.map((c) => [c.stage, c.request, c.requests, c.errors.total, c.bucketCounts[le100], c.bucketCounts[le200], c.latencyCount]),
    ).toEqual([
      ['hold 2 2s', 'a', 18, 2, 15, 18, 18],
      ['hold 4 2s', 'b', 10, 1, 7, 10, 10],
    ]);
    // HDR buckets hold 3 significant digits: the sum is within 0.1% of 15 × 50 ms + 3 × 150 ms.
    expect(view.cells[0]!.latencySumSeconds).toBeCloseTo(1.2, 2);
    expect(view.inFlight).toBe(2);

    const result = live.provisionalResult();
    expect(result.intervals.map((i) => [i.index, i.requests])).toEqual([
      [0, 6],
      [1, 12],
      [2, 10],
    ]);
    expect(result.stages.map((s) => s.requests)).toEqual([18, 10]);
    expect(result.totals.requests).toBe(28);
    expect(result.requestsByName.a!.requests).toBe(18);

    // A later update adds to what was built, without rebuilding it.
    add(3, interval(1, 'b', 1, 0));
    const next = live.provisionalResult();
    expect(next.intervals.map((i) => i.index)).toEqual([0, 1, 2, 3]);
    expect(next.stages.map((s) => s.requests)).toEqual([18, 11]);
  });
});
