import { describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram, recordUs } from '../../src/shared/histogram.js';
import type { RunResult } from '../../src/result/types.js';
import { compareRuns } from '../../src/analysis/compare/compare.js';
import { comparabilityProblems } from '../../src/analysis/compare/compatible.js';
import { parseCompareRule, CompareRuleError } from '../../src/metrics/grammar/compare-rule.js';
import { blockResample } from '../../src/analysis/compare/bootstrap.js';
import { twoProportionTest, dispersion } from '../../src/analysis/compare/proportion.js';
import { createRandom } from '../../src/shared/random.js';
import { junitXml } from '../../src/report/junit/xml.js';
import { compareMarkdown } from '../../src/report/markdown/regression.js';
import { compareSuite } from '../../src/report/junit/regression.js';

/** A synthetic run: `intervals` intervals of 200 requests, latencies lognormal-ish around medianMs, seeded. */
function run(medianMs: number, errorShare: number, seed: number, intervals = 20): RunResult {
  const random = createRandom(seed);
  const list = Array.from({ length: intervals }, (_, index) => {
    const h = createHistogram();
    let errors = 0;
    for (let i = 0; i < 200; i++) {
      const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      recordUs(h, medianMs * 1000 * Math.exp(0.3 * gaussian));
      if (random() < errorShare) errors++;
    }
    const encoded = encodeHistogram(h);
    return {
      index,
      startMs: index * 1000,
      endMs: (index + 1) * 1000,
      stage: 0,
      requests: 200,
      errors,
      histograms: { total: encoded, ttfb: encoded },
    };
  });
  return {
    scenario: { name: 's', definition: {} },
    model: 'closed',
    startedAt: 't',
    durationMs: intervals * 1000,
    scheduledDurationMs: intervals * 1000,
    intervalMs: 1000,
    interrupted: false,
    health: { valid: true },
    stages: [{ kind: 'hold', target: 8, targetFrom: 8, startMs: 0 }],
    intervals: list,
    totals: { requests: intervals * 200 },
  } as unknown as RunResult;
}

describe('compareRuns on synthetic runs', () => {
  // Ten pairs of independent seeded samples of one distribution, with and without errors (1%), with the
  // default rules: the statistics must not cry wolf on noise alone. Seeded, so it cannot be flaky; what a real
  // machine adds between two runs is measured by bench/compare-noise.ts.
  it.each(Array.from({ length: 10 }, (_, pair) => [pair, 100 + 2 * pair, 101 + 2 * pair] as const))(
    'pair %i (seeds %i, %i) of one distribution: no regression',
    (_pair, seedA, seedB) => {
      for (const errorShare of [0, 0.01]) {
        const c = compareRuns(run(100, errorShare, seedA), run(100, errorShare, seedB));
        expect(c.rules.filter((r) => r.outcome === 'regression').map((r) => r.rule)).toEqual([]);
        expect(c.regression).toBe(false);
      }
    },
  );

  it('finds no regression between two samples of one distribution', () => {
    const c = compareRuns(run(100, 0, 1), run(100, 0, 2));
    expect(c.method.latency).toBe('block-bootstrap');
    expect(c.regression).toBe(false);
    const p50 = c.changes.find((x) => x.label === 'p50')!;
    expect(Math.abs(p50.change)).toBeLessThan(0.03);
    expect(p50.ci[0]).toBeLessThan(0);
    expect(p50.ci[1]).toBeGreaterThan(0);
  });

  it('flags +25% latency at p50 and p99 with the change near 25%', () => {
    const c = compareRuns(run(100, 0, 1), run(125, 0, 2));
    const p50 = c.rules.find((r) => r.label === 'p50')!;
    const p99 = c.rules.find((r) => r.label === 'p99')!;
    expect(p50).toMatchObject({ outcome: 'regression', significant: true });
    expect(p99).toMatchObject({ outcome: 'regression', significant: true });
    expect(p50.change.change).toBeGreaterThan(0.2);
    expect(p50.change.change).toBeLessThan(0.3);
  });

  it('does not flag a significant change inside the tolerance', () => {
    const c = compareRuns(run(100, 0, 1), run(105, 0, 2));
    const p50 = c.rules.find((r) => r.label === 'p50')!;
    expect(p50.significant).toBe(true);
    expect(p50.outcome).toBe('pass');
  });

  it('flags 2% errors over none as an error-rate regression in percentage points', () => {
    const c = compareRuns(run(100, 0, 1), run(100, 0.02, 2));
    const rule = c.rules.find((r) => r.label === 'error_rate')!;
    expect(rule.outcome).toBe('regression');
    expect(rule.change.change).toBeGreaterThan(1.2);
    expect(rule.change.change).toBeLessThan(2.8);
  });

  it('is deterministic for a seed, and says when it had to treat requests as independent', () => {
    expect(compareRuns(run(100, 0, 1), run(110, 0, 2)).changes).toEqual(compareRuns(run(100, 0, 1), run(110, 0, 2)).changes);
    const short = compareRuns(run(100, 0, 1, 4), run(100, 0, 2, 4));
    expect(short.method.latency).toBe('iid-requests');
    expect(short.warnings[0]).toContain('treated as independent');
  });

  it('writes one JUnit case per rule and a Markdown table', () => {
    const c = compareRuns(run(100, 0, 1), run(125, 0, 2), { rules: ['p50 +10%', 'error_rate +1pp'] });
    const xml = junitXml([compareSuite(c)]);
    expect(xml).toContain('tests="2" failures="1"');
    expect(compareMarkdown(c)).toContain('**Regression** — `p50 +10%`');
  });
});

