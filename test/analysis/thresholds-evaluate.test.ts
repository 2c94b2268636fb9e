import { describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram, recordUs } from '../../src/shared/histogram.js';
import { emptyCalls, emptyCounters, type MetricSnapshot } from '../../src/metrics/metric-set.js';
import type { RunResult } from '../../src/result/types.js';
import { evaluateThresholds } from '../../src/analysis/thresholds/evaluate.js';
import { abortRules, createAbortWatch, failingAbortRule } from '../../src/analysis/thresholds/live.js';
import { parseScenario } from '../../src/scenario/read.js';
import { ScenarioError } from '../../src/scenario/errors.js';

/** 1..1000 ms, one request each: p50 = 500 ms, p99 = 990 ms, max = 1000 ms (within HDR's 0.1%). */
function uniformMs(from: number, to: number): string {
  const h = createHistogram();
  for (let ms = from; ms <= to; ms++) recordUs(h, ms * 1000);
  return encodeHistogram(h);
}

const errors = { total: 30, byKind: { status: 30 }, byStatus: { '503': 20, '429': 10 } };
const result = {
  totals: { requests: 1000, errors: 30, errorRate: 0.03, throughput: 250, errorsByKind: errors },
  histograms: { total: uniformMs(1, 1000), ttfb: uniformMs(1, 100) },
  requestsByName: {
    generate: {
      name: 'generate',
      requests: 100,
      throughput: 25,
      errorsByKind: { total: 0, byKind: {}, byStatus: {} },
      histograms: { total: uniformMs(1, 100) },
    },
  },
  stages: [{ name: 'steady', requests: 1000, throughput: 250, errorsByKind: errors, histograms: { total: uniformMs(1, 1000) } }],
} as unknown as RunResult;

describe('evaluateThresholds', () => {
  it('judges percentiles, rates, statuses and throughput on the merged histograms with observed values in units', () => {
    const verdicts = evaluateThresholds(result, [
      'p99 < 800ms',
      'p50 < 1s',
      'p99(ttfb) <= 100ms',
      'max > 999ms',
      'mean < 600',
      'error_rate < 1%',
      'status(5xx) < 2.5%',
      'rate(429) == 1%',
      'throughput > 200',
      'requests >= 1000',
    ]);
    const by = Object.fromEntries(verdicts.map((v) => [v.expression, v]));
    expect(by['p99 < 800ms']).toMatchObject({ metric: 'p99', pass: false, unit: 'ms', limit: 800 });
    expect(by['p99 < 800ms']!.observed).toBeCloseTo(990, -1);
    expect(by['p50 < 1s']).toMatchObject({ pass: true, limit: 1000 });
    expect(by['p50 < 1s']!.observed).toBeCloseTo(500, -1);
    expect(by['p99(ttfb) <= 100ms']).toMatchObject({ metric: 'p99(ttfb)', pass: true });
    expect(by['max > 999ms']!.pass).toBe(true);
    expect(by['mean < 600']!.observed).toBeCloseTo(500.5, 0);
    expect(by['error_rate < 1%']).toMatchObject({ observed: 3, unit: '%', pass: false });
    expect(by['status(5xx) < 2.5%']).toMatchObject({ observed: 2, pass: true });
    expect(by['rate(429) == 1%']).toMatchObject({ observed: 1, pass: true });
    expect(by['throughput > 200']).toMatchObject({ observed: 250, unit: 'req/s', pass: true });
    expect(by['requests >= 1000']).toMatchObject({ observed: 1000, pass: true });
  });

  it('scopes to a request name or a stage, and fails a misspelled name with a note listing the known ones', () => {
    const [named, stage, typo, noMetric] = evaluateThresholds(result, [
      'p99{request=generate} < 100ms',
      'error_rate{stage=steady} < 5%',
      'p99{request=genrate} < 1s',
      'p99(ttft) < 1s',
    ]);
    expect(named).toMatchObject({ metric: 'p99{request=generate}', pass: true });
    expect(named!.observed).toBeCloseTo(99, 0);
    expect(stage).toMatchObject({ observed: 3, pass: true });
    expect(typo).toMatchObject({ observed: undefined, pass: false, note: 'no request named "genrate" (known: generate)' });
    expect(noMetric).toMatchObject({ observed: undefined, pass: false, note: 'no samples recorded' });
  });
});

function snapshot(requests: number, errorCount: number, totalMs: [number, number]): MetricSnapshot {
  return {
    requests,
    successes: requests - errorCount,
    sent: requests,
    inFlightMs: 0,
    errors: { total: errorCount, byKind: { status: errorCount }, byStatus: { '500': errorCount } },
    counters: emptyCounters(),
    calls: emptyCalls(),
    histograms: { total: uniformMs(totalMs[0], totalMs[1]) },
  };
}

