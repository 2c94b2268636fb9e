import { describe, expect, it } from 'vitest';
import { timeoutView } from '../../src/report/views/run.js';
import { MetricSet } from '../../src/metrics/metric-set.js';
import { totalOnlyAttempt } from '../helpers/attempts.js';
import type { RunResult } from '../../src/result/types.js';
import type { Analysis } from '../../src/analysis/types.js';

function histogramsOf(okMs: number[], failedMs: number[]) {
  const set = new MetricSet();
  const record = (ms: number, ok: boolean) => totalOnlyAttempt(ms * 1000, ok);
  for (const ms of okMs) set.record(record(ms, true));
  for (const ms of failedMs) set.record(record(ms, false));
  return set.snapshot().histograms;
}

const choice = {
  phase: 'total',
  metric: 'total',
  timeoutMs: 60,
  cutShare: 0,
  meanPlus2Sd: { timeoutMs: 40, cutShare: 0.1, meanMs: 25, sdMs: 7 },
};

describe('the timeout CDF in the report', () => {
  it('shows the population the cut shares were read from: the basis stage, successful requests only', () => {
    const result = {
      histograms: histogramsOf([10, 20, 30], [2000]),
      stages: [{ histograms: histogramsOf([10, 20], []) }, { histograms: histogramsOf([40, 50], [2000, 2000]) }],
    } as unknown as RunResult;
    const wholeRun = timeoutView(result, { timeouts: { recommended: [choice], basis: { level: 'whole-run' } } } as unknown as Analysis)!;
    // The hung request (2 s, failed anyway) is not on the curve the timeout is judged against.
    expect(wholeRun.cdf.at(-1)!.ms).toBeCloseTo(30, 0);
    expect(wholeRun.cdf.at(-1)!.share).toBe(1);
    const atKnee = timeoutView(result, { timeouts: { recommended: [choice], basis: { level: 'knee', stage: 1 } } } as unknown as Analysis)!;
    expect(atKnee.cdf.map((p) => Math.round(p.ms))).toEqual([40, 50]);
  });
});
