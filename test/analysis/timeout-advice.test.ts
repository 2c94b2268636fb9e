import { describe, expect, it } from 'vitest';
import { distinctLevels, timeoutAdviceOf } from '../../src/analysis/timeouts.js';
import { runConfigOf } from '../../src/analysis/run-config.js';
import type { LoadLevelRef } from '../../src/analysis/types.js';
import type { RunResult } from '../../src/result/types.js';
import { syntheticResult } from '../report/fixture.js';
import { encodeMs, lognormalMs } from './helpers.js';

const level = (name: LoadLevelRef['level'], stage: number): LoadLevelRef => ({
  level: name,
  stage,
  name: `s${stage}`,
  target: stage + 1,
  throughput: 10,
});

describe('load levels: a row only for each level the run has', () => {
  it.each([
    { levels: [level('light', 0), level('nominal', 0), level('knee', 0)], rows: [['knee', ['light', 'nominal']]] },
    {
      levels: [level('light', 0), level('nominal', 0), level('knee', 1)],
      rows: [
        ['nominal', ['light']],
        ['knee', undefined],
      ],
    },
    {
      levels: [level('light', 0), level('nominal', 1), level('knee', 1)],
      rows: [
        ['light', undefined],
        ['knee', ['nominal']],
      ],
    },
    {
      levels: [level('light', 0), level('nominal', 1), level('knee', 2)],
      rows: [
        ['light', undefined],
        ['nominal', undefined],
        ['knee', undefined],
      ],
    },
    { levels: [], rows: [] },
  ])('$levels.length levels over distinct stages → $rows.length rows', ({ levels, rows }) => {
    expect(distinctLevels(levels).map((l) => [l.level, l.sameAs])).toEqual(rows);
  });

  it('shows one row for a one-stage run, read over the whole run', () => {
    const result = syntheticResult({ stageConcurrency: [4] });
    const one = level('light', 0);
    const advice = timeoutAdviceOf(result, [one, { ...one, level: 'nominal' }, { ...one, level: 'knee' }]);
    expect(advice.byLoadLevel).toHaveLength(1);
    expect(advice.basis).toEqual({ level: 'whole-run' });
  });
});

describe('the run configuration read back from the scenario as run', () => {
  it.each([
    { client: undefined, expected: { connectMs: 5000, firstByteMs: 30_000, totalMs: 60_000, idleMs: 30_000 } },
    {
      client: { timeouts: { firstByte: '300ms', total: '2s' } },
      expected: { connectMs: 5000, firstByteMs: 300, totalMs: 2000, idleMs: 30_000 },
    },
    // an unresolved ${VAR} in a hand-edited result: the default, which is what a missing field meant
    {
      client: { timeouts: { connect: '${CONNECT}', idle: 1500 } },
      expected: { connectMs: 5000, firstByteMs: 30_000, totalMs: 60_000, idleMs: 1500 },
    },
  ])('timeouts of $client', ({ client, expected }) => {
    expect(runConfigOf({ client }).timeouts).toEqual(expected);
  });

  it('reads each request’s method, transport and Idempotency-Key', () => {
    const config = runConfigOf({
      requests: [
        { name: 'a', path: '/a' },
        { name: 'b', method: 'POST', path: '/b', stream: 'sse' },
        { name: 'c', method: 'PATCH', path: '/c', stream: 'ws', headers: { 'idempotency-key': '{{ uuid }}' } },
      ],
    });
    expect(config.requests).toEqual([
      { name: 'a', method: 'GET', transport: 'plain', idempotencyKey: false },
      { name: 'b', method: 'POST', transport: 'sse', idempotencyKey: false },
      { name: 'c', method: 'PATCH', transport: 'ws', idempotencyKey: true },
    ]);
  });
});

