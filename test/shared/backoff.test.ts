import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/shared/backoff.js';

const half = () => 0.5;

describe('backoff', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [6, 3200],
    [7, 5000],
    [12, 5000],
  ])('exponential without jitter: retry %d waits %d ms (capped at 5 s)', (retry, expected) => {
    expect(backoffDelayMs(retry, { backoff: 'exponential', baseMs: 100, maxBackoffMs: 5000, jitter: 'none' }, half)).toBe(expected);
  });

  it('spreads full jitter over [0, delay] and equal jitter over [delay/2, delay]', () => {
    const policy = { backoff: 'exponential' as const, baseMs: 100, maxBackoffMs: 5000 };
    expect(backoffDelayMs(3, { ...policy, jitter: 'full' }, () => 0)).toBe(0);
    expect(backoffDelayMs(3, { ...policy, jitter: 'full' }, half)).toBe(200);
    expect(backoffDelayMs(3, { ...policy, jitter: 'equal' }, () => 0)).toBe(200);
    expect(backoffDelayMs(3, { ...policy, jitter: 'equal' }, () => 0.999999)).toBeCloseTo(400, 3);
  });

  it('keeps a constant delay constant', () => {
    expect(backoffDelayMs(5, { backoff: 'constant', baseMs: 250, maxBackoffMs: 5000, jitter: 'none' }, half)).toBe(250);
  });
});
