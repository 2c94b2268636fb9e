import { describe, expect, it } from 'vitest';
import { timeoutsOf } from '../../src/analysis/timeouts.js';
import { MetricSet } from '../../src/metrics/metric-set.js';
import { totalOnlyAttempt } from '../helpers/attempts.js';
import { createRandom } from '../../src/shared/random.js';

const attempt = (totalUs: number, ok: boolean) => totalOnlyAttempt(totalUs, ok, totalUs * 0.95);

describe('timeouts are chosen on the successful requests', () => {
  it('ignores hung requests that timed out at 2 s when choosing and judging the total timeout', () => {
    const random = createRandom(5);
    const withHangs = new MetricSet();
    const clean = new MetricSet();
    for (let i = 0; i < 20_000; i++) {
      const ok = attempt(20_000 + random() * 30_000, true); // 20–50 ms
      withHangs.record(ok);
      clean.record(ok);
      // 1% of attempts hung until the client gave up at 2 s: failures, whatever the timeout
      if (i % 100 === 0) withHangs.record(attempt(2_000_000, false));
    }
    const hung = timeoutsOf({ histograms: withHangs.snapshot().histograms }).find((c) => c.phase === 'total')!;
    const expected = timeoutsOf({ histograms: clean.snapshot().histograms }).find((c) => c.phase === 'total')!;
    expect(hung.timeoutMs).toBe(expected.timeoutMs);
    expect(hung.samples).toBe(20_000);
    expect(hung.cutShare).toBe(0);
    expect(hung.timeoutMs).toBeLessThan(70);
  });
});