describe('advice per request name and transport', () => {
  /** Two requests, a plain GET and a streamed POST with first-token and idle times, with a 300 ms first byte. */
  function twoRequests(): RunResult {
    const base = syntheticResult({ stageConcurrency: [4] });
    const plain = lognormalMs(20_000, 20, 80, 1);
    const ttfb = lognormalMs(20_000, 150, 350, 2);
    const recordedTtfb = ttfb.filter((v) => v <= 300);
    const cut = ttfb.length - recordedTtfb.length;
    const summary = base.requestsByName.generate!;
    return {
      ...base,
      scenario: {
        ...base.scenario,
        definition: {
          client: { timeouts: { firstByte: '300ms' } },
          requests: [
            { name: 'lookup', method: 'GET', path: '/v1/jobs/1' },
            { name: 'generate', method: 'POST', path: '/v1/generate', stream: 'sse' },
          ],
        },
      },
      requestsByName: {
        lookup: {
          ...summary,
          name: 'lookup',
          requests: 20_000,
          errorsByKind: { total: 0, byKind: {}, byStatus: {} },
          histograms: { total: encodeMs(plain), ttfb: encodeMs(plain) },
        },
        generate: {
          ...summary,
          name: 'generate',
          requests: ttfb.length,
          errorsByKind: { total: cut, byKind: { timeout_first_byte: cut }, byStatus: {} },
          histograms: {
            ttfb: encodeMs(recordedTtfb),
            total: encodeMs(recordedTtfb.map((v) => v + 400)),
            ttft: encodeMs(recordedTtfb.map((v) => v + 5)),
            itl: encodeMs(lognormalMs(40_000, 25, 60, 3)),
          },
        },
      },
    };
  }
  const advice = timeoutAdviceOf(twoRequests(), [level('knee', 0)]);
  const lookup = advice.byRequest.find((r) => r.name === 'lookup')!;
  const generate = advice.byRequest.find((r) => r.name === 'generate')!;

  it('gives each request its own phases: stream phases only for the streamed one', () => {
    expect(lookup.transport).toBe('plain');
    expect(lookup.recommended.map((c) => c.phase)).toEqual(['firstByte', 'total']);
    expect(generate.transport).toBe('sse');
    expect(generate.recommended.map((c) => c.phase)).toEqual(['firstByte', 'total', 'firstToken', 'idle']);
  });

  it('reads each from its own data: the censored request is a floor above 300 ms, the other is not', () => {
    const firstByte = generate.recommended.find((c) => c.phase === 'firstByte')!;
    expect(firstByte.lowerBound).toBe(true);
    expect(firstByte.timeoutMs).toBeGreaterThan(300);
    expect(firstByte.rerun?.timeoutMs).toBe(1200);
    expect(generate.recommended.find((c) => c.phase === 'firstToken')!.lowerBound).toBe(true);
    expect(generate.recommended.find((c) => c.phase === 'idle')!.censored).toBeUndefined();
    expect(lookup.recommended.every((c) => !c.censored && !c.lowerBound)).toBe(true);
    expect(lookup.recommended.find((c) => c.phase === 'firstByte')!.timeoutMs).toBeLessThan(300);
  });

  it('says a POST is not retried after a timeout without an Idempotency-Key', () => {
    expect(lookup.retryOnTimeout).toBe(true);
    expect(generate.retryOnTimeout).toBe(false);
    expect(generate.warnings.at(-1)).toMatch(/POST is not idempotent: do not retry it after a timeout .* Idempotency-Key/);
  });
});

describe('stream phases are censored only by the streams’ own timeouts', () => {
  it('leaves whole-run first-token times uncensored when only the plain requests timed out', () => {
    const base = syntheticResult({ stageConcurrency: [4], streaming: true });
    const cut = { total: 50, byKind: { timeout_first_byte: 50 }, byStatus: {} };
    const none = { total: 0, byKind: {}, byStatus: {} };
    const summary = base.requestsByName.generate!;
    const result: RunResult = {
      ...base,
      scenario: {
        ...base.scenario,
        definition: {
          client: { timeouts: { firstByte: '300ms' } },
          requests: [
            { name: 'lookup', path: '/a' },
            { name: 'generate', method: 'POST', path: '/v1/generate', stream: 'sse' },
          ],
        },
      },
      totals: { ...base.totals, errorsByKind: cut },
      requestsByName: {
        lookup: { ...summary, name: 'lookup', errorsByKind: cut },
        generate: { ...summary, name: 'generate', errorsByKind: none },
      },
    };
    const advice = timeoutAdviceOf(result, [level('knee', 0)]);
    expect(advice.recommended.find((c) => c.phase === 'firstByte')!.censored?.cutCount).toBe(50);
    expect(advice.recommended.find((c) => c.phase === 'firstToken')!.censored).toBeUndefined();
    expect(advice.recommended.find((c) => c.phase === 'idle')!.censored).toBeUndefined();
  });
});
