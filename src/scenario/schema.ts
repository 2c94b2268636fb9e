import { z } from 'zod';
import { DEFAULTS, LIMITS } from './defaults.js';
import { headerNameProblem, headerValueProblem, pathProblem } from '../shared/http-syntax.js';
import { byteSize, durationMs, ratio } from '../shared/zod-units.js';
import { parseThreshold, ThresholdSyntaxError } from '../metrics/grammar/threshold.js';
import { parseCompareRule, CompareRuleError } from '../metrics/grammar/compare-rule.js';
import { compileJsonPath, JsonPathSyntaxError } from '../shared/json-path.js';
import { checkSchema } from './check-schema.js';

const duration = durationMs;

const positiveInt = z.number().int().positive();

/** A string refused with the reason `problem` gives, if it gives one. */
function checkedString(problem: (value: string) => string | undefined, base = z.string()) {
  return base.superRefine((value, ctx) => {
    const reason = problem(value);
    if (reason) ctx.addIssue({ code: 'custom', message: reason });
  });
}

/** Header names and values as they will go on the wire: each bad one reported at its own key. */
const headers = z.record(z.string(), z.string()).superRefine((record, ctx) => {
  for (const [name, value] of Object.entries(record)) {
    const reason = headerNameProblem(name) ?? headerValueProblem(value);
    if (reason) ctx.addIssue({ code: 'custom', path: [name], message: reason });
  }
});
const nonNegativeInt = z.number().int().nonnegative();

const mockTarget = z.strictObject({
  /** a built-in profile name, a profile file (relative to the scenario), or a profile written inline */
  profile: z.union([z.string(), z.record(z.string(), z.unknown())]).default(DEFAULTS.mock.profile),
  seed: z.number().int().default(DEFAULTS.mock.seed),
  /** one-way network delay added by the mock's delaying proxy, for rehearsing the network/service split */
  networkDelay: duration.optional(),
  networkJitter: duration.optional(),
});

const target = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).optional(),
    mock: mockTarget.optional(),
  })
  .refine((t) => (t.url === undefined) !== (t.mock === undefined), {
    message: 'give exactly one of target.url or target.mock',
  });

const oauth2 = z.strictObject({
  tokenUrl: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scope: z.string().optional(),
  /** send the client credentials in the form body (default) or as HTTP Basic */
  clientAuth: z.enum(['body', 'basic']).default('body'),
  refreshMargin: duration.default(DEFAULTS.tokenRefreshMarginMs),
});

const auth = z
  .strictObject({
    oauth2: oauth2.optional(),
    header: z
      .strictObject({ name: checkedString(headerNameProblem, z.string().min(1)), value: checkedString(headerValueProblem) })
      .optional(),
  })
  .refine((a) => !(a.oauth2 && a.header), { message: 'give either auth.oauth2 or auth.header, not both' });

