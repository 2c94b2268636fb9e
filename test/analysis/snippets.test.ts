import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transformSync } from 'esbuild';
import ts from 'typescript';
import { parse } from 'yaml';
import {
  callDeadlineMs,
  envoySnippet,
  fetchSnippet,
  pollySnippet,
  resilience4jSnippet,
  undiciSnippet,
  type SnippetValues,
} from '../../src/analysis/snippets.js';
import { Cluster, RETRY_ON, Route, check, durationSeconds } from './envoy-schema.js';

const BASE: SnippetValues = {
  connectMs: 1000,
  firstByteMs: 380,
  totalMs: 520,
  idleMs: 52,
  maxRetries: 2,
  baseMs: 25,
  maxBackoffMs: 200,
  budgetRatio: 0.1,
  minRetryConcurrency: 3,
  hedgeDelayMs: 90,
  concurrencyLimit: 12,
  maxPending: 12,
  breakerFailureShare: 0.14,
  retryOnTimeout: true,
  defaults: [],
};

/** The cases every snippet is checked under: each flag that changes what a snippet says. */
const CASES: { name: string; values: SnippetValues }[] = [
  { name: 'idempotent, knee, sub-second stream idle', values: BASE },
  { name: 'POST without an Idempotency-Key', values: { ...BASE, retryOnTimeout: false } },
  { name: 'no knee', values: { ...BASE, concurrencyLimit: null, maxPending: null } },
  { name: 'no retries (hopeless failure share)', values: { ...BASE, maxRetries: 0 } },
  {
    name: 'plain requests, second-scale timeouts',
    values: (({ idleMs: _idle, ...v }) => ({ ...v, firstByteMs: 2500, totalMs: 4000 }))(BASE),
  },
  { name: 'stock defaults', values: { ...BASE, defaults: ['connectMs', 'totalMs'] } },
];

