import { describe, expect, it } from 'vitest';
import { compileSampler, quantileMs, type LatencyModel } from '../../mock-server/latency.js';
import { createRng } from '../../mock-server/prng.js';
import { latencyModelSchema } from '../../mock-server/profile-schema.js';
import { parseDurationMs } from '../../src/shared/units.js';

const DRAWS = 100_000;

function sampleQuantiles(model: LatencyModel, seed = 42): { p50: number; p99: number } {
  const sample = compileSampler(model);
  const rng = createRng(seed);
  const values = Array.from({ length: DRAWS }, () => sample(rng)).sort((a, b) => a - b);
  return { p50: values[Math.floor(DRAWS * 0.5)]!, p99: values[Math.floor(DRAWS * 0.99)]! };
}

describe('latency models', () => {
  // 100,000 draws keep the standard error of p99 under ~1.6% even for the pareto tail, so 5% is a real check.
  const cases: Array<{ name: string; written: unknown; p50: number; p99: number }> = [
    { name: 'fixed 20ms', written: '20ms', p50: 20, p99: 20 },
    { name: 'uniform 10–30 ms', written: { type: 'uniform', min: 10, max: '30ms' }, p50: 20, p99: 29.8 },
    { name: 'normal 100 ± 10 ms', written: { type: 'normal', mean: '100ms', sd: '10ms' }, p50: 100, p99: 100 + 2.3263 * 10 },
    { name: 'lognormal median 50 ms, p99 400 ms', written: { type: 'lognormal', median: '50ms', p99: '400ms' }, p50: 50, p99: 400 },
    { name: 'pareto scale 10 ms, shape 2', written: { type: 'pareto', scale: '10ms', shape: 2 }, p50: 10 * Math.SQRT2, p99: 10 * 10 },
    {
      name: 'mixture 98% fixed 10 ms, 2% fixed 1 s',
      written: {
        type: 'mixture',
        components: [
          { weight: 98, model: '10ms' },
          { weight: 2, model: '1s' },
        ],
      },
      p50: 10,
      p99: 1000,
    },
  ];

  for (const c of cases) {
    it(`draws ${c.name} with p50 and p99 within 5% of the configuration`, () => {
      const model = latencyModelSchema.parse(c.written);
      const { p50, p99 } = sampleQuantiles(model);
      expect(Math.abs(p50 - c.p50) / c.p50).toBeLessThan(0.05);
      expect(Math.abs(p99 - c.p99) / c.p99).toBeLessThan(0.05);
      // The analytic quantiles agree with the configuration too (they are what tests elsewhere compare against).
      expect(quantileMs(model, 0.5)).toBeCloseTo(c.p50, 1);
      expect(quantileMs(model, 0.99)).toBeCloseTo(c.p99, 0);
    });
  }

  it('clamps a normal at zero instead of drawing negative durations', () => {
    const sample = compileSampler({ type: 'normal', meanMs: 1, sdMs: 5 });
    const rng = createRng(3);
    const values = Array.from({ length: 5000 }, () => sample(rng));
    expect(Math.min(...values)).toBe(0);
    expect(values.filter((v) => v === 0).length / values.length).toBeGreaterThan(0.35);
  });

  it('caps a pareto tail at its max', () => {
    const sample = compileSampler({ type: 'pareto', scaleMs: 1, shape: 0.5, maxMs: 50 });
    const rng = createRng(9);
    expect(Math.max(...Array.from({ length: 5000 }, () => sample(rng)))).toBe(50);
  });

  it('repeats the same draws for the same seed and differs for another', () => {
    const model = latencyModelSchema.parse({ type: 'lognormal', median: 10, p99: 100 });
    const draw = (seed: number) => {
      const rng = createRng(seed);
      const sample = compileSampler(model);
      return Array.from({ length: 5 }, () => sample(rng));
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });
});

describe('durations', () => {
  it.each([
    [250, 250],
    ['250ms', 250],
    ['2s', 2000],
    ['1.5s', 1500],
    ['800us', 0.8],
    ['1m', 60_000],
    [' 20 ms ', 20],
  ])('parses %j as %d ms', (input, expected) => {
    expect(parseDurationMs(input)).toBe(expected);
  });

  it.each(['fast', '-5ms', '10 hours', '', 'ms'])('rejects %j', (input) => {
    expect(parseDurationMs(input)).toBeUndefined();
  });
});