/** A JSONPath into a JSON response body, compiled now so a bad one is refused with its column (shared/json-path.ts). */
const jsonPath = z.string().superRefine((text, ctx) => {
  try {
    compileJsonPath(text);
  } catch (error) {
    if (!(error instanceof JsonPathSyntaxError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});

/** A value a JSON path may be compared with: `status: done`, `code: 3`, `ready: true`. */
const jsonScalar = z.union([z.string(), z.number(), z.boolean()]);

/** A name a later step's templates use, so it follows the placeholder grammar (shared/placeholders.ts). */
const captureName = z.string().regex(/^[A-Za-z_$][\w$]*$/, 'a captured name is an identifier like jobId');

/**
 * Think time: a pause of exactly this long (`500ms`), or drawn uniformly between min and max. Parsed to
 * `{ minMs, maxMs }` so every consumer samples one way.
 */
const think = z
  .union([duration, z.strictObject({ min: duration, max: duration })])
  .transform((t) => (typeof t === 'number' ? { minMs: t, maxMs: t } : { minMs: t.min, maxMs: t.max }))
  .superRefine((t, ctx) => {
    if (t.minMs > t.maxMs)
      ctx.addIssue({ code: 'custom', path: ['min'], message: `think min (${t.minMs} ms) is above its max (${t.maxMs} ms)` });
  });

/** When a polled (or called-back) job is over: the value at `json` is one of `in`; those also in `failed` are failures. */
const until = z
  .strictObject(
    {
      json: jsonPath,
      in: z.array(jsonScalar).min(1),
      /** final values that mean the job failed (counted as failed jobs, the step fails); the rest of `in` is success */
      failed: z.array(jsonScalar).optional(),
    },
    {
      // Said plainly when missing: without it the poll could never tell a finished job from a running one.
      error: (issue) =>
        issue.input === undefined ? 'a poll needs until: { json: "$.status", in: [done, failed] } to know when the job is over' : undefined,
    },
  )
  .superRefine((u, ctx) => {
    u.failed?.forEach((value, index) => {
      if (!u.in.includes(value))
        ctx.addIssue({
          code: 'custom',
          path: ['failed', index],
          message: `${JSON.stringify(value)} is not one of the final values in \`in\``,
        });
    });
  });

/**
 * Polls an async job after its step's response: GET `path` every `every` (from the step's send) until the body's
 * `until.json` is final, or `timeout` passes (the job expired). Each poll is a request under `name`.
 */
const poll = z.strictObject({
  /** the poll requests' name in metrics (default: the step's name + ".poll") */
  name: z.string().min(1).optional(),
  method: z.enum(['GET', 'POST']).default(DEFAULTS.poll.method),
  path: z.string().startsWith('/').pipe(checkedString(pathProblem)),
  headers: headers.default({}),
  query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  every: duration.default(DEFAULTS.poll.everyMs),
  until,
  timeout: duration.default(DEFAULTS.poll.timeoutMs),
});

/**
 * Callback instead of polling: a receiver on loopback, its URL sent in the JSON body's `field`; the job is over when
 * the callback arrives (its body judged by `failed`, when given), expired when `timeout` passes first.
 */
const callbackOptions = z.strictObject({
  field: z.string().min(1).default(DEFAULTS.callback.field),
  timeout: duration.default(DEFAULTS.callback.timeoutMs),
  /** callback bodies whose value at `json` is one of `in` are failed jobs */
  failed: z.strictObject({ json: jsonPath, in: z.array(jsonScalar).min(1) }).optional(),
});
const callback = z.union([z.boolean(), callbackOptions]).transform((c) => {
  if (c === false) return undefined;
  return c === true ? callbackOptions.parse({}) : c;
});

/** The fields of one request: a `requests:` item and a flow's step share them (a step has no weight). */
const requestFields = {
  name: z.string().min(1),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET'),
  path: z.string().startsWith('/').pipe(checkedString(pathProblem)),
  headers: headers.default({}),
  /** query parameters, appended to the path percent-encoded (templates allowed) */
  query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  json: z.unknown().optional(),
  body: z.string().optional(),
  stream: z.enum(['none', 'sse', 'ws']).default(DEFAULTS.stream),
  /** statuses that count as success besides 2xx (e.g. 404 for a lookup that may miss) */
  expectStatus: z.array(z.number().int()).optional(),
  /** values read from the JSON response body by JSONPath, for later steps' templates: `{ jobId: "$.id" }` */
  capture: z.record(captureName, jsonPath).optional(),
  /** pause after this step (before the next one, or before the next iteration after the last step) */
  think: think.optional(),
  /** an async job: poll for its end after this step's response */
  poll: poll.optional(),
  /** an async job: wait for its callback instead of polling */
  callback: callback.optional(),
  /** response checks, each counted pass/fail; a failed one fails the attempt as kind `check` */
  checks: z.array(checkSchema).optional(),
  /**
   * read completion tokens from a plain JSON response (tokens/s and time per output token without streaming):
   * true reads DEFAULTS.usagePath, a string is another JSON path; off by default, as it costs a body read
   */
  usage: z.union([z.boolean(), jsonPath]).optional(),
};

type RequestShape = {
  json?: unknown;
  body?: string;
  stream: string;
  poll?: unknown;
  callback?: unknown;
  capture?: unknown;
  checks?: { label: string; subject: string }[];
  usage?: boolean | string;
};

function requestProblems(r: RequestShape, ctx: z.RefinementCtx): void {
  if (r.json !== undefined && r.body !== undefined)
    ctx.addIssue({ code: 'custom', path: ['body'], message: 'give json or body, not both' });
  // Results key check tallies by label: two checks of one label would be counted as one.
  const labels = new Map<string, number>();
  r.checks?.forEach((check, index) => {
    const earlier = labels.get(check.label);
    if (earlier === undefined) labels.set(check.label, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: ['checks', index],
        message: `checks[${earlier}] is already labelled "${check.label}": give one of them another name`,
      });
  });
  // A WebSocket answer is messages, not an HTTP response with a body and headers to check.
  if (r.stream === 'ws')
    r.checks?.forEach((check, index) => {
      if (check.subject !== 'status')
        ctx.addIssue({ code: 'custom', path: ['checks', index], message: 'a WebSocket stream takes status checks only' });
    });
  if (r.usage !== undefined && r.usage !== false && r.stream !== 'none')
    ctx.addIssue({ code: 'custom', path: ['usage'], message: "a stream's usage is read from its final event already: remove usage" });
  if (r.poll !== undefined && r.callback !== undefined)
    ctx.addIssue({ code: 'custom', path: ['callback'], message: 'an async job is polled or called back, not both' });
  if (r.capture !== undefined && r.stream !== 'none')
    ctx.addIssue({ code: 'custom', path: ['capture'], message: 'a streamed answer is not kept: capture from a step with stream: none' });
  if ((r.poll !== undefined || r.callback !== undefined) && r.stream !== 'none')
    ctx.addIssue({ code: 'custom', path: ['stream'], message: 'an async job step answers at once: it cannot stream' });
  if (r.callback !== undefined && (r.json === null || typeof r.json !== 'object' || Array.isArray(r.json)))
    ctx.addIssue({ code: 'custom', path: ['callback'], message: 'a callback URL is sent in the JSON body: give json as an object' });
}

const request = z
  .strictObject({ ...requestFields, weight: z.number().positive().default(DEFAULTS.requestWeight) })
  .superRefine(requestProblems);

/** A step of a flow: a request run in order, never drawn by weight. */
const step = z.strictObject(requestFields).superRefine(requestProblems);

/**
 * A flow: steps run in order by one virtual user (closed model) or one arrival (open model); flows are drawn by
 * weight as requests are. `think` pauses after each iteration of the flow (closed model), before the next.
 */
const flow = z.strictObject({
  name: z.string().min(1),
  weight: z.number().positive().default(DEFAULTS.requestWeight),
  think: think.optional(),
  steps: z.array(step).min(1),
});

const feeder = z.strictObject({
  file: z.string().min(1),
  order: z.enum(['random', 'sequential']).default('sequential'),
});

const timeouts = z.strictObject({
  connect: duration.default(DEFAULTS.timeouts.connectMs),
  firstByte: duration.default(DEFAULTS.timeouts.firstByteMs),
  total: duration.default(DEFAULTS.timeouts.totalMs),
  idle: duration.default(DEFAULTS.timeouts.idleMs),
});

const retries = z.strictObject({
  max: nonNegativeInt
    .max(LIMITS.maxRetries, `at most ${LIMITS.maxRetries} retries: more only multiply load on a failing target`)
    .default(DEFAULTS.retries.max),
  backoff: z.enum(['exponential', 'constant']).default(DEFAULTS.retries.backoff),
  base: duration.default(DEFAULTS.retries.baseMs),
  maxBackoff: duration.default(DEFAULTS.retries.maxBackoffMs),
  jitter: z.enum(['full', 'equal', 'none']).default(DEFAULTS.retries.jitter),
  respectRetryAfter: z.boolean().default(DEFAULTS.retries.respectRetryAfter),
  maxRetryAfter: duration.default(DEFAULTS.retries.maxRetryAfterMs),
  /** which failures are retried: 5xx and 429 statuses, connection errors, and timeouts if listed */
  on: z.array(z.enum(['5xx', '429', 'connect', 'reset', 'timeout'])).default([...DEFAULTS.retries.on]),
});

/**
 * TLS towards an HTTPS target (and its token endpoint). Files are PEM, relative to the scenario file, read when
 * the scenario is loaded. `ca` is trusted besides the system's roots; `cert` and `key` present a client
 * certificate (mutual TLS); `servername` is the name sent in SNI and checked against the certificate.
 */
const tls = z
  .strictObject({
    ca: z.string().min(1).optional(),
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    /** skip certificate verification: a warning on every run, and recorded in the result */
    insecure: z.boolean().default(false),
    servername: z.string().min(1).optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.cert === undefined) !== (t.key === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [t.cert === undefined ? 'cert' : 'key'],
        message: 'a client certificate needs both cert and key',
      });
    }
  });

