import { describe, expect, it } from 'vitest';
import { AdaptiveTimeout, BUDGET_INITIAL_TOKENS, CircuitBreaker, RetryBudget } from '../../src/shared/call-policy.js';

describe('RetryBudget', () => {
  it('starts with 10 retries in hand, then allows one retry per 1/ratio calls', () => {
    const budget = new RetryBudget(0.2);
    let allowed = 0;
    for (let call = 0; call < 100; call++) {
      budget.deposit();
      while (budget.withdraw()) allowed += 1;
    }
    expect(allowed).toBe(BUDGET_INITIAL_TOKENS + 20);
  });
});

describe('CircuitBreaker', () => {
  const settings = { window: 10, failureRate: 0.5, minCalls: 4, openMs: 1000, halfOpenProbes: 2 };

  it('stays closed below the failure rate and before minCalls', () => {
    const breaker = new CircuitBreaker(settings);
    for (const failed of [true, true, true]) breaker.record(failed, 0); // 3 < minCalls
    expect(breaker.state).toBe('closed');
    breaker.record(false, 0);
    // 3 of 4 failed: at minCalls and past 50%
    expect(breaker.state).toBe('open');
  });

  it('slides its window: old failures leave it', () => {
    const breaker = new CircuitBreaker({ ...settings, window: 4, failureRate: 0.75 });
    for (const failed of [true, true, false, false, false, false, true, true]) breaker.record(failed, 0);
    // last four: false, false, true, true = 50% < 75%
    expect(breaker.state).toBe('closed');
  });

  it.each([
    { name: 'refuses while open', at: 999, allowed: [false] },
    { name: 'lets exactly the probes through once the open time has passed', at: 1000, allowed: [true, true, false] },
  ])('$name', ({ at, allowed }) => {
    const breaker = new CircuitBreaker(settings);
    for (let i = 0; i < 4; i++) breaker.record(true, 0);
    expect(allowed.map(() => breaker.allow(at))).toEqual(allowed);
  });

  it('closes when every probe succeeds, and opens again on a failed probe', () => {
    const closing = new CircuitBreaker(settings);
    for (let i = 0; i < 4; i++) closing.record(true, 0);
    closing.allow(1000);
    closing.allow(1000);
    closing.record(false, 1010);
    expect(closing.state).toBe('halfOpen');
    closing.record(false, 1020);
    expect(closing.state).toBe('closed');

    const reopening = new CircuitBreaker(settings);
    for (let i = 0; i < 4; i++) reopening.record(true, 0);
    reopening.allow(1000);
    reopening.record(true, 1010);
    expect(reopening.state).toBe('open');
    expect(reopening.allow(2009)).toBe(false);
    expect(reopening.allow(2010)).toBe(true);
  });
});

describe('AdaptiveTimeout', () => {
  it('is mean + k·σ of the last window, and nothing before minSamples', () => {
    const timeout = new AdaptiveTimeout({ window: 4, k: 2, minSamples: 3 });
    timeout.observe(10);
    timeout.observe(20);
    expect(timeout.currentMs()).toBeUndefined();
    timeout.observe(30);
    // 10, 20, 30: mean 20, population σ √(200/3)
    expect(timeout.currentMs()).toBeCloseTo(20 + 2 * Math.sqrt(200 / 3), 9);
    timeout.observe(40);
    timeout.observe(50); // 10 leaves: 20..50, mean 35, σ √125
    expect(timeout.currentMs()).toBeCloseTo(35 + 2 * Math.sqrt(125), 9);
  });
});
