import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { renderJunit } from '../../src/report/junit/render.js';
import { syntheticResult } from './fixture.js';

describe('verdict', () => {
  it('passes SLO objectives the totals meet and fails those they miss', () => {
    const result = syntheticResult();
    const p99 = result.totals.latency.p99;
    result.slo = { p99Ms: p99 + 1, p50Ms: result.totals.latency.p50 - 1, errorRate: 0.01 };
    const verdict = analyze(result).verdict;
    expect(verdict.checks.filter((c) => c.kind === 'slo').map((c) => [c.name, c.pass])).toEqual([
      ['SLO p50', false],
      ['SLO p99', true],
      ['SLO error rate', true],
    ]);
    expect(verdict.status).toBe('fail');
  });

  it('calls a run invalid before it calls it failed, because its checks say nothing about the target', () => {
    const result = syntheticResult();
    result.slo = { p99Ms: 1 };
    result.health = { ...result.health, valid: false, reasons: ['event-loop delay p99 250 ms'] };
    const verdict = analyze(result).verdict;
    expect(verdict.status).toBe('invalid');
    expect(verdict.validity.reasons).toEqual(['event-loop delay p99 250 ms']);
  });

  it('judges thresholds on the result with the threshold evaluator, listing unreadable ones as not evaluated', () => {
    const result = syntheticResult();
    result.slo = undefined;
    result.thresholds = ['p99 < 200ms', 'error_rate < 0.1%', 'p99 <<< soon'];
    const verdict = analyze(result).verdict;
    const p99 = result.totals.latency.p99;
    expect(verdict.checks[0]).toEqual({
      kind: 'threshold',
      name: 'p99 < 200ms',
      pass: true,
      observed: `p99 = ${p99.toFixed(0)} ms`,
      limit: '< 200 ms',
    });
    expect(verdict.checks[1]).toEqual({
      kind: 'threshold',
      name: 'error_rate < 0.1%',
      pass: false,
      observed: `error_rate = ${(result.totals.errorRate * 100).toFixed(2)}%`,
      limit: '< 0.10%',
    });
    expect(verdict.checks[2]).toMatchObject({ name: 'p99 <<< soon', pass: null });
    expect(verdict.checks[2]!.observed).toMatch(/^not evaluated: /);
    expect(verdict.status).toBe('fail');
  });
});

describe('junit.xml', () => {
  it('has one test case per threshold and per SLO objective, failing those that failed', () => {
    const result = syntheticResult();
    result.slo = { p99Ms: 1 };
    result.thresholds = ['p99 < 50ms', 'error_rate < 1%'];
    const xml = renderJunit(result, analyze(result).verdict);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('<testsuites name="tailscope" tests="3" failures="2"');
    expect(xml).toContain('<testcase name="p99 &lt; 50ms" classname="tailscope.thresholds"');
    expect(xml).toMatch(/message="p99 &lt; 50ms: observed p99 = 1\d\d ms, limit &lt; 50.0 ms"/);
    expect(xml).toMatch(/<testcase name="error_rate &lt; 1%" classname="tailscope.thresholds" time="0.000"\/>/);
  });

  it('fails every case of an invalid run with the reason', () => {
    const result = syntheticResult();
    result.health = { ...result.health, valid: false, reasons: ['generator CPU 100%'] };
    const xml = renderJunit(result, analyze(result).verdict);
    expect(xml.match(/<failure message="invalid run: generator CPU 100%"/g)).toHaveLength(4);
  });

  it('escapes hostile scenario names in the suite name', () => {
    const result = syntheticResult({ name: '<x a="1">&' });
    const xml = renderJunit(result, analyze(result).verdict);
    expect(xml).toContain('name="tailscope: &lt;x a=&quot;1&quot;&gt;&amp;"');
  });
});
