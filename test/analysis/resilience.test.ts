import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import type { RunResult } from '../../src/result/types.js';
import { syntheticResult } from '../report/fixture.js';

/** The synthetic result with its requests replaced: method and headers decide whether a retry is safe. */
function withRequests(result: RunResult, requests: object[]): RunResult {
  return { ...result, scenario: { ...result.scenario, definition: { ...(result.scenario.definition as object), requests } } };
}

describe('concurrency limit and circuit breaker caps', () => {
  it('are not derived from a run without a knee: the virtual users are not echoed back as a limit', () => {
    // one stage of 4 virtual users: no knee can be read
    const { resilience, capacity } = analyze(syntheticResult({ stageConcurrency: [4] }));
    expect(capacity.knee).toBeUndefined();
    expect(resilience.concurrencyLimit.value).toBeNull();
    expect(resilience.concurrencyLimit.rule).toMatch(/^cannot be derived: the run has no knee/);
    expect(resilience.circuitBreaker).toMatchObject({ maxConcurrent: null, maxPending: null });
    expect(resilience.warnings.join('\n')).toMatch(/no knee was found \(one load level\): a concurrency limit .* cannot be derived/);
    for (const snippet of [
      resilience.snippets.undici,
      resilience.snippets.envoy,
      resilience.snippets.resilience4j,
      resilience.snippets.polly,
    ])
      expect(snippet).toMatch(/no knee/);
    expect(resilience.snippets.envoy).not.toMatch(/max_requests: 4\b/);
    expect(resilience.snippets.undici).not.toMatch(/connections: 4\b/);
  });

  it.each([
    // one stage: one load level shows no knee at all; the run never loaded past anything
    { stages: [4], slo: undefined, reason: 'one load level', knee: undefined },
    // no SLO: both stages are within it, and the knee is the heaviest load the run reached
    { stages: [2, 4], slo: undefined, reason: 'the knee is the heaviest load the run reached', knee: 1 },
  ])('are not derived from a knee the run never loaded past ($stages)', ({ stages, slo, reason, knee }) => {
    const { slo: _slo, ...rest } = syntheticResult({ stageConcurrency: stages });
    const result = slo ? { ...rest, slo } : rest;
    const { resilience, capacity } = analyze(result);
    expect(capacity.knee?.stage).toBe(knee);
    expect(resilience.concurrencyLimit.value).toBeNull();
    expect(resilience.circuitBreaker.maxConcurrent).toBeNull();
    expect(resilience.warnings.join('\n')).toContain(`no knee was found (${reason}`);
  });

  it('are read at the knee when the run has one', () => {
    const { resilience, capacity } = analyze(syntheticResult({ stageConcurrency: [2, 4, 8, 16] }));
    expect(capacity.knee).toBeDefined();
    expect(resilience.concurrencyLimit.value).toBeGreaterThan(0);
    expect(resilience.circuitBreaker.maxConcurrent).toBe(resilience.concurrencyLimit.value);
    expect(resilience.snippets.envoy).toContain(`max_requests: ${resilience.concurrencyLimit.value}`);
  });
});

describe('idempotency decides what is retried', () => {
  it.each([
    { requests: [{ name: 'lookup', method: 'GET', path: '/a' }], retryOnTimeout: true, named: [] },
    { requests: [{ name: 'put', method: 'PUT', path: '/a' }], retryOnTimeout: true, named: [] },
    { requests: [{ name: 'generate', method: 'POST', path: '/v1/generate' }], retryOnTimeout: false, named: ['generate'] },
    {
      requests: [
        { name: 'edit', method: 'PATCH', path: '/a' },
        { name: 'lookup', path: '/b' },
      ],
      retryOnTimeout: false,
      named: ['edit'],
    },
    {
      requests: [{ name: 'generate', method: 'POST', path: '/v1/generate', headers: { 'Idempotency-Key': '{{ uuid }}' } }],
      retryOnTimeout: true,
      named: [],
    },
  ])('$requests.0.method $requests.0.name → retry after a timeout: $retryOnTimeout', ({ requests, retryOnTimeout, named }) => {
    const { resilience } = analyze(withRequests(syntheticResult({ stageConcurrency: [2, 4, 8, 16] }), requests));
    expect(resilience.idempotency.retryOnTimeout).toBe(retryOnTimeout);
    expect(resilience.idempotency.notIdempotent).toEqual(named);
    const said = resilience.warnings.find((w) => w.includes('Idempotency-Key'));
    if (retryOnTimeout) {
      expect(said).toBeUndefined();
      expect(resilience.snippets.envoy).toContain('retry_on: "5xx,reset,connect-failure,refused-stream"');
    } else {
      expect(said).toMatch(
        new RegExp(
          `^${requests[0]!.method} ${named[0]} is not idempotent and carries no Idempotency-Key: the snippets never retry it after a timeout`,
        ),
      );
      expect(resilience.snippets.envoy).toContain('retry_on: "connect-failure,refused-stream,reset-before-request"');
      expect(resilience.snippets.fetch).toContain('const RETRY_AFTER_SEND = false;');
    }
  });
});
