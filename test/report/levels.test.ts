import { describe, expect, it } from 'vitest';
import { levelsView } from '../../src/report/views/levels.js';
import type { RunResult } from '../../src/result/types.js';
import { emptyCounters } from '../../src/metrics/metric-set.js';

const summary = (p50: number, p99: number, max: number) => ({ count: 1, min: 0, mean: 0, p50, p90: p99, p95: p99, p99, p999: max, max });

/** 11 attempts, 6 of them 429s waited out with 1 s Retry-After: 5 calls, none failed, their waits in call latency. */
function rateLimitedTotals(): RunResult['totals'] {
  return {
    requests: 11,
    errors: 6,
    errorRate: 6 / 11,
    throughput: 1,
    successThroughput: 1,
    latency: summary(5, 9, 9),
    errorsByKind: { total: 6, byKind: { status: 6 }, byStatus: { '429': 6 } },
    counters: { ...emptyCounters(), rateLimited: 6 },
    achievedConcurrency: 1,
    calls: {
      calls: 5,
      failed: 0,
      errorRate: 0,
      outcomes: { succeededFirstTime: 1, succeededAfterRetries: 4, gaveUp: 0, timedOut: 0, interrupted: 0 },
      latency: summary(1005, 2010, 2010),
    },
  };
}

describe('the first table: attempts and calls', () => {
  it('says how much the waits added and how many attempts were 429s', () => {
    const view = levelsView(rateLimitedTotals())!;
    expect(view.rows.map((r) => [r.level, r.count, r.failed, r.p99])).toEqual([
      ['attempts', 11, 6, 9],
      ['calls', 5, 0, 2010],
    ]);
    expect(view.added).toContain('added 2001 ms at p99 (call p99 2010 ms vs attempt p99 9.00 ms)');
    expect(view.added).toContain('6 attempts beyond one per call (120.00% extra load)');
    expect(view.rateLimited).toContain('6 of 11 attempts were answered 429 (54.55%), 6 of them waited out');
    expect(view.outcomes).toBe('Calls: 1 succeeded first time, 4 after retries, 0 gave up, 0 timed out.');
  });

  it('says that calls and attempts agree when nothing was retried, and is silent about 429s that never came', () => {
    const totals = { ...rateLimitedTotals(), requests: 5, errors: 0, errorRate: 0 };
    totals.errorsByKind = { total: 0, byKind: {}, byStatus: {} };
    totals.counters = emptyCounters();
    const view = levelsView(totals)!;
    expect(view.added).toMatch(/^One attempt per call/);
    expect(view.rateLimited).toBeUndefined();
  });

  it('has nothing to show for a result written before calls were recorded', () => {
    const { calls: _calls, ...old } = rateLimitedTotals();
    void _calls;
    expect(levelsView(old)).toBeUndefined();
  });
});