describe.each(CASES)('snippets for $name', ({ values }) => {
  it('compiles the JS snippets (TypeScript parser and esbuild)', () => {
    for (const code of [undiciSnippet(values), fetchSnippet(values)]) {
      const out = ts.transpileModule(code, {
        reportDiagnostics: true,
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, allowJs: true },
        fileName: 'snippet.mjs',
      });
      expect(out.diagnostics?.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')) ?? []).toEqual([]);
      expect(() => transformSync(code, { loader: 'js', format: 'esm' })).not.toThrow();
    }
  });

  it('never gives undici a sub-second header or body timeout, and says why', () => {
    const code = undiciSnippet(values);
    const headers = Number(/headersTimeout: (\d+)/.exec(code)![1]);
    const body = Number(/bodyTimeout: (\d+)/.exec(code)![1]);
    expect(headers).toBeGreaterThanOrEqual(1000);
    expect(body).toBeGreaterThanOrEqual(1000);
    if ((values.idleMs ?? values.totalMs) < 1000)
      expect(code).toMatch(/bodyTimeout: 1000, \/\/ 52 ms advised; undici's coarse timer would fire it up to ~1 s late/);
    else expect(body).toBe(values.totalMs);
    // the exact per-attempt bound is an AbortSignal (Node's own timer), joined with the call's deadline
    expect(code).toContain(`const ATTEMPT_TIMEOUT_MS = ${values.totalMs};`);
    expect(code).toContain('AbortSignal.any([callSignal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)])');
  });

  it('validates the Envoy YAML against the fields and types of Envoy’s Route, RetryPolicy and Cluster', () => {
    const [route, cluster] = parse(envoySnippet(values)) as [Record<string, unknown>, Record<string, unknown>];
    expect([
      ...check(route, { kind: 'message', message: Route }, 'route'),
      ...check(cluster, { kind: 'message', message: Cluster }, 'cluster'),
    ]).toEqual([]);
    const action = route.route as { timeout: string; retry_policy: { retry_on: string; num_retries: number; per_try_timeout?: string } };
    const policy = action.retry_policy;
    for (const condition of policy.retry_on.split(',')) expect(RETRY_ON).toContain(condition);
    expect(policy.num_retries).toBe(values.maxRetries);
    if (values.maxRetries > 0) {
      // strictly shorter than the route timeout, or no retry could ever follow a per-try timeout
      expect(durationSeconds(policy.per_try_timeout!)).toBeLessThan(durationSeconds(action.timeout));
      expect(durationSeconds(action.timeout)).toBeCloseTo(callDeadlineMs(values) / 1000, 3);
    } else expect(policy.per_try_timeout).toBeUndefined();
    if (!values.retryOnTimeout) {
      // no condition that fires after the request reached the application: 5xx covers a per-try timeout (504)
      expect(policy.retry_on.split(',')).not.toContain('5xx');
      expect(policy.retry_on.split(',')).not.toContain('reset');
      expect(policy.retry_on.split(',')).not.toContain('gateway-error');
    }
    const thresholds = (cluster.circuit_breakers as { thresholds: Record<string, unknown>[] }).thresholds[0]!;
    expect(thresholds.retry_budget).toEqual({
      budget_percent: { value: values.budgetRatio * 100 },
      min_retry_concurrency: values.minRetryConcurrency,
    });
    if (values.concurrencyLimit === null) {
      expect(thresholds).not.toHaveProperty('max_requests');
      expect(envoySnippet(values)).toMatch(/the run found no knee, so no limit\s+# can be derived/);
    } else expect(thresholds.max_requests).toBe(values.concurrencyLimit);
  });

  it('parses the resilience4j block as Spring Boot YAML with resilience4j’s property names and units', () => {
    const config = parse(resilience4jSnippet(values)) as { resilience4j: Record<string, { instances: { api: Record<string, unknown> } }> };
    const known: Record<string, string[]> = {
      timelimiter: ['timeoutDuration', 'cancelRunningFuture'],
      retry: [
        'maxAttempts',
        'waitDuration',
        'enableExponentialBackoff',
        'exponentialBackoffMultiplier',
        'exponentialMaxWaitDuration',
        'enableRandomizedWait',
        'randomizedWaitFactor',
        'retryExceptions',
        'ignoreExceptions',
      ],
      circuitbreaker: [
        'slidingWindowType',
        'slidingWindowSize',
        'minimumNumberOfCalls',
        'failureRateThreshold',
        'waitDurationInOpenState',
        'permittedNumberOfCallsInHalfOpenState',
      ],
      bulkhead: ['maxConcurrentCalls', 'maxWaitDuration'],
    };
    const sections = config.resilience4j;
    for (const [section, body] of Object.entries(sections)) {
      expect(Object.keys(known)).toContain(section);
      for (const key of Object.keys(body.instances.api)) expect(known[section]).toContain(key);
    }
    const duration = /^\d+(ms|s)$/;
    expect(sections.timelimiter!.instances.api.timeoutDuration).toMatch(duration);
    expect(sections.retry!.instances.api.waitDuration).toMatch(duration);
    expect(sections.retry!.instances.api.maxAttempts).toBe(values.maxRetries + 1);
    const factor = sections.retry!.instances.api.randomizedWaitFactor as number;
    expect(factor >= 0 && factor < 1).toBe(true);
    const rate = sections.circuitbreaker!.instances.api.failureRateThreshold as number;
    expect(rate > 0 && rate <= 100).toBe(true);
    expect(Boolean(sections.bulkhead)).toBe(values.concurrencyLimit !== null);
    const retried = sections.retry!.instances.api.retryExceptions as string[];
    if (!values.retryOnTimeout) {
      expect(retried).toEqual(['java.net.ConnectException']);
      expect(sections.retry!.instances.api.ignoreExceptions).toContain('java.util.concurrent.TimeoutException');
    } else expect(retried).toContain('java.util.concurrent.TimeoutException');
  });

  it('checks the Polly block’s structure: balanced, one statement, Polly v8 builder methods and option names', () => {
    const code = pollySnippet(values);
    const body = stripCSharpComments(code);
    expect(balanced(body)).toBe(true);
    const statements = body
      .split('\n')
      .filter((line) => !line.startsWith('using '))
      .join('\n')
      .trim();
    expect(statements).toMatch(/^var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>\(\)[\s\S]*\.Build\(\);$/);
    expect(statements.split(';').filter((s) => s.trim())).toHaveLength(1);
    const methods = [...body.matchAll(/\.\s*(Add\w+|Build)\(/g)].map((m) => m[1]);
    for (const m of methods) expect(['AddTimeout', 'AddRetry', 'AddCircuitBreaker', 'AddConcurrencyLimiter', 'Build']).toContain(m);
    const options = [...body.matchAll(/^\s+(\w+) = /gm)].map((m) => m[1]);
    for (const o of options)
      expect([
        'MaxRetryAttempts',
        'BackoffType',
        'UseJitter',
        'Delay',
        'MaxDelay',
        'ShouldHandle',
        'FailureRatio',
        'MinimumThroughput',
        'SamplingDuration',
        'BreakDuration',
      ]).toContain(o);
    expect(body).toContain(`MaxRetryAttempts = ${values.maxRetries},`);
    // the outer timeout (the call) is longer than the inner one (an attempt)
    const timeouts = [...body.matchAll(/AddTimeout\(TimeSpan\.FromMilliseconds\((\d+)\)\)/g)].map((m) => Number(m[1]));
    expect(timeouts).toEqual([callDeadlineMs(values), values.totalMs]);
    expect(body.includes('TimeoutRejectedException')).toBe(values.retryOnTimeout);
    expect(body.includes('AddConcurrencyLimiter')).toBe(values.concurrencyLimit !== null);
  });
});

function stripCSharpComments(code: string): string {
  return code.replace(/\/\/[^\n]*/g, '');
}

function balanced(code: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (const ch of code.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ('([{'.includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0;
}

describe('callDeadlineMs: the whole call fits every try and the longest backoffs', () => {
  it.each([
    { totalMs: 500, maxRetries: 0, baseMs: 25, maxBackoffMs: 200, expected: 500 },
    { totalMs: 500, maxRetries: 2, baseMs: 25, maxBackoffMs: 200, expected: 1500 + 25 + 50 },
    { totalMs: 100, maxRetries: 3, baseMs: 100, maxBackoffMs: 150, expected: 400 + 100 + 150 + 150 },
  ])('$maxRetries retries of $totalMs ms → $expected ms', ({ expected, ...v }) => expect(callDeadlineMs(v)).toBe(expected));
});

/**
 * The fetch snippet run for real against a local server: it is code a reader pastes, so what it does after a
 * 5xx and after a per-attempt timeout is checked, not only that it parses.
 */
describe('the fetch snippet, run', () => {
  let server: Server;
  let url: string;
  let hits = 0;
  /** what the next responses do, in order: a status, or 'hang' (answered after 2 s) */
  let script: (number | 'hang')[] = [];
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      const step = script.shift() ?? 200;
      if (step === 'hang') setTimeout(() => res.end('late'), 2000).unref();
      else res.writeHead(step).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function load(values: SnippetValues): Promise<(url: string, init?: RequestInit) => Promise<Response>> {
    const dir = mkdtempSync(join(tmpdir(), 'tailscope-snippet-'));
    const file = join(dir, 'call.mjs');
    writeFileSync(file, fetchSnippet(values));
    return ((await import(pathToFileURL(file).href)) as { call: (url: string, init?: RequestInit) => Promise<Response> }).call;
  }
  const fast = { ...BASE, totalMs: 150, baseMs: 1, maxBackoffMs: 2 };

  it.each([
    { name: 'retries a 503 when idempotent', values: fast, steps: [503], status: 200, hits: 2 },
    {
      name: 'does not retry a 503 for a POST without an Idempotency-Key',
      values: { ...fast, retryOnTimeout: false },
      steps: [503],
      status: 503,
      hits: 1,
    },
    { name: 'retries after a per-attempt timeout when idempotent', values: fast, steps: ['hang'], status: 200, hits: 2 },
    {
      name: 'does not retry after a timeout for a POST without an Idempotency-Key',
      values: { ...fast, retryOnTimeout: false },
      steps: ['hang'],
      status: 'TimeoutError',
      hits: 1,
    },
    { name: 'gives up after its retries', values: fast, steps: [500, 500, 500, 200], status: 500, hits: 3 },
  ] as const)('$name', async ({ values, steps, status, hits: expectedHits }) => {
    const call = await load(values);
    script = [...steps];
    hits = 0;
    const outcome = await call(url).then(
      (response) => response.status,
      (error: Error) => error.name,
    );
    expect(outcome).toBe(status);
    expect(hits).toBe(expectedHits);
  });
});
