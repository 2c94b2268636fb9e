import { describe, expect, it } from 'vitest';
import { delayAtLeast, nowMs } from '../../mock-server/clock.js';
import { percentile } from './client.js';

describe('delayAtLeast', () => {
  it('never calls back before the delay has passed on the monotonic clock, even with many delays pending', async () => {
    const overshootMs: number[] = [];
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const delayMs = 1 + (i % 17) * 0.7;
        const startMs = nowMs();
        return new Promise<void>((resolve) =>
          delayAtLeast(delayMs, () => {
            overshootMs.push(nowMs() - startMs - delayMs);
            resolve();
          }),
        );
      }),
    );
    expect(Math.min(...overshootMs)).toBeGreaterThanOrEqual(0);
    // Typically a fraction of a millisecond late; the median bound leaves room for a loaded runner.
    expect(percentile(overshootMs, 50)).toBeLessThan(2);
  });

  it('calls back synchronously for a zero delay', () => {
    let called = false;
    delayAtLeast(0, () => (called = true));
    expect(called).toBe(true);
  });
});
