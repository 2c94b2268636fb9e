import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/result/types.js';
import { parseThreshold, ThresholdSyntaxError } from '../../src/metrics/grammar/threshold.js';
import { evaluateOnSnapshot, evaluateThresholds } from '../../src/analysis/thresholds/evaluate.js';
import { MetricSet, mergeSnapshots } from '../../src/metrics/metric-set.js';
import { failedAttempt } from '../../src/metrics/attempt.js';

describe('the checks threshold: passed checks / evaluated checks', () => {
  it.each([
    ['checks > 99%', undefined, '>', 99],
    ['checks >= 0.995', undefined, '>=', 99.5],
    ['checks{request=generate} > 99%', { request: 'generate' }, '>', 99],
    ['checks{stage=steady} == 100%', { stage: 'steady' }, '==', 100],
  ])('parses %s', (expression, scope, operator, limit) => {
    expect(parseThreshold(expression)).toMatchObject({ stat: { kind: 'checks' }, scope, operator, limit, unit: '%' });
  });

  it.each([
    ['checks(total) > 99%', /checks takes no "\( \)" argument/],
    ['checks > 99ms', /a share takes "%" or a ratio from 0 to 1, got "ms"/],
    ['checks > 99', /a bare share is a ratio from 0 to 1; write 99% if percent was meant/],
    ['check > 99%', /unknown stat "check"; use .*checks/],
  ])('refuses %s', (expression, reason) => {
    expect(() => parseThreshold(expression)).toThrow(ThresholdSyntaxError);
    expect(() => parseThreshold(expression)).toThrow(reason);
  });

  // generate: 990 of 1000 checks passed (99%); poll: 50 of 50; the run: 1040 of 1050 (99.0476…%).
  const result = {
    totals: { requests: 600, errors: 10, errorsByKind: { total: 10, byKind: { check: 10 }, byStatus: {} } },
    histograms: {},
    stages: [{ name: 'steady', requests: 600, errorsByKind: { total: 10, byKind: { check: 10 }, byStatus: {} }, histograms: {} }],
    requestsByName: {
      generate: {
        name: 'generate',
        requests: 500,
        errorsByKind: { total: 10, byKind: { check: 10 }, byStatus: {} },
        histograms: {},
        checks: [
          { label: 'status 200', passes: 500, fails: 0 },
          { label: '$.ok == true', passes: 490, fails: 10, firstFailure: '$.ok is false, expected true' },
        ],
      },
      poll: {
        name: 'poll',
        requests: 50,
        errorsByKind: { total: 0, byKind: {}, byStatus: {} },
        histograms: {},
        checks: [{ label: 'status 200', passes: 50, fails: 0 }],
      },
      health: { name: 'health', requests: 50, errorsByKind: { total: 0, byKind: {}, byStatus: {} }, histograms: {} },
    },
  } as unknown as RunResult;

  it.each([
    ['checks > 99%', 104000 / 1050, true],
    ['checks > 99.1%', 104000 / 1050, false],
    ['checks{request=generate} > 99%', 99, false],
    ['checks{request=generate} >= 99%', 99, true],
    ['checks{request=poll} == 100%', 100, true],
  ])('judges %s on the counts (observed %f%%)', (expression, observed, pass) => {
    const [verdict] = evaluateThresholds(result, [expression]);
    expect(verdict!.observed).toBeCloseTo(observed, 10);
    expect(verdict!.pass).toBe(pass);
  });

  it('fails a checks threshold with nothing to count, and says why', () => {
    const [none, stage] = evaluateThresholds(result, ['checks{request=health} > 99%', 'checks{stage=steady} > 99%']);
    expect(none).toMatchObject({ pass: false, observed: undefined, note: expect.stringMatching(/no response check was evaluated/) });
    expect(stage).toMatchObject({ pass: false, observed: undefined, note: expect.stringMatching(/per request, not per stage/) });
  });

  it('judges the live view (abortOnFail) on the checks merged so far', () => {
    const a = new MetricSet();
    const b = new MetricSet();
    a.record({ ...failedAttempt('check', 200, 1000), checks: [{ label: 'status 200' }, { label: '$.ok == true', failure: 'no' }] });
    b.record({ ...failedAttempt('check', 200, 1000), checks: [{ label: '$.ok == true' }, { label: 'status 200' }] });
    const merged = mergeSnapshots([a.snapshot(), b.snapshot()]);
    expect(merged.checks).toEqual([
      { label: 'status 200', passes: 2, fails: 0 },
      { label: '$.ok == true', passes: 1, fails: 1, firstFailure: 'no' },
    ]);
    expect(evaluateOnSnapshot(parseThreshold('checks > 80%'), merged, 1000)).toMatchObject({ observed: 75, pass: false });
  });
});
