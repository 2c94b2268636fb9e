import { describe, expect, it } from 'vitest';
import { delayAtLeast, nowMs } from '../../mock-server/clock.js';
import { percentile } from './client.js';

describe('delayAtLeast', () => {
  it('never calls back before the delay has passed on the monotonic clock, even with many delays pending', async () => {
    const overshootMs: number[] = [];
    // The floor, measured beside it: plain timers armed at the same moments for the same delays. On a loaded
    // runner every timer of this loop is late alike (a CI run read a median overshoot of 3.0 ms against a fixed
    // 2 ms bound); what delayAtLeast itself may add is the allowance on top.
    const plainLatenessMs: number[] = [];
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const delayMs = 1 + (i % 17) * 0.7;
        const startMs = nowMs();
        const plain = new Promise<void>((resolve) =>
          setTimeout(() => {
            plainLatenessMs.push(Math.max(0, nowMs() - startMs - delayMs));
            resolve();
          }, delayMs),
        );
        const delayed = new Promise<void>((resolve) =>
          delayAtLeast(delayMs, () => {
            overshootMs.push(nowMs() - startMs - delayMs);
            resolve();
          }),
        );
        return Promise.all([plain, delayed]);
      }),
    );
    expect(Math.min(...overshootMs)).toBeGreaterThanOrEqual(0);
    // Typically a fraction of a millisecond later than a plain timer; 2 ms of room, over the loop's own lateness.
    expect(percentile(overshootMs, 50)).toBeLessThan(2 + percentile(plainLatenessMs, 50));
  });

  it('calls back synchronously for a zero delay', () => {
    let called = false;
    delayAtLeast(0, () => (called = true));
    expect(called).toBe(true);
  });
});
