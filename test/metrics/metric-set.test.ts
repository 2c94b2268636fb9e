import { describe, expect, it } from 'vitest';
import { MetricSet, mergeSnapshots } from '../../src/metrics/metric-set.js';
import { decodeHistogram } from '../../src/shared/histogram.js';
import { summarize } from '../../src/shared/latency-summary.js';
import { createRandom } from '../../src/shared/random.js';
import { attemptOf } from '../helpers/attempts.js';

const attempt = attemptOf;

describe('metric sets', () => {
  it('merge exactly: percentiles of merged worker snapshots equal those of one set that saw everything', () => {
    const random = createRandom(11);
    const whole = new MetricSet();
    const parts = [new MetricSet(), new MetricSet(), new MetricSet()];
    for (let i = 0; i < 30_000; i++) {
      // lognormal-ish: heavy right tail, the case where averaging percentiles goes most wrong
      const valueUs = Math.exp(9 + 0.8 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
      const record = attempt(valueUs, i % 50 !== 0, i % 50 === 0 ? 503 : 200);
      whole.record(record);
      parts[i % 3]!.record(record);
    }
    const merged = mergeSnapshots(parts.map((p) => p.snapshot()));
    const expected = whole.snapshot();
    expect(merged.requests).toBe(30_000);
    expect(merged.errors).toEqual({ total: 600, byKind: { status: 600 }, byStatus: { 503: 600 } });
    expect(summarize(decodeHistogram(merged.histograms.total!))).toEqual(summarize(decodeHistogram(expected.histograms.total!)));
    expect(merged.histograms.totalUncorrected).toBeUndefined();
  });

  it('records nothing for phases that did not happen and keeps only the metrics it is asked for', () => {
    const set = new MetricSet(new Set(['total', 'ttfb']));
    set.record(attempt(20_000));
    expect(Object.keys(set.snapshot().histograms).sort()).toEqual(['total', 'ttfb']);
  });
});