const client = z.strictObject({
  keepAlive: z.boolean().default(DEFAULTS.keepAlive),
  poolSize: positiveInt.optional(),
  timeouts: timeouts.default(() => timeouts.parse({})),
  retries: retries.default(() => retries.parse({})),
  /** a larger response body fails its attempt as too_large and closes the socket (wire engine) */
  maxResponseBytes: byteSize.default(DEFAULTS.maxResponseBytes),
  tls: tls.optional(),
  /**
   * a client-policy file (YAML, relative to the scenario), enforced live: retries and retry budget, hedging,
   * circuit breaker, static, adaptive and per-load-level timeouts. The same grammar as `analyze --policy`, so a replay's
   * prediction can be checked against a run with the policy. Its timeouts and retries replace the ones above.
   */
  policy: z.string().min(1).optional(),
});

const serverTiming = z.strictObject({
  header: checkedString(headerNameProblem).default(DEFAULTS.serverTiming.header),
  metric: z.string().default(DEFAULTS.serverTiming.metric),
  queueMetric: z.string().default(DEFAULTS.serverTiming.queueMetric),
});

/** Load stages are told apart by their leading key; each shape is checked on its own (see validate.ts). */
export const closedStageShapes = {
  hold: z.strictObject({ name: z.string().optional(), hold: duration, concurrency: positiveInt.optional() }),
  ramp: z.strictObject({ name: z.string().optional(), ramp: duration, to: nonNegativeInt, from: nonNegativeInt.optional() }),
  steps: z.strictObject({ name: z.string().optional(), steps: z.array(positiveInt).min(1), each: duration }),
  spike: z.strictObject({ name: z.string().optional(), spike: positiveInt, for: duration }),
};

