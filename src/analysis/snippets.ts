/** The figures a snippet needs, already decided; snippets only render them. */
export interface SnippetValues {
  connectMs: number;
  /** per attempt: the first byte, and the whole attempt */
  firstByteMs: number;
  totalMs: number;
  /** stream idle gap (SSE / WebSocket), when the run measured one */
  idleMs?: number;
  maxRetries: number;
  baseMs: number;
  maxBackoffMs: number;
  budgetRatio: number;
  minRetryConcurrency: number;
  hedgeDelayMs: number;
  /** null when the run had no knee: no limit can be derived, and the snippets set none */
  concurrencyLimit: number | null;
  maxPending: number | null;
  /** the circuit breaker's failure share threshold (0..1) */
  breakerFailureShare: number;
  /**
   * false when a request of the run is not idempotent (POST, PATCH) and carries no Idempotency-Key: timeouts,
   * resets and 5xx are then never retried (the first attempt may have been applied), only failures to connect
   */
  retryOnTimeout: boolean;
  /** figures the run could not measure and that were filled with a stock default: each is marked in the snippet */
  defaults: readonly (keyof Omit<SnippetValues, 'defaults'>)[];
}

const DEFAULT_NOTE = 'default: this run did not measure it';
type Key = SnippetValues['defaults'][number];
const jsMark = (v: SnippetValues, key: Key) => (v.defaults.includes(key) ? ` // ${DEFAULT_NOTE}` : '');
const hashMark = (v: SnippetValues, key: Key) => (v.defaults.includes(key) ? `  # ${DEFAULT_NOTE}` : '');

const int = (ms: number) => Math.max(1, Math.ceil(ms));
/** Envoy (proto3 JSON Duration) and Spring read durations with a unit; Envoy's is seconds with a fraction. */
const envoySeconds = (ms: number) => `${Number((Math.max(ms, 1) / 1000).toFixed(3))}s`;
const springDuration = (ms: number) => `${int(ms)}ms`;

/**
 * The whole call's deadline: every attempt at its per-attempt timeout plus the longest backoff before each
 * retry. Strictly longer than one attempt whenever a retry is allowed, so a retry can still happen after a
 * per-attempt timeout (Envoy's route `timeout` equal to `per_try_timeout` leaves no time for one).
 */
export function callDeadlineMs(v: Pick<SnippetValues, 'totalMs' | 'maxRetries' | 'baseMs' | 'maxBackoffMs'>): number {
  let backoffMs = 0;
  for (let retry = 0; retry < v.maxRetries; retry++) backoffMs += Math.min(v.maxBackoffMs, v.baseMs * 2 ** retry);
  return int(v.totalMs * (v.maxRetries + 1) + backoffMs);
}

/**
 * undici arms `headersTimeout` and `bodyTimeout` on its low-resolution timer: undici's lib/util/timers.js says
 * it has "an accuracy target of within 500ms" and is meant "for timers with delays of 1 second or more" (the
 * fast timer ticks every 500 ms and a timeout fires on the first tick past its deadline). A 52 ms bodyTimeout
 * would fire anywhere up to ~0.5–1 s late, so values under a second are rounded up to one second and the exact
 * bound is enforced by an AbortSignal.timeout, which uses Node's own timers.
 */
export const UNDICI_TIMER_FLOOR_MS = 1000;

function undiciTimer(ms: number): { value: number; note: string } {
  const value = int(ms);
  if (value >= UNDICI_TIMER_FLOOR_MS) return { value, note: '' };
  return {
    value: UNDICI_TIMER_FLOOR_MS,
    note: ` // ${value} ms advised; undici's coarse timer would fire it up to ~1 s late, so 1 s here and AbortSignal.timeout below enforces it`,
  };
}

/** The retry decision both JS snippets share, with the idempotency rule written into it. */
function jsRetryRules(v: SnippetValues): string {
  const onTimeout = v.retryOnTimeout
    ? `// Timeouts, resets and 5xx are retried: the requests are idempotent (or carry an Idempotency-Key).
const RETRY_AFTER_SEND = true;`
    : `// A request here is not idempotent (POST/PATCH) and carries no Idempotency-Key: after it was sent, a timeout,
// reset or 5xx may mean it was applied, and a retry would apply it twice. Only failures to connect (nothing was
// sent) are retried. Send an Idempotency-Key the server deduplicates by, then set this to true.
const RETRY_AFTER_SEND = false;`;
  return `const ATTEMPT_TIMEOUT_MS = ${int(v.totalMs)};${jsMark(v, 'totalMs')}
// The whole call, retries and backoff included: longer than one attempt, so a retry fits after a timeout.
const CALL_TIMEOUT_MS = ${callDeadlineMs(v)};
const MAX_RETRIES = ${v.maxRetries};
${onTimeout}

// Retry budget: retries may add at most ${(v.budgetRatio * 100).toFixed(0)}% of calls, plus a small floor of tokens.
const budget = { tokens: 10, perCall: ${v.budgetRatio}, max: 100 };

function notSent(error) {
  const code = error?.cause?.code ?? error?.code;
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ENOTFOUND';
}

function mayRetry(attempt, failure) {
  if (attempt >= MAX_RETRIES || budget.tokens < 1) return false;
  return failure === 'not-sent' || RETRY_AFTER_SEND;
}

// Exponential backoff with full jitter: uniform in [0, min(cap, base·2^attempt)].
function backoff(attempt) {
  const capMs = Math.min(${int(v.maxBackoffMs)}, ${int(v.baseMs)} * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * capMs));
}`;
}

