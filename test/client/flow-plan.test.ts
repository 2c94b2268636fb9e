import { describe, expect, it } from 'vitest';
import { FlowPicker, jobStateOf, nextPollAtMs, sampleThinkMs, type FlowPlan } from '../../src/client/flow-plan.js';
import { createRandom } from '../../src/shared/random.js';

const flow = (name: string, weight: number): FlowPlan => ({ name, weight, steps: [], implicit: false });

describe('sampleThinkMs', () => {
  it.each([
    // [min, max, draw, expected]: a uniform draw maps linearly onto [min, max)
    [500, 500, 0.99, 500],
    [200, 1000, 0, 200],
    [200, 1000, 0.5, 600],
    [200, 1000, 0.999999, 999.9992],
    [0, 0, 0.7, 0],
  ])('think {min: %i, max: %i} with draw %f pauses %f ms', (minMs, maxMs, draw, expected) => {
    expect(sampleThinkMs({ minMs, maxMs }, () => draw)).toBeCloseTo(expected, 3);
  });

  it('stays within its bounds and fills them over 10,000 seeded draws', () => {
    const random = createRandom(7);
    const samples = Array.from({ length: 10_000 }, () => sampleThinkMs({ minMs: 200, maxMs: 1000 }, random));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...samples)).toBeLessThan(1000);
    // Uniform: the mean is the midpoint (standard error of 10k draws over an 800 ms range is ~2.3 ms).
    expect(samples.reduce((a, b) => a + b, 0) / samples.length).toBeGreaterThan(590);
    expect(samples.reduce((a, b) => a + b, 0) / samples.length).toBeLessThan(610);
  });
});

describe('FlowPicker', () => {
  it.each([
    // [draw, expected flow] for weights a:1, b:3 (cumulative 1, 4 of 4)
    [0, 'a'],
    [0.2499, 'a'],
    [0.25, 'b'],
    [0.9999, 'b'],
  ])('draw %f picks %s among weights 1 and 3', (draw, expected) => {
    expect(new FlowPicker([flow('a', 1), flow('b', 3)]).pick(() => draw).name).toBe(expected);
  });

  it('picks the only flow without drawing', () => {
    let draws = 0;
    expect(new FlowPicker([flow('only', 5)]).pick(() => (draws++, 0.5)).name).toBe('only');
    expect(draws).toBe(0);
  });

  it('shares iterations by weight over many seeded draws', () => {
    const picker = new FlowPicker([flow('a', 1), flow('b', 2), flow('c', 1)]);
    const random = createRandom(3);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 40_000; i++) counts[picker.pick(random).name]! += 1;
    // Binomial standard deviation at n = 40k, p = 0.25 is ~87: 500 is more than five of them.
    expect(Math.abs(counts.a! - 10_000)).toBeLessThan(500);
    expect(Math.abs(counts.b! - 20_000)).toBeLessThan(500);
    expect(Math.abs(counts.c! - 10_000)).toBeLessThan(500);
  });
});

describe('jobStateOf', () => {
  const until = { json: '$.status', in: ['done', 'failed', 3], failed: ['failed'] };
  it.each([
    ['queued', 'pending'],
    ['running', 'pending'],
    ['done', 'done'],
    ['failed', 'failed'],
    [3, 'done'],
    ['3', 'pending'],
    [undefined, 'unknown'],
    [null, 'pending'],
  ] as const)('a job whose state reads %j is %s', (value, expected) => {
    expect(jobStateOf(value, until)).toBe(expected);
  });

  it('counts every final state as done when none is marked failed', () => {
    expect(jobStateOf('failed', { json: '$.status', in: ['done', 'failed'] })).toBe('done');
  });
});

describe('nextPollAtMs', () => {
  it.each([
    // [submitted, every, now, next]: the first tick after now on submit + k·every, never the submit itself
    [1000, 250, 1000, 1250],
    [1000, 250, 1100, 1250],
    [1000, 250, 1250, 1500],
    [1000, 250, 1740, 1750],
    // a poll that overran two ticks skips them instead of firing them back to back
    [1000, 250, 1800, 2000],
  ])('submitted at %i, every %i, now %i: next poll at %i', (submitted, every, now, next) => {
    expect(nextPollAtMs(submitted, every, now)).toBe(next);
  });
});