describe('latency thresholds read the successful attempts', () => {
  // 100 attempts: 90 successes at 100–190 ms, 10 failures given up at 0–9 ms (refused, auth). total holds all
  // 100, totalFailed the 10 failures.
  const all = createHistogram();
  const failed = createHistogram();
  for (let i = 0; i < 90; i++) recordUs(all, (100 + i) * 1000);
  for (let i = 0; i < 10; i++) {
    recordUs(all, i * 1000);
    recordUs(failed, i * 1000);
  }
  const mixed = {
    totals: {
      requests: 100,
      errors: 10,
      errorRate: 0.1,
      throughput: 10,
      errorsByKind: { total: 10, byKind: { refused: 10 }, byStatus: {} },
    },
    histograms: { total: encodeHistogram(all), totalFailed: encodeHistogram(failed) },
    requestsByName: {},
    stages: [],
  } as unknown as RunResult;

  it('leaves fast failures out of a percentile unless the threshold asks for every attempt', () => {
    const [successful, every] = evaluateThresholds(mixed, ['min < 50ms', 'min{attempts=all} < 50ms']);
    expect(successful).toMatchObject({ pass: false, metric: 'min' });
    expect(successful!.observed).toBeCloseTo(100, 0);
    expect(every).toMatchObject({ pass: true, metric: 'min{attempts=all}' });
    expect(every!.observed).toBeLessThan(10);
  });

  it('fails a latency threshold when every attempt failed, saying so, instead of passing it at 0 ms', () => {
    const allFailed = {
      ...mixed,
      totals: { ...mixed.totals, requests: 10, errors: 10, errorRate: 1 },
      histograms: { total: encodeHistogram(failed), totalFailed: encodeHistogram(failed) },
    } as unknown as RunResult;
    const [p99] = evaluateThresholds(allFailed, ['p99 < 1ms']);
    expect(p99).toMatchObject({ pass: false, observed: undefined, note: 'no successful request to read it from (10 of 10 failed)' });
  });
});

describe('abortOnFail on interval snapshots', () => {
  const rules = abortRules([
    { threshold: 'error_rate < 10%', abortOnFail: true, delayAbortEvalMs: 2000 },
    { threshold: 'p99 < 10s', abortOnFail: false, delayAbortEvalMs: 0 },
  ]);

  it('only takes the abortOnFail thresholds', () => {
    expect(rules.map((r) => r.threshold.expression)).toEqual(['error_rate < 10%']);
  });

  it('waits for the delay before judging, then fails on the merge so far', () => {
    const bad = snapshot(100, 50, [1, 10]);
    expect(failingAbortRule(rules, bad, 1000)).toBeUndefined();
    expect(failingAbortRule(rules, bad, 2000)).toMatchObject({ expression: 'error_rate < 10%', observed: 50, pass: false });
  });

  it('fires once, when the running merge crosses the limit, not on one bad interval alone', () => {
    const watch = createAbortWatch(rules, 1000);
    expect(watch.onInterval(0, snapshot(100, 0, [1, 10]))).toBeUndefined();
    // 15 of 200 so far = 7.5%: under the limit though this interval alone is at 15%
    expect(watch.onInterval(1, snapshot(100, 15, [1, 10]))).toBeUndefined();
    // 45 of 300 = 15%: over
    expect(watch.onInterval(2, snapshot(100, 30, [1, 10]))).toMatchObject({ observed: 15, pass: false });
    expect(watch.onInterval(3, snapshot(100, 90, [1, 10]))).toBeUndefined();
  });

  it('never judges a threshold scoped to a request live (interval snapshots have no per-request split)', () => {
    const scoped = abortRules([{ threshold: 'error_rate{request=a} < 1%', abortOnFail: true, delayAbortEvalMs: 0 }]);
    expect(failingAbortRule(scoped, snapshot(100, 100, [1, 10]), 5000)).toBeUndefined();
  });
});

describe('thresholds in a scenario', () => {
  const scenario = (thresholds: string) => `name: t
target: { mock: { profile: fast } }
requests:
  - { name: a, path: /v1/generate, method: POST }
load:
  closed:
    - { hold: 1s, concurrency: 1 }
thresholds:
${thresholds}`;

  it('accepts strings and k6-style objects with abortOnFail and delayAbortEval', () => {
    const parsed = parseScenario(
      scenario('  - "p99 < 800ms"\n  - { threshold: "error_rate < 1%", abortOnFail: true, delayAbortEval: 10s }'),
      's.yaml',
      {},
    );
    expect(parsed.thresholds).toEqual([
      { threshold: 'p99 < 800ms', abortOnFail: false, delayAbortEvalMs: 0 },
      { threshold: 'error_rate < 1%', abortOnFail: true, delayAbortEvalMs: 10_000 },
    ]);
  });

  it('reports a malformed threshold with file, line, field and the column in the expression', () => {
    let error: unknown;
    try {
      parseScenario(scenario('  - "p99 < 800ms"\n  - "p99 < 8xx"'), 's.yaml', {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).problems).toEqual([
      expect.objectContaining({
        line: 10,
        field: 'thresholds[1]',
        message: expect.stringContaining('invalid threshold "p99 < 8xx" at column 8: a latency limit takes ms, s or us, got "xx"'),
      }),
    ]);
    expect((error as Error).message).toMatch(/^s\.yaml:10:5: thresholds\[1\]: /);
  });
});