/** Global fetch (Node ≥ 20.3, browsers): AbortSignal.timeout per attempt, AbortSignal.any joins the call's deadline. */
export function fetchSnippet(v: SnippetValues): string {
  return `${jsRetryRules(v)}

export async function call(url, init = {}) {
  const deadline = AbortSignal.timeout(CALL_TIMEOUT_MS);
  const callSignal = init.signal ? AbortSignal.any([deadline, init.signal]) : deadline;
  budget.tokens = Math.min(budget.tokens + budget.perCall, budget.max);
  for (let attempt = 0; ; attempt++) {
    const signal = AbortSignal.any([callSignal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]);
    try {
      const response = await fetch(url, { ...init, signal });
      if (response.status < 500 || !mayRetry(attempt, 'sent')) return response;
      await response.body?.cancel();
    } catch (error) {
      // the call's own deadline, or the caller's abort: never retried
      if (callSignal.aborted) throw error;
      if (!mayRetry(attempt, notSent(error) ? 'not-sent' : 'sent')) throw error;
    }
    budget.tokens -= 1;
    await backoff(attempt);
  }
}
`;
}

/** undici's Agent (connect / header / body timeouts on the connection pool) and its request(). */
export function undiciSnippet(v: SnippetValues): string {
  const headers = undiciTimer(v.firstByteMs);
  const body = undiciTimer(v.idleMs ?? v.totalMs);
  const bodyKey: Key = v.idleMs === undefined ? 'totalMs' : 'idleMs';
  const connections =
    v.concurrencyLimit === null
      ? `  // no connection cap: the run found no knee, so no concurrency limit can be derived from it`
      : `  connections: ${v.concurrencyLimit}, // in flight past the knee only queues`;
  return `import { Agent, request } from 'undici';

// undici checks headersTimeout and bodyTimeout on a coarse timer (~0.5 s ticks): under a second they fire late.
const agent = new Agent({
  connect: { timeout: ${int(v.connectMs)} },${jsMark(v, 'connectMs')}
  headersTimeout: ${headers.value},${headers.note || jsMark(v, 'firstByteMs')}
  bodyTimeout: ${body.value},${body.note || jsMark(v, bodyKey)}
${connections}
});

${jsRetryRules(v)}

export async function call(url, options = {}) {
  const callSignal = AbortSignal.timeout(CALL_TIMEOUT_MS);
  budget.tokens = Math.min(budget.tokens + budget.perCall, budget.max);
  for (let attempt = 0; ; attempt++) {
    const signal = AbortSignal.any([callSignal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]);
    try {
      const response = await request(url, { ...options, dispatcher: agent, signal });
      if (response.statusCode < 500 || !mayRetry(attempt, 'sent')) return response;
      await response.body.dump();
    } catch (error) {
      if (callSignal.aborted) throw error;
      if (!mayRetry(attempt, notSent(error) ? 'not-sent' : 'sent')) throw error;
    }
    budget.tokens -= 1;
    await backoff(attempt);
  }
}
`;
}

/**
 * Envoy's retry_on conditions: with idempotent requests, 5xx (which covers a per-try timeout, answered as 504)
 * and resets; otherwise only conditions where the request never reached the application.
 */
export function envoyRetryOn(retryOnTimeout: boolean): string {
  return retryOnTimeout ? '5xx,reset,connect-failure,refused-stream' : 'connect-failure,refused-stream,reset-before-request';
}