export const openStageShapes = {
  hold: z.strictObject({ name: z.string().optional(), hold: duration, rate: z.number().positive().optional() }),
  ramp: z.strictObject({
    name: z.string().optional(),
    ramp: duration,
    to: z.number().nonnegative(),
    from: z.number().nonnegative().optional(),
  }),
  steps: z.strictObject({ name: z.string().optional(), steps: z.array(z.number().positive()).min(1), each: duration }),
  spike: z.strictObject({ name: z.string().optional(), spike: z.number().positive(), for: duration }),
};

export type ClosedStageInput = {
  [K in keyof typeof closedStageShapes]: z.output<(typeof closedStageShapes)[K]>;
}[keyof typeof closedStageShapes];
export type OpenStageInput = { [K in keyof typeof openStageShapes]: z.output<(typeof openStageShapes)[K]> }[keyof typeof openStageShapes];

/**
 * A capacity search: probes grow geometrically from `from` until one breaks the scenario's `slo`, then bisect
 * until the bracket [highest pass, lowest fail] is `precision` narrow; then `sweep` loads from 20% to 100% of the
 * capacity found. Needs `slo`.
 */
const search = z.strictObject({
  /** open: arrival rate in requests/s; closed: concurrency (virtual users) */
  model: z.enum(['open', 'closed']).default('open'),
  /** the first probe's load */
  from: z.number().positive(),
  /** no probe goes above this load */
  to: z.number().positive(),
  /** how long each probe is judged, after a short settle; a probe whose verdict is uncertain is held up to twice this */
  hold: duration.default(DEFAULTS.search.holdMs),
  /** stop when (lowest fail − highest pass) / highest pass is at most this */
  precision: ratio
    .refine((r) => r > 0 && r < 1, { message: 'precision is a share between 0 and 100%, like "5%"' })
    .default(DEFAULTS.search.precision),
  /** then run this many loads spread from 20% to 100% of the capacity found (0: none) */
  sweep: nonNegativeInt.max(20).default(DEFAULTS.search.sweep),
});

const load = z
  .strictObject({
    closed: z.array(z.record(z.string(), z.unknown())).min(1).optional(),
    open: z.array(z.record(z.string(), z.unknown())).min(1).optional(),
    search: search.optional(),
    /** open model: evenly spaced arrivals, or a Poisson process with the same mean rate */
    arrivals: z.enum(['constant', 'poisson']).default('constant'),
    /** open model: most requests in flight at once per run before new arrivals are dropped */
    maxInFlight: positiveInt.optional(),
  })
  .refine((l) => [l.closed, l.open, l.search].filter((shape) => shape !== undefined).length === 1, {
    message: 'give exactly one of load.closed (concurrency), load.open (arrival rate) or load.search (capacity search)',
  });

const slo = z.strictObject({
  p50: duration.optional(),
  p95: duration.optional(),
  p99: duration.optional(),
  errorRate: ratio.optional(),
});