describe('compare rules', () => {
  it.each([
    ['p99 +10%', { kind: 'percentile', percentile: 99, metric: 'total' }, 0.1, 'up'],
    ['p99.9(ttfb) +25%', { kind: 'percentile', percentile: 99.9, metric: 'ttfb' }, 0.25, 'up'],
    ['throughput -5%', { kind: 'throughput' }, 0.05, 'down'],
    ['error_rate +0.5pp', { kind: 'error_rate' }, 0.5, 'up'],
  ])('%s', (text, stat, tolerance, worse) => {
    expect(parseCompareRule(text)).toMatchObject({ stat, worse, tolerance: expect.closeTo(tolerance, 12) });
  });

  it.each(['p99 -10%', 'throughput +5%', 'p99 10%', 'error_rate +1%', 'p99 +10ms', 'p99(itl) +10%', 'median +1%', 'p99 +', 'p99 +10% !'])(
    'refuses %j',
    (text) => {
      expect(() => parseCompareRule(text)).toThrow(CompareRuleError);
    },
  );
});

describe('comparability', () => {
  it('refuses other scenarios and load shapes, and accepts another target', () => {
    const a = run(100, 0, 1);
    const b = run(100, 0, 2);
    expect(comparabilityProblems(a, b)).toEqual([]);
    const other = {
      ...b,
      scenario: { name: 'x', definition: {} },
      stages: [{ kind: 'ramp', target: 16, targetFrom: 0, startMs: 0 }],
    } as unknown as RunResult;
    expect(comparabilityProblems(a, other)).toEqual(['scenario "s" vs "x"', 'stage 1: hold vs ramp', 'stage 1: target 8→8 vs 0→16']);
  });

  it('refuses a curve of another length, however long the drain after it took', () => {
    const a = run(100, 0, 1);
    const longerDrain = { ...run(100, 0, 2), durationMs: a.durationMs + 1800 };
    expect(comparabilityProblems(a, longerDrain)).toEqual([]);
    const longer = { ...run(100, 0, 2), scheduledDurationMs: a.scheduledDurationMs + 1000 };
    expect(comparabilityProblems(a, longer)).toEqual([
      `load curve lasts ${(a.scheduledDurationMs / 1000).toFixed(1)} s vs ${((a.scheduledDurationMs + 1000) / 1000).toFixed(1)} s`,
    ]);
  });
});

describe('statistics', () => {
  it('block resampling draws runs of consecutive intervals', () => {
    const chosen = blockResample(12, 3, createRandom(3));
    expect(chosen.length).toBe(12);
    for (let i = 0; i < 12; i += 3) {
      expect(chosen[i + 1]).toBe(chosen[i]! + 1);
      expect(chosen[i + 2]).toBe(chosen[i]! + 2);
    }
  });

  it('two-proportion test: 0/1000 vs 20/1000 is significant; dispersion grows when errors cluster', () => {
    const flat = { errors: [5, 5, 5, 5], requests: [250, 250, 250, 250] };
    const clustered = { errors: [20, 0, 0, 0], requests: [250, 250, 250, 250] };
    expect(dispersion(flat)).toBe(1);
    expect(dispersion(clustered)).toBeGreaterThan(5);
    const test = twoProportionTest({ errors: [0, 0, 0, 0], requests: [250, 250, 250, 250] }, flat, 1.96);
    expect(test.differencePp).toBeCloseTo(2, 10);
    expect(test.pValue).toBeLessThan(0.001);
    // The same 20 errors in one interval are weaker evidence.
    expect(twoProportionTest({ errors: [0, 0, 0, 0], requests: [250, 250, 250, 250] }, clustered, 1.96).pValue).toBeGreaterThan(
      test.pValue,
    );
  });
});