/** Envoy route and cluster configuration (YAML) with the same figures. */
export function envoySnippet(v: SnippetValues): string {
  const perTry = v.maxRetries > 0;
  const limits =
    v.concurrencyLimit === null
      ? `        # no max_connections / max_requests / max_pending_requests: the run found no knee, so no limit
        # can be derived from it (Envoy's defaults, 1024 each, stay)`
      : `        max_connections: ${v.concurrencyLimit}
        max_requests: ${v.concurrencyLimit}
        max_pending_requests: ${v.maxPending ?? v.concurrencyLimit}`;
  return `# route (inside a virtual host)
- match: { prefix: "/" }
  route:
    cluster: api
    # the whole call, every try and backoff included: longer than per_try_timeout so a retry can happen
    timeout: ${envoySeconds(perTry ? callDeadlineMs(v) : v.totalMs)}${hashMark(v, 'totalMs')}
${v.idleMs !== undefined ? `    idle_timeout: ${envoySeconds(v.idleMs)}  # stream: longest gap between tokens\n` : ''}    retry_policy:
      # ${v.retryOnTimeout ? 'idempotent requests: a timed-out try (504), a 5xx or a reset is retried' : 'not idempotent (POST/PATCH) without an Idempotency-Key: retried only where nothing reached the application'}
      retry_on: "${envoyRetryOn(v.retryOnTimeout)}"
      num_retries: ${v.maxRetries}
${perTry ? `      per_try_timeout: ${envoySeconds(v.totalMs)}${hashMark(v, 'totalMs')}\n` : ''}      retry_back_off: { base_interval: ${envoySeconds(v.baseMs)}, max_interval: ${envoySeconds(v.maxBackoffMs)} }
    # Hedging instead: Envoy hedges on the per-try timeout, so set per_try_timeout to the hedge delay
    # (${envoySeconds(v.hedgeDelayMs)}, the p95) with hedge_policy: { hedge_on_per_try_timeout: true }

# cluster
- name: api
  connect_timeout: ${envoySeconds(v.connectMs)}${hashMark(v, 'connectMs')}
  circuit_breakers:
    thresholds:
      - priority: DEFAULT
${limits}
        retry_budget:
          budget_percent: { value: ${(v.budgetRatio * 100).toFixed(1)} }
          min_retry_concurrency: ${v.minRetryConcurrency}
`;
}

/**
 * resilience4j (JVM) as Spring Boot application.yml: a time limiter per attempt, retry with exponential
 * randomized backoff, a count-based circuit breaker, and a bulkhead only where a knee gives its size.
 */
export function resilience4jSnippet(v: SnippetValues): string {
  const bulkhead =
    v.concurrencyLimit === null
      ? `  # no bulkhead: the run found no knee, so no concurrency limit can be derived from it`
      : `  bulkhead:
    instances:
      api:
        maxConcurrentCalls: ${v.concurrencyLimit}
        maxWaitDuration: 0ms`;
  const retryOn = v.retryOnTimeout
    ? `        retryExceptions:
          - java.io.IOException
          - java.util.concurrent.TimeoutException`
    : `        # not idempotent (POST/PATCH) without an Idempotency-Key: only a refused connection is retried
        retryExceptions:
          - java.net.ConnectException
        ignoreExceptions:
          - java.util.concurrent.TimeoutException`;
  return `resilience4j:
  timelimiter:
    instances:
      api:
        timeoutDuration: ${springDuration(v.totalMs)}${hashMark(v, 'totalMs')}
        cancelRunningFuture: true
  retry:
    instances:
      api:
        maxAttempts: ${v.maxRetries + 1}  # the first call included
        waitDuration: ${springDuration(v.baseMs)}
        enableExponentialBackoff: true
        exponentialBackoffMultiplier: 2
        exponentialMaxWaitDuration: ${springDuration(v.maxBackoffMs)}
        enableRandomizedWait: true
        randomizedWaitFactor: 0.5
${retryOn}
  circuitbreaker:
    instances:
      api:
        slidingWindowType: COUNT_BASED
        slidingWindowSize: 100
        minimumNumberOfCalls: 20
        failureRateThreshold: ${Number((v.breakerFailureShare * 100).toFixed(1))}
        waitDurationInOpenState: 10s
        permittedNumberOfCallsInHalfOpenState: 5
${bulkhead}
`;
}

const timeSpan = (ms: number) => `TimeSpan.FromMilliseconds(${int(ms)})`;

/** Polly v8 (.NET): a resilience pipeline, outermost first: the call deadline, retry, breaker, per-attempt timeout. */
export function pollySnippet(v: SnippetValues): string {
  const handle = v.retryOnTimeout
    ? `            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(response => (int)response.StatusCode >= 500),`
    : `            // not idempotent (POST/PATCH) without an Idempotency-Key: only a failed connection is retried
            .Handle<HttpRequestException>(e => e.HttpRequestError == HttpRequestError.ConnectionError),`;
  const limiter =
    v.concurrencyLimit === null
      ? `    // no concurrency limiter: the run found no knee, so no limit can be derived from it\n`
      : `    .AddConcurrencyLimiter(permitLimit: ${v.concurrencyLimit}, queueLimit: 0)\n`;
  return `using System.Net.Http;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
    .AddTimeout(${timeSpan(callDeadlineMs(v))})
${limiter}    .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
    {
        MaxRetryAttempts = ${v.maxRetries},
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = ${timeSpan(v.baseMs)},
        MaxDelay = ${timeSpan(v.maxBackoffMs)},
        ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
${handle}
    })
    .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
    {
        FailureRatio = ${Number(v.breakerFailureShare.toFixed(3))},
        MinimumThroughput = 20,
        SamplingDuration = TimeSpan.FromSeconds(10),
        BreakDuration = TimeSpan.FromSeconds(10),
    })
    .AddTimeout(${timeSpan(v.totalMs)})
    .Build();
`;
}
