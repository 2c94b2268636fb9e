import { describe, expect, it } from 'vitest';
import { parseThreshold, ThresholdSyntaxError } from '../../src/metrics/grammar/threshold.js';

describe('parseThreshold: accepted forms', () => {
  it.each([
    ['p99 < 800ms', { kind: 'percentile', percentile: 99, metric: 'total' }, '<', 800, 'ms'],
    ['p99.9(ttfb) < 1s', { kind: 'percentile', percentile: 99.9, metric: 'ttfb' }, '<', 1000, 'ms'],
    ['p95(ttft) <= 300ms', { kind: 'percentile', percentile: 95, metric: 'ttft' }, '<=', 300, 'ms'],
    ['p50 > 250us', { kind: 'percentile', percentile: 50, metric: 'total' }, '>', 0.25, 'ms'],
    ['p50 >= 250µs', { kind: 'percentile', percentile: 50, metric: 'total' }, '>=', 0.25, 'ms'],
    ['mean == 20', { kind: 'mean', metric: 'total' }, '==', 20, 'ms'],
    ['avg(service) != 1.5s', { kind: 'mean', metric: 'service' }, '!=', 1500, 'ms'],
    ['max(connect) < 2s', { kind: 'max', metric: 'connect' }, '<', 2000, 'ms'],
    ['min(itl) > 1ms', { kind: 'min', metric: 'itl' }, '>', 1, 'ms'],
    ['error_rate < 1%', { kind: 'error_rate' }, '<', 1, '%'],
    ['error_rate <= 0.01', { kind: 'error_rate' }, '<=', 1, '%'],
    ['status(5xx) < 0.5%', { kind: 'status', status: '5xx' }, '<', 0.5, '%'],
    ['rate(429) < 2%', { kind: 'status', status: '429' }, '<', 2, '%'],
    ['throughput > 200', { kind: 'throughput' }, '>', 200, 'req/s'],
    ['throughput >= 50/s', { kind: 'throughput' }, '>=', 50, 'req/s'],
    ['throughput > 10 rps', { kind: 'throughput' }, '>', 10, 'req/s'],
    ['requests >= 1000', { kind: 'requests' }, '>=', 1000, 'requests'],
  ])('%s', (expression, stat, operator, limit, unit) => {
    const parsed = parseThreshold(expression);
    expect(parsed.stat).toEqual(stat);
    expect(parsed.operator).toBe(operator);
    expect(parsed.limit).toBeCloseTo(limit, 12);
    expect(parsed.unit).toBe(unit);
    expect(parsed.scope).toBeUndefined();
  });

  it('reads a request tag and a stage tag, with spaces anywhere between tokens', () => {
    expect(parseThreshold('p99{request=generate} < 2s').scope).toEqual({ request: 'generate' });
    expect(parseThreshold('  p99 ( ttfb ) { name = generate }  <  2 s ').scope).toEqual({ request: 'generate' });
    expect(parseThreshold('error_rate{stage=steady} < 1%').scope).toEqual({ stage: 'steady' });
  });

  it('reads successful attempts by default, and every attempt with attempts=all, alone or beside a scope', () => {
    expect(parseThreshold('p99 < 2s').attempts).toBe('successful');
    expect(parseThreshold('p99{attempts=all} < 2s')).toMatchObject({ attempts: 'all', scope: undefined });
    expect(parseThreshold('p99{request=generate, attempts=all} < 2s')).toMatchObject({ attempts: 'all', scope: { request: 'generate' } });
  });
});

describe('parseThreshold: malformed forms name the position', () => {
  it.each([
    ['', 0, 'empty expression'],
    ['   ', 3, 'empty expression'],
    ['< 800ms', 0, 'expected a stat'],
    ['p99.9.9 < 1s', 0, 'unknown stat'],
    ['median < 1s', 0, 'unknown stat "median"'],
    ['p0 < 1s', 0, 'percentile must be above 0'],
    ['p100 < 1s', 0, 'percentile must be above 0 and below 100'],
    ['p99(latency) < 1s', 4, 'unknown metric "latency"'],
    ['p99(ttfb < 1s', 9, 'expected ")"'],
    ['p99() < 1s', 4, 'expected a metric name'],
    ['error_rate(total) < 1%', 11, 'takes no "( )" argument'],
    ['status < 1%', 7, 'needs a status or class'],
    ['status(6xx) < 1%', 7, 'expected a status like 429'],
    ['p99{region=eu} < 1s', 4, 'expected "request=", "stage=" or "attempts="'],
    ['p99{request generate} < 1s', 12, 'expected "=" after the tag name'],
    ['p99{request=} < 1s', 12, 'expected a value'],
    ['p99{request=a,stage=b} < 1s', 14, 'one of request or stage per threshold'],
    ['p99{attempts=some} < 1s', 13, 'attempts is "all" or "successful"'],
    ['p99{request=a < 1s', 14, 'expected "}"'],
    ['p99 800ms', 4, 'expected an operator'],
    ['p99', 3, 'expected an operator'],
    ['p99 = 800ms', 4, '"=" is not an operator'],
    ['p99 =< 800ms', 4, '"=" is not an operator'],
    ['p99 <', 5, 'expected a number after the operator'],
    ['p99 < fast', 6, 'expected a number, got "f"'],
    ['p99 < 800xs', 9, 'takes ms, s or us, got "xs"'],
    ['p99 < 80%', 8, 'takes ms, s or us, got "%"'],
    ['error_rate < 1ms', 14, 'a share takes "%"'],
    ['error_rate < 5', 13, 'write 5% if percent was meant'],
    ['error_rate < 120%', 13, 'cannot exceed 100%'],
    ['throughput > 200ms', 16, 'throughput is in requests per second'],
    ['requests > 10%', 13, 'takes no unit'],
    ['p99 < 800ms or so', 12, 'unexpected "or so"'],
  ])('%j fails at column %i+1: %s', (expression, position, reason) => {
    let error: unknown;
    try {
      parseThreshold(expression);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ThresholdSyntaxError);
    const typed = error as ThresholdSyntaxError;
    expect(typed.code).toBe('E_THRESHOLD');
    expect(typed.position).toBe(position);
    expect(typed.message).toContain(reason);
    expect(typed.message).toContain(`at column ${position + 1}`);
  });
});

describe('parseThreshold: flows and async jobs', () => {
  it.each([
    ['p99(flow{name=job}) < 30s', 'flow', 'job', 30_000],
    ['p99(flow){name=job} < 30s', 'flow', 'job', 30_000],
    ['p50(completion{request=submit}) <= 2s', 'completion', 'submit', 2000],
    ['max(flow) < 1m', undefined, undefined, undefined],
  ])('%s', (expression, metric, name, limit) => {
    if (metric === undefined) {
      expect(() => parseThreshold(expression)).toThrow(ThresholdSyntaxError);
      return;
    }
    const parsed = parseThreshold(expression);
    expect(parsed.stat).toMatchObject({ metric });
    expect(parsed.scope).toEqual({ request: name });
    expect(parsed.limit).toBe(limit);
  });

  it('refuses tags both inside and after the parentheses, and a stage scope on a per-run metric', () => {
    expect(() => parseThreshold('p99(flow{name=a}){name=b} < 1s')).toThrow(/inside the parentheses or after them/);
    expect(() => parseThreshold('p99(flow{stage=0}) < 1s')).toThrow(/recorded per run, not per stage/);
  });
});
