import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { verdictOf } from '../../src/analysis/verdict.js';
import type { VerdictStatus } from '../../src/analysis/types.js';
import { EXIT, exitCodeOf } from '../../src/cli/exit-codes.js';
import type { RunResult } from '../../src/result/types.js';
import { syntheticResult } from '../report/fixture.js';

type Tweak = (r: RunResult) => void;
const saturated: Tweak = (r) => void (r.health = { ...r.health, valid: false, reasons: ['generator saturated'] });
const stoppedByUser: Tweak = (r) => void (r.interrupted = true);
const abortOnFail: Tweak = (r) => {
  r.interrupted = true;
  r.abortedBy = 'p99 < 1ms';
};
const passing: Tweak = (r) => void (r.thresholds = ['p99 < 10s']);
const failing: Tweak = (r) => void (r.thresholds = ['p99 < 1ms']);
const sloMiss: Tweak = (r) => void (r.slo = { p99Ms: 1 });
const noChecks: Tweak = (r) => {
  r.thresholds = [];
  r.slo = undefined;
};
const shard: Tweak = (r) => void (r.shard = { index: 0, count: 2 });

// [what, tweaks, status, exit code without a comparison, with a regression]
const table: [string, Tweak[], VerdictStatus, number, number][] = [
  ['every check passes', [passing], 'pass', EXIT.ok, EXIT.failed],
  ['no checks at all', [noChecks], 'unchecked', EXIT.ok, EXIT.failed],
  ['a threshold fails', [failing], 'fail', EXIT.failed, EXIT.failed],
  ['an SLO objective fails, thresholds pass', [passing, sloMiss], 'fail', EXIT.failed, EXIT.failed],
  ['checks fail on a saturated generator', [failing, saturated], 'invalid', EXIT.invalidRun, EXIT.invalidRun],
  ['checks pass on a saturated generator', [passing, saturated], 'invalid', EXIT.invalidRun, EXIT.invalidRun],
  ['the user stops a saturated, failing run', [failing, saturated, stoppedByUser], 'interrupted', EXIT.interrupted, EXIT.interrupted],
  ['the user stops a passing run', [passing, stoppedByUser], 'interrupted', EXIT.interrupted, EXIT.interrupted],
  ['abortOnFail stops the run', [passing, abortOnFail], 'fail', EXIT.failed, EXIT.failed],
  ['one shard of a run with failing checks', [failing, sloMiss, shard], 'unchecked', EXIT.ok, EXIT.failed],
  ['one shard whose generator saturated', [failing, shard, saturated], 'invalid', EXIT.invalidRun, EXIT.invalidRun],
];

describe('the verdict and the exit code it maps to', () => {
  it.each(table)('%s → %s', (_what, tweaks, status, code, withRegression) => {
    const result = syntheticResult({ intervals: 4, stageConcurrency: [2] });
    result.slo = undefined;
    for (const tweak of tweaks) tweak(result);
    const verdict = verdictOf(result, analyze(result).validity);
    expect(verdict.status).toBe(status);
    expect(exitCodeOf(verdict)).toBe(code);
    expect(exitCodeOf(verdict, { regression: false })).toBe(code);
    expect(exitCodeOf(verdict, { regression: true })).toBe(withRegression);
  });

  it('is part of analysis.json', () => {
    const result = syntheticResult({ intervals: 4, stageConcurrency: [2] });
    result.thresholds = ['p99 < 1ms'];
    const analysis = JSON.parse(JSON.stringify(analyze(result)));
    expect(analysis.verdict.status).toBe('fail');
    expect(analysis.verdict.checks[0]).toMatchObject({ kind: 'threshold', name: 'p99 < 1ms', pass: false });
    expect(analysis.verdict.validity).toMatchObject({ valid: true, interrupted: false });
  });

  it('fails SLO objectives when no request completed, instead of reading the empty totals as 0 ms', () => {
    const result = syntheticResult({ intervals: 4, stageConcurrency: [2] });
    result.thresholds = [];
    result.slo = { p99Ms: 100, errorRate: 0.01 };
    result.totals = { ...result.totals, requests: 0, errors: 0, errorRate: 0, latency: { ...result.totals.latency, count: 0, p99: 0 } };
    const verdict = verdictOf(result, analyze(result).validity);
    expect(verdict.checks.map((c) => [c.name, c.pass, c.observed])).toEqual([
      ['SLO p99', false, 'no data (no request completed)'],
      ['SLO error rate', false, 'no data (no request completed)'],
    ]);
  });
});
