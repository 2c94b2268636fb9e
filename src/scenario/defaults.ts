import { availableParallelism } from 'node:os';

/**
 * Worker threads by default: one per core this process may use, less one for the coordinator and the target
 * (load only goes to loopback, so the target always shares the machine), at most 4. On a 2-core machine one
 * worker drives ~85k req/s against nginx; two workers sharing its one free core were measured slower.
 */
export function defaultWorkerCount(cores = availableParallelism()): number {
  return Math.min(4, Math.max(1, cores - 1));
}

/**
 * Every default of a scenario, in one place: the schema applies them and the CLI help quotes them,
 * so the help cannot drift from what runs.
 */
export const DEFAULTS = {
  intervalMs: 1000,
  /** worker threads driving load; the coordinator never sends requests itself (see defaultWorkerCount) */
  workers: defaultWorkerCount(),
  keepAlive: true,
  timeouts: { connectMs: 5_000, firstByteMs: 30_000, totalMs: 60_000, idleMs: 30_000 },
  retries: {
    max: 0,
    backoff: 'exponential' as const,
    baseMs: 100,
    maxBackoffMs: 5_000,
    jitter: 'full' as const,
    respectRetryAfter: true,
    /** a 429 wait longer than this is not waited out; the request fails as rate limited */
    maxRetryAfterMs: 30_000,
    /** which failures are retried: 5xx and 429 statuses, refused connections and resets (timeouts are not) */
    on: ['5xx', '429', 'connect', 'reset'] as const,
  },
  /** open model: requests in flight at once across all workers; arrivals past it are dropped and counted */
  maxInFlight: 10_000,
  serverTiming: { header: 'Server-Timing', metric: 'app', queueMetric: 'queue' },
  /** refresh an OAuth2 token this long before it expires, so no request carries a stale one */
  tokenRefreshMarginMs: 30_000,
  mock: { profile: 'llm-default', seed: 42 },
  requestWeight: 1,
  /** async jobs: a poll step asks this often, and gives up (the job expired) after the timeout */
  poll: { everyMs: 1_000, timeoutMs: 60_000, method: 'GET' as const },
  /** async jobs: the callback URL goes in this JSON body field; no callback after the timeout: expired */
  callback: { field: 'callback_url', timeoutMs: 60_000 },
  stream: 'none' as const,
  method: 'GET',
  /**
   * In-flight requests get this long to finish after the schedule ends (k6's gracefulStop); then they are cut
   * and counted as interrupted. A stop (Ctrl-C) gives them at most STOP_GRACE_MS of it.
   */
  gracefulStopMs: 5_000,
  /** the HTTP client: tailscope's socket-level one */
  engine: 'wire' as const,
  /** where `usage: true` reads completion tokens in a plain JSON response (the OpenAI-style usage report) */
  usagePath: '$.usage.completion_tokens',
  /** a response body past this fails its attempt as too_large: a runaway body must not exhaust memory */
  maxResponseBytes: 8 * 1024 * 1024,
  /**
   * Load sent before time zero and kept apart from the totals: connections opened, JIT and lazy modules warm.
   * On by default for runs shorter than `warmupDefaultBelowMs`, where a cold first second is a large share of
   * the population (a 2 s run's p99 read 60 ms against a 21 ms steady state); longer runs dilute it.
   */
  warmupMs: 2_000,
  warmupDefaultBelowMs: 60_000,
  /** load.search: each probe held this long after its settle; a 5% bracket; five sweep loads below the capacity */
  search: { holdMs: 20_000, precision: 0.05, sweep: 5 },
  /**
   * load.search: the start of each probe kept out of its verdict while the previous load's queue drains or this
   * one's fills — a quarter of the hold, at most this long (queues of a few hundred ms clear well within it)
   */
  searchSettleMaxMs: 2_000,
  /**
   * alerts.yaml: the metric names of the caller's service, in the spelling of the OpenTelemetry / Prometheus
   * HTTP server conventions most exporters follow (a request counter with a status label, a seconds histogram)
   */
  alerts: {
    requests: 'http_requests_total',
    errors: 'code=~"5.."',
    duration: 'http_request_duration_seconds',
    selector: '',
  },
} as const;

/**
 * Hard limits, checked when a scenario is loaded so that a typo cannot hang or exhaust the generator. The load
 * caps are per worker thread and scale with `workers`: one worker's socket-level client was measured at ~50k
 * requests/s on one core with a trivial target, so 20k arrivals/s leaves room for templates, checks and
 * the timers of an open model; 5,000 users per worker keeps its sockets and their buffers well under 1 GB.
 */
export const LIMITS = {
  /** shorter intervals cost more in merging and messages than they tell */
  minIntervalMs: 10,
  /** a scenario is configuration; bulk data belongs in data files */
  maxScenarioBytes: 4 * 1024 * 1024,
  maxRetries: 20,
  usersPerWorker: 5_000,
  arrivalsPerSecPerWorker: 20_000,
} as const;