/** Validates an expression with the given parser, reporting its syntax error (with the column) as the issue. */
function expressionOf(parse: (text: string) => unknown) {
  return z.string().superRefine((text, ctx) => {
    try {
      parse(text);
    } catch (error) {
      if (!(error instanceof ThresholdSyntaxError || error instanceof CompareRuleError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  });
}

/** A threshold is an expression, or k6-style an object that can abort the run when it fails. */
const threshold = z
  .union([
    expressionOf(parseThreshold),
    z.strictObject({
      threshold: expressionOf(parseThreshold),
      abortOnFail: z.boolean().default(false),
      delayAbortEval: duration.default(0),
    }),
  ])
  .transform((t) =>
    typeof t === 'string'
      ? { threshold: t, abortOnFail: false, delayAbortEvalMs: 0 }
      : { threshold: t.threshold, abortOnFail: t.abortOnFail, delayAbortEvalMs: t.delayAbortEval },
  );

/** How `--baseline` and `tailscope compare` judge this scenario's runs (rules like "p99 +10%"). */
const compare = z.strictObject({
  rules: z.array(expressionOf(parseCompareRule)).min(1).optional(),
  confidence: z.number().gt(0.5).lt(1).optional(),
});

const PROMETHEUS_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** One or more PromQL label matchers, as written inside braces: `code=~"5..", job="api"`. */
const LABEL_MATCHERS =
  /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*(,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*)*$/;
const promName = z.string().regex(PROMETHEUS_NAME, 'a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
const labelMatchers = z.string().regex(LABEL_MATCHERS, 'PromQL label matchers, as inside braces: code=~"5..", job="api"');

/**
 * Prometheus alerting rules written beside the reports (alerts.yaml), on the metrics the caller's service
 * exports: SLO burn-rate alerts and alerts on the share of requests slower than the recommended timeouts.
 */
export const alertsSchema = z.strictObject({
  /** counter of requests handled, with a label that tells failures apart */
  requests: promName.default(DEFAULTS.alerts.requests),
  /** label matchers that select the failed requests of that counter */
  errors: labelMatchers.default(DEFAULTS.alerts.errors),
  /** histogram of request durations in seconds (its _bucket and _count series are used) */
  duration: promName.default(DEFAULTS.alerts.duration),
  /** label matchers added to every series (the service's job, namespace…) */
  selector: z.union([z.literal(''), labelMatchers]).default(DEFAULTS.alerts.selector),
  /** per request name: the label matchers of its route, for a timeout alert per request */
  routes: z.record(z.string(), labelMatchers).optional(),
});

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  target,
  auth: auth.optional(),
  requests: z.array(request).min(1).optional(),
  /** sequences of steps; requests and flows may be given together, drawn by weight among each other */
  flows: z.array(flow).min(1).optional(),
  data: z.record(z.string(), feeder).default({}),
  client: client.default(() => client.parse({})),
  serverTiming: serverTiming.default(() => serverTiming.parse({})),
  load,
  slo: slo.optional(),
  thresholds: z.array(threshold).default([]),
  compare: compare.optional(),
  alerts: alertsSchema.optional(),
  interval: duration
    .superRefine((ms, ctx) => {
      if (ms < LIMITS.minIntervalMs)
        ctx.addIssue({ code: 'custom', message: `the interval is at least ${LIMITS.minIntervalMs} ms, got ${ms} ms` });
    })
    .default(DEFAULTS.intervalMs),
  /** how long in-flight requests may finish after the schedule ends before they are counted as interrupted */
  gracefulStop: duration.default(DEFAULTS.gracefulStopMs),
  /**
   * Load sent before time zero at the first stage's level, recorded apart from the totals (0 turns it off).
   * Default: DEFAULTS.warmupMs for runs shorter than DEFAULTS.warmupDefaultBelowMs, none for longer ones.
   */
  warmup: duration.optional(),
  /** default: one per core the process may use, less one, at most 4 (resolved at the boundary: it depends on the machine) */
  workers: positiveInt.max(64).optional(),
  /**
   * names of environment variables whose values are secrets, besides those whose names say so (containing
   * SECRET, TOKEN, PASSWORD, PASSWD, KEY, CREDENTIAL, AUTH or COOKIE): scrubbed by value from every output
   */
  secretEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')).default([]),
  /**
   * wire: tailscope's own socket-level HTTP/1.1 client, every phase timed (the default). node: node:http, for
   * what the wire client does not do. autocannon: autocannon drives stages of fixed concurrency (holds, steps,
   * spikes) without DNS/connect/TLS phases; ramps use the wire client.
   */
  engine: z.enum(['wire', 'node', 'autocannon']).default(DEFAULTS.engine),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioParsed = z.output<typeof scenarioSchema>;
