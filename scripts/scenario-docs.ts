/**
 * docs/scenarios.md, generated from the scenario's JSON Schema (which is generated from the zod schema that
 * validates scenarios) and the one-line description and example of each field below. `npm run schema` writes
 * it; a test renders it again and compares, and refuses a schema field without a description here (or a
 * description of a field the schema no longer has), so the page cannot drift from what tailscope accepts.
 */
import { DEFAULTS } from '../src/scenario/defaults.js';

interface FieldDoc {
  about: string;
  /** YAML as the field is written in a scenario (its parent keys left out) */
  example: string;
  /** what a number-or-string field holds, where it is not a duration */
  unit?: 'size' | 'share';
}

const ms = (value: number) => `${value} ms`;
const t = DEFAULTS.timeouts;
const r = DEFAULTS.retries;

/** Every field of a scenario: what it does, and how it is written. Keyed by path (`[]` for list items, `<name>` for map keys). */
export const FIELD_DOCS: Record<string, FieldDoc> = {
  name: { about: 'names the run in reports and the default output folder', example: 'name: generate-capacity' },
  description: { about: 'free text, shown in the report', example: 'description: nightly capacity check' },

  target: {
    about: 'what to load: a URL, or the bundled mock server (exactly one)',
    example: 'target: { url: https://api.example.com/api/v2 }',
  },
  'target.url': {
    about:
      'http or https; a path after the host is the base path every request path is joined to (`/api/v2` + `/generate` → `/api/v2/generate`), as is a relative `auth.oauth2.tokenUrl`; `user:password@` is sent as HTTP Basic',
    example: 'url: https://api.example.com/api/v2',
  },
  'target.mock': {
    about: 'start the bundled mock server in-process on a free loopback port',
    example: 'mock: { profile: llm-default, seed: 42 }',
  },
  'target.mock.profile': {
    about: 'a built-in profile name, a profile file (relative to the scenario) or a profile written inline',
    example: 'profile: fixed-20ms',
  },
  'target.mock.seed': { about: "the mock's random seed (also seeds the workers' draws)", example: 'seed: 7' },
  'target.mock.networkDelay': { about: "one-way delay added by the mock's delaying proxy", example: 'networkDelay: 15ms' },
  'target.mock.networkJitter': { about: 'random spread of that delay', example: 'networkJitter: 2ms' },

  auth: {
    about: 'how requests are authorised: OAuth2 client credentials or a static header (not both)',
    example: 'auth: { header: { name: X-Api-Key, value: "${API_KEY}" } }',
  },
  'auth.oauth2': {
    about: 'client-credentials grant; one token per worker, refreshed ahead of expiry, renewed once on a 401',
    example: 'oauth2: { tokenUrl: /oauth/token, clientId: "${CLIENT_ID}", clientSecret: "${CLIENT_SECRET}" }',
  },
  'auth.oauth2.tokenUrl': {
    about: 'the token endpoint; relative URLs are joined to the target URL, base path included',
    example: 'tokenUrl: /oauth/token',
  },
  'auth.oauth2.clientId': { about: 'client id, usually from the environment', example: 'clientId: "${CLIENT_ID}"' },
  'auth.oauth2.clientSecret': { about: 'client secret; scrubbed from every output', example: 'clientSecret: "${CLIENT_SECRET}"' },
  'auth.oauth2.scope': { about: 'scope to ask for', example: 'scope: generate' },
  'auth.oauth2.clientAuth': { about: 'credentials in the form body, or as HTTP Basic', example: 'clientAuth: basic' },
  'auth.oauth2.refreshMargin': {
    about: `refresh this long before the token expires (default ${ms(DEFAULTS.tokenRefreshMarginMs)})`,
    example: 'refreshMargin: 30s',
  },
  'auth.header': {
    about: 'one header sent with every request; its value is a secret',
    example: 'header: { name: Authorization, value: "Bearer ${TOKEN}" }',
  },
  'auth.header.name': { about: 'header name', example: 'name: X-Api-Key' },
  'auth.header.value': { about: 'header value', example: 'value: "${API_KEY}"' },

  requests: {
    about: 'what to send; each request is drawn by weight',
    example: 'requests: [{ name: generate, method: POST, path: /generate, json: { prompt: hi } }]',
  },
  'requests[].name': { about: 'unique; metrics, thresholds and reports key by it', example: 'name: generate' },
  'requests[].method': { about: 'HTTP method', example: 'method: POST' },
  'requests[].path': { about: 'path and query under the target URL; templates allowed', example: 'path: "/v1/items/{{ ids.id }}"' },
  'requests[].headers': {
    about: 'headers; templates allowed; `User-Agent: tailscope/<version>` unless set here',
    example: 'headers: { X-Request-Id: "{{ uuid }}" }',
  },
  'requests[].query': {
    about: 'query parameters appended to the path, percent-encoded; templates allowed',
    example: 'query: { user: "{{ vu }}", page: 1 }',
  },
  'requests[].json': {
    about: 'a JSON body (sets Content-Type); templates allowed, a string that is one placeholder becomes its value',
    example: 'json: { prompt: "{{ prompts.text }}", max_tokens: 64, seed: "{{ random(1, 1000) }}" }',
  },
  'requests[].body': { about: 'a text body instead of `json`; templates allowed', example: 'body: "id={{ uuid }}"' },
  'requests[].stream': { about: 'read the answer as a token stream: Server-Sent Events or WebSocket', example: 'stream: sse' },
  'requests[].weight': { about: `share of draws among requests (default ${DEFAULTS.requestWeight})`, example: 'weight: 3' },
  'requests[].expectStatus': { about: 'statuses that count as success besides 2xx', example: 'expectStatus: [404]' },
  'requests[].checks': {
    about:
      'response checks, run on every complete response and counted pass/fail per check; a failed one fails a response whose status was accepted, as kind `check` (thresholds `checks > 99%`, `checks{request=generate} > 99%`). Only checks past the status make the body be read, up to `client.maxResponseBytes`; not with `engine: autocannon`',
    example:
      'checks: [{ status: 200 }, { json: "$.ok", equals: true }, { json: "$.usage.completion_tokens", gt: 0 }, { body: { contains: "result" } }, { header: "content-type", matches: "json" }]',
  },
  'requests[].checks[].status': {
    about: 'the status is one of these: a status, a list, or a class such as `2xx`',
    example: '{ status: [200, 201] }',
  },
  'requests[].checks[].name': {
    about: 'the label reports and tallies use (default: the check as written, e.g. `$.ok == true`); unique per request',
    example: '{ json: "$.id", name: job accepted }',
  },
  'requests[].checks[].json': {
    about:
      'a JSON path into the body (`$.a.b`, `$.list[0]`, `$.list[-1]`, `$["odd name"]`), with one operator; none means `exists: true`. A body that is not JSON fails it',
    example: '{ json: "$.status", in: [done, failed] }',
  },
  'requests[].checks[].equals': {
    about: 'the value equals this (deep, for lists and objects); for a header, the text',
    example: '{ json: "$.ok", equals: true }',
  },
  'requests[].checks[].notEquals': { about: 'the value is anything but this', example: '{ json: "$.status", notEquals: failed }' },
  'requests[].checks[].gt': { about: 'a number greater than this', example: '{ json: "$.usage.completion_tokens", gt: 0 }' },
  'requests[].checks[].gte': { about: 'a number at least this', example: '{ json: "$.score", gte: 0.5 }' },
  'requests[].checks[].lt': { about: 'a number less than this', example: '{ json: "$.meta.queue_ms", lt: 100 }' },
  'requests[].checks[].lte': { about: 'a number at most this', example: '{ json: "$.usage.completion_tokens", lte: 64 }' },
  'requests[].checks[].in': { about: 'the value is one of these', example: '{ json: "$.status", in: [done, failed] }' },
  'requests[].checks[].contains': {
    about: 'text that contains this, or a list with this item',
    example: '{ header: cache-control, contains: no-store }',
  },
  'requests[].checks[].notContains': { about: 'text or a list without this', example: '{ json: "$.tags", notContains: error }' },
  'requests[].checks[].matches': {
    about: 'text that matches this JavaScript regular expression (numbers and booleans as written in the JSON)',
    example: '{ header: content-type, matches: json }',
  },
  'requests[].checks[].exists': {
    about: 'the path or header is present (true) or absent (false)',
    example: '{ json: "$.error", exists: false }',
  },
  'requests[].checks[].body': { about: 'the body as text, with one operator', example: '{ body: { contains: result } }' },
  'requests[].checks[].body.contains': { about: 'the body contains this text', example: 'contains: result' },
  'requests[].checks[].body.notContains': { about: 'the body does not contain this text', example: 'notContains: error' },
  'requests[].checks[].body.matches': { about: 'the body matches this regular expression', example: 'matches: "result|answer"' },
  'requests[].checks[].header': {
    about: 'a response header (any case; repeated ones joined with ", "), with one operator; none means `exists: true`',
    example: '{ header: content-type, matches: json }',
  },
  'requests[].usage': {
    about: `read completion tokens from a plain JSON response, for tokens/s and time per output token (\`tpot\`) without streaming: \`true\` reads \`${DEFAULTS.usagePath}\`, a string is another JSON path. Off by default: it reads and parses each JSON body (a stream's usage comes from its final event anyway)`,
    example: 'usage: "$.usage.output_tokens"',
  },
  'requests[].capture': {
    about:
      'values read from the JSON response body by JSONPath (`$.a.b`, `$.items[0]`, `$.items[-1]`), for later steps as `{{ name }}`; the body is kept only for steps that capture or poll (up to `client.maxResponseBytes`); a path that finds nothing fails the attempt as `capture` and ends the flow iteration',
    example: 'capture: { jobId: "$.id" }',
  },
  'requests[].think': {
    about:
      "pause after this step, before the next one (after the last step: before the next iteration, then the flow's `think`); a fixed duration or uniform between min and max; cut short by the run's stop",
    example: 'think: { min: 200ms, max: 1s }',
  },
  'requests[].think.min': { about: 'shortest pause', example: 'min: 200ms' },
  'requests[].think.max': { about: 'longest pause', example: 'max: 1s' },
  'requests[].poll': {
    about:
      "an async job: after this step answers (and captures), poll until a final state; records `completion` (from this step's send to the poll that saw the job final), polls per job, and done / failed / expired / lost jobs under this step's name",
    example:
      'poll: { path: "/v1/jobs/{{ jobId }}", every: 250ms, until: { json: "$.status", in: [done, failed], failed: [failed] }, timeout: 60s }',
  },
  'requests[].poll.name': { about: "the poll requests' name in metrics (default: the step's name + `.poll`)", example: 'name: job-status' },
  'requests[].poll.method': { about: 'HTTP method of the polls', example: 'method: GET' },
  'requests[].poll.path': {
    about: "path polled; templates allowed, this step's captures included",
    example: 'path: "/v1/jobs/{{ jobId }}"',
  },
  'requests[].poll.headers': { about: 'headers of the polls; templates allowed', example: 'headers: { X-Tenant: "{{ tenant }}" }' },
  'requests[].poll.query': { about: 'query parameters of the polls; templates allowed', example: 'query: { verbose: false }' },
  'requests[].poll.every': {
    about: `polls go on a fixed cadence from this step's send (default ${ms(DEFAULTS.poll.everyMs)}): completion reads late by at most one interval plus a poll's round trip`,
    example: 'every: 250ms',
  },
  'requests[].poll.until': {
    about: 'when the job is over: required',
    example: 'until: { json: "$.status", in: [done, failed], failed: [failed] }',
  },
  'requests[].poll.until.json': { about: "JSONPath to the job's state in each poll's answer", example: 'json: "$.status"' },
  'requests[].poll.until.in': { about: 'final states: polling stops at one of them', example: 'in: [done, failed]' },
  'requests[].poll.until.failed': {
    about: 'final states that are failures (each also in `in`): counted as failed jobs, and the step fails',
    example: 'failed: [failed]',
  },
  'requests[].poll.timeout': {
    about: `no final state this long after the step's send: the job expired and the step fails (default ${ms(DEFAULTS.poll.timeoutMs)})`,
    example: 'timeout: 60s',
  },
  'requests[].callback': {
    about:
      'an async job that calls back: `true` starts a receiver on loopback and sends its URL in the JSON body; records `completion` until the callback arrives, and done / failed / expired jobs',
    example: 'callback: true',
  },
  'requests[].callback.field': {
    about: `JSON body field that carries the URL (default ${DEFAULTS.callback.field})`,
    example: 'field: webhook',
  },
  'requests[].callback.timeout': {
    about: `no callback this long after the step's send: the job expired (default ${ms(DEFAULTS.callback.timeoutMs)})`,
    example: 'timeout: 2m',
  },
  'requests[].callback.failed': {
    about: 'callback bodies that report a failed job',
    example: 'failed: { json: "$.status", in: [failed] }',
  },
  'requests[].callback.failed.json': { about: "JSONPath to the job's state in the callback body", example: 'json: "$.status"' },
  'requests[].callback.failed.in': { about: 'states that are failures', example: 'in: [failed, cancelled]' },

  flows: {
    about:
      'sequences of steps: each virtual user (or open-model arrival) runs one flow, drawn by weight, its steps in order; `requests` and `flows` may be given together; a failed step ends the iteration',
    example: 'flows: [{ name: job, steps: [{ name: submit, method: POST, path: /v1/generate, capture: { jobId: "$.id" } }] }]',
  },
  'flows[].name': {
    about: 'unique; the `flow` metric (end-to-end latency of completed iterations) is kept under it: `p99(flow{name=job}) < 30s`',
    example: 'name: job',
  },
  'flows[].weight': { about: `share of draws among flows and requests (default ${DEFAULTS.requestWeight})`, example: 'weight: 2' },
  'flows[].think': {
    about: "pause after each iteration of this flow (closed model), after the last step's own `think`",
    example: 'think: 500ms',
  },
  'flows[].think.min': { about: 'shortest pause', example: 'min: 1s' },
  'flows[].think.max': { about: 'longest pause', example: 'max: 3s' },
  'flows[].steps': {
    about: 'the requests of one iteration, in order; a step has every field of a `requests` item but `weight`',
    example: 'steps: [{ name: submit, method: POST, path: /v1/generate }, { name: fetch, path: "/v1/jobs/{{ jobId }}" }]',
  },

  data: { about: 'feeders: rows from files for templates, by name', example: 'data: { prompts: { file: prompts.jsonl, order: random } }' },
  'data.<name>.file': {
    about: 'JSONL, CSV (header row) or text (a row per line), relative to the scenario',
    example: 'file: data/prompts.jsonl',
  },
  'data.<name>.order': { about: 'sequential (workers interleave) or random (seeded)', example: 'order: random' },

  client: { about: 'what the client does around each request', example: 'client: { keepAlive: true, timeouts: { total: 30s } }' },
  'client.keepAlive': { about: 'reuse connections', example: 'keepAlive: false' },
  'client.poolSize': { about: "sockets per worker (default: the worker's peak concurrency)", example: 'poolSize: 64' },
  'client.timeouts': { about: 'per attempt; 0 turns one off', example: 'timeouts: { connect: 2s, firstByte: 10s, total: 30s, idle: 5s }' },
  'client.timeouts.connect': { about: `connection (and TLS) setup (default ${ms(t.connectMs)})`, example: 'connect: 2s' },
  'client.timeouts.firstByte': { about: `until the first response byte (default ${ms(t.firstByteMs)})`, example: 'firstByte: 10s' },
  'client.timeouts.total': { about: `the whole attempt (default ${ms(t.totalMs)})`, example: 'total: 30s' },
  'client.timeouts.idle': { about: `longest gap in a stream (default ${ms(t.idleMs)})`, example: 'idle: 5s' },
  'client.retries': {
    about: 'retries with backoff and jitter, and 429 handling',
    example: 'retries: { max: 2, backoff: exponential, base: 100ms, jitter: full }',
  },
  'client.retries.max': { about: `retries after the first attempt (default ${r.max})`, example: 'max: 2' },
  'client.retries.backoff': { about: 'exponential or constant', example: 'backoff: constant' },
  'client.retries.base': { about: `first backoff (default ${ms(r.baseMs)})`, example: 'base: 200ms' },
  'client.retries.maxBackoff': { about: `longest backoff (default ${ms(r.maxBackoffMs)})`, example: 'maxBackoff: 2s' },
  'client.retries.jitter': { about: 'full, equal or none', example: 'jitter: equal' },
  'client.retries.respectRetryAfter': { about: "wait out a 429's Retry-After", example: 'respectRetryAfter: false' },
  'client.retries.maxRetryAfter': {
    about: `a longer Retry-After fails the request as rate limited (default ${ms(r.maxRetryAfterMs)})`,
    example: 'maxRetryAfter: 10s',
  },
  'client.retries.on': {
    about: `which failures are retried (default ${r.on.join(', ')})`,
    example: 'on: [5xx, 429, connect, reset, timeout]',
  },
  'client.maxResponseBytes': {
    about: `a larger body fails its attempt as too_large (default ${DEFAULTS.maxResponseBytes} bytes)`,
    example: 'maxResponseBytes: 1MiB',
    unit: 'size',
  },
  'client.policy': {
    about:
      'a client-policy file (YAML, relative to the scenario) enforced live: retries and budget, hedge, breaker, static, adaptive and per-load-level timeouts; the grammar of `analyze --policy` (see docs/policies.md); its timeouts and retries replace the ones above',
    example: 'policy: policies/hedge.yaml',
  },
  'client.tls': {
    about: 'TLS towards an HTTPS target and its token endpoint; files are PEM, relative to the scenario, read when it is loaded',
    example: 'tls: { ca: certs/ca.pem }',
  },
  'client.tls.ca': { about: "a CA to trust besides the system's (a self-signed or internal certificate)", example: 'ca: certs/ca.pem' },
  'client.tls.cert': { about: 'client certificate for mutual TLS (with `key`)', example: 'cert: certs/client.pem' },
  'client.tls.key': { about: 'its private key', example: 'key: certs/client-key.pem' },
  'client.tls.insecure': {
    about: 'skip certificate verification: warned on every run and recorded in the result',
    example: 'insecure: true',
  },
  'client.tls.servername': {
    about: 'the name sent in SNI and checked against the certificate (when the URL holds an IP or another name)',
    example: 'servername: api.example.com',
  },

  serverTiming: { about: 'where the service time is read from', example: 'serverTiming: { header: Server-Timing, metric: app }' },
  'serverTiming.header': { about: 'Server-Timing, or a header holding a duration in ms', example: 'header: X-Response-Time' },
  'serverTiming.metric': { about: 'the Server-Timing metric with the service time', example: 'metric: app' },
  'serverTiming.queueMetric': { about: 'the Server-Timing metric with the queueing time', example: 'queueMetric: queue' },

  load: {
    about: 'the load curve: closed (concurrency) or open (arrival rate), exactly one',
    example: 'load: { closed: [{ hold: 30s, concurrency: 8 }] }',
  },
  'load.closed': {
    about: 'stages of virtual users, each sending its next request when the last one ends',
    example: 'closed: [{ hold: 10s, concurrency: 4 }, { ramp: 20s, to: 64 }]',
  },
  'load.closed[].name': { about: 'stage name in reports', example: 'name: warm' },
  'load.closed[].hold': { about: 'hold a level this long', example: '{ hold: 10s, concurrency: 4 }' },
  'load.closed[].concurrency': { about: 'users during a hold (default: the previous level)', example: 'concurrency: "${VUS:-4}"' },
  'load.closed[].ramp': { about: 'change the level linearly over this long', example: '{ ramp: 20s, to: 64 }' },
  'load.closed[].to': { about: 'level at the end of a ramp', example: 'to: 64' },
  'load.closed[].from': { about: 'level at the start of a ramp (default: the previous level)', example: 'from: 8' },
  'load.closed[].steps': { about: 'levels held one after another', example: '{ steps: [8, 16, 32], each: 15s }' },
  'load.closed[].each': { about: 'how long each step lasts', example: 'each: 15s' },
  'load.closed[].spike': { about: 'jump to a level and hold it', example: '{ spike: 256, for: 5s }' },
  'load.closed[].for': { about: 'how long a spike lasts', example: 'for: 5s' },
  'load.open': {
    about: 'stages of arrival rate (requests/s), sent on schedule whatever the target does',
    example: 'open: [{ hold: 30s, rate: 50 }, { ramp: 60s, to: 500 }]',
  },
  'load.open[].name': { about: 'stage name in reports', example: 'name: peak' },
  'load.open[].hold': { about: 'hold a rate this long', example: '{ hold: 30s, rate: 50 }' },
  'load.open[].rate': { about: 'arrivals per second during a hold (default: the previous rate)', example: 'rate: 50' },
  'load.open[].ramp': { about: 'change the rate linearly over this long', example: '{ ramp: 60s, to: 500 }' },
  'load.open[].to': { about: 'rate at the end of a ramp', example: 'to: 500' },
  'load.open[].from': { about: 'rate at the start of a ramp', example: 'from: 10' },
  'load.open[].steps': { about: 'rates held one after another', example: '{ steps: [50, 100, 200], each: 20s }' },
  'load.open[].each': { about: 'how long each step lasts', example: 'each: 20s' },
  'load.open[].spike': { about: 'jump to a rate and hold it', example: '{ spike: 1000, for: 5s }' },
  'load.open[].for': { about: 'how long a spike lasts', example: 'for: 5s' },
  'load.search': {
    about:
      'a capacity search: probes grow geometrically from `from` until one breaks the `slo`, then bisect; each probe is a stage (needs slo)',
    example: 'search: { from: 10, to: 5000, hold: 20s, precision: 5%, sweep: 5 }',
  },
  'load.search.model': { about: 'open: the load is an arrival rate (requests/s); closed: a concurrency', example: 'model: closed' },
  'load.search.from': { about: 'the first probe’s load', example: 'from: 10' },
  'load.search.to': { about: 'no probe goes above this load', example: 'to: 5000' },
  'load.search.hold': {
    about:
      'each probe is judged this long after a short settle; held up to twice as long while the SLO sits inside its confidence interval',
    example: 'hold: 20s',
  },
  'load.search.precision': {
    about: 'stop when the bracket [highest pass, lowest fail] is this narrow, relative to the pass',
    example: 'precision: 5%',
  },
  'load.search.sweep': { about: 'then run this many loads from 20% to 100% of the capacity found (0: none)', example: 'sweep: 5' },
  'load.arrivals': { about: 'open model: evenly spaced or Poisson arrivals', example: 'arrivals: poisson' },
  'load.maxInFlight': {
    about: `open model: requests in flight at once before arrivals are dropped and counted (default ${DEFAULTS.maxInFlight})`,
    example: 'maxInFlight: 2000',
  },

  slo: { about: 'service-level objective, judged in the verdict', example: 'slo: { p99: 800ms, errorRate: 1% }' },
  'slo.p50': { about: 'median latency limit', example: 'p50: 100ms' },
  'slo.p95': { about: 'p95 latency limit', example: 'p95: 400ms' },
  'slo.p99': { about: 'p99 latency limit', example: 'p99: 800ms' },
  'slo.errorRate': { about: 'error-rate limit', example: 'errorRate: 1%', unit: 'share' },

  thresholds: {
    about: 'pass/fail rules; a failed one exits 1',
    example: 'thresholds: ["p99 < 800ms", "error_rate < 1%", "p99(ttfb){request=generate} < 300ms", "p99(flow{name=job}) < 30s"]',
  },
  'thresholds[].threshold': { about: 'the rule, in the object form', example: '{ threshold: "error_rate < 5%", abortOnFail: true }' },
  'thresholds[].abortOnFail': { about: 'stop the run as soon as the rule fails', example: 'abortOnFail: true' },
  'thresholds[].delayAbortEval': { about: 'judge it for aborting only after this long', example: 'delayAbortEval: 10s' },

  alerts: {
    about:
      "the metric names of the caller's service for alerts.yaml, the Prometheus alerting rules written beside the reports (SLO burn rates, requests slower than the recommended timeouts); written with these defaults when absent",
    example: 'alerts: { requests: http_server_requests_total, duration: http_server_duration_seconds, selector: \'job="api"\' }',
  },
  'alerts.requests': { about: 'counter of requests handled (with a label that marks failures)', example: 'requests: http_requests_total' },
  'alerts.errors': { about: 'label matchers that select the failed requests of that counter', example: 'errors: \'code=~"5.."\'' },
  'alerts.duration': {
    about:
      'histogram of request durations in seconds; its `_bucket` and `_count` series are read (a bucket boundary at each alerted value is needed)',
    example: 'duration: http_request_duration_seconds',
  },
  'alerts.selector': { about: 'label matchers added to every series', example: 'selector: \'job="api", namespace="prod"\'' },
  'alerts.routes': {
    about: "per request name, the label matchers of its route: a timeout alert per request, with that request's own recommended timeout",
    example: 'routes: { generate: \'handler="/v1/generate"\' }',
  },
  compare: {
    about: 'how `--baseline` and `tailscope compare` judge this scenario',
    example: 'compare: { rules: ["p99 +10%"], confidence: 0.95 }',
  },
  'compare.rules': { about: 'regression rules', example: 'rules: ["p99 +10%", "error_rate +0.5pp"]' },
  'compare.confidence': { about: 'confidence of the regression test', example: 'confidence: 0.99' },

  interval: { about: `length of a reporting interval (default ${ms(DEFAULTS.intervalMs)})`, example: 'interval: 500ms' },
  gracefulStop: {
    about: `in-flight requests may finish this long after the schedule ends (default ${ms(DEFAULTS.gracefulStopMs)})`,
    example: 'gracefulStop: 10s',
  },
  warmup: {
    about: `load before time zero, kept out of the totals (default ${ms(DEFAULTS.warmupMs)} for runs under ${ms(DEFAULTS.warmupDefaultBelowMs)}, else none)`,
    example: 'warmup: 0',
  },
  workers: { about: 'worker threads driving load (default: one per usable core less one, at most 4)', example: 'workers: 2' },
  secretEnv: { about: 'environment variables whose values are secrets besides those named like one', example: 'secretEnv: [TENANT_ID]' },
  engine: {
    about: "the HTTP client: tailscope's own (wire), node:http, or autocannon for fixed-concurrency stages",
    example: 'engine: node',
  },
};

type Json = Record<string, unknown>;

interface Field {
  path: string;
  type: string;
  required: boolean;
  default?: unknown;
}

/** Every field of the schema, in schema order: nested objects, list items (`[]`) and map values (`<name>`). */
export function schemaFields(schema: Json): Field[] {
  const fields = new Map<string, Field>();
  const walk = (node: Json, path: string) => {
    const properties = node.properties as Record<string, Json> | undefined;
    const required = new Set((node.required as string[] | undefined) ?? []);
    for (const [key, child] of Object.entries(properties ?? {})) {
      const childPath = path ? `${path}.${key}` : key;
      if (!fields.has(childPath))
        fields.set(childPath, {
          path: childPath,
          type: typeOf(child),
          required: required.has(key),
          ...('default' in child ? { default: child.default } : {}),
        });
      walk(child, childPath);
    }
    if (node.type === 'array' && node.items && typeof node.items === 'object') walk(node.items as Json, `${path}[]`);
    const values = node.additionalProperties;
    if (values && typeof values === 'object' && (values as Json).type === 'object') walk(values as Json, `${path}.<name>`);
    for (const alternative of (node.anyOf as Json[] | undefined) ?? []) walk(alternative, path);
  };
  walk(schema, '');
  return [...fields.values()];
}

function typeOf(node: Json): string {
  if (Array.isArray(node.enum)) return (node.enum as unknown[]).join(' \\| ');
  if (Array.isArray(node.anyOf)) return [...new Set((node.anyOf as Json[]).map(typeOf))].join(' or ');
  const type = node.type;
  if (type === 'array') {
    const items = node.items as Json | undefined;
    return items && Object.keys(items).length > 0 ? `list of ${typeOf(items)}` : 'list';
  }
  if (type === 'object')
    return node.additionalProperties && typeof node.additionalProperties === 'object' && Object.keys(node.additionalProperties).length > 0
      ? 'map'
      : 'mapping';
  // Durations, sizes and shares are all "a number or a string" to JSON Schema; the docs say which (see render).
  if (Array.isArray(type)) return type.includes('number') && type.includes('string') ? 'duration' : type.join(' or ');
  return typeof type === 'string' ? type : 'any';
}

/** The page itself. Throws, naming them, when fields and descriptions disagree. */
/** A flow step's fields are a request's: they share the request's description. */
const STEP_PREFIX = 'flows[].steps[].';
export function docOf(path: string): FieldDoc | undefined {
  return FIELD_DOCS[path] ?? (path.startsWith(STEP_PREFIX) ? FIELD_DOCS[`requests[].${path.slice(STEP_PREFIX.length)}`] : undefined);
}

export function renderScenarioDocs(schema: Json): string {
  const fields = schemaFields(schema);
  const undocumented = fields.filter((f) => docOf(f.path) === undefined).map((f) => f.path);
  const stale = Object.keys(FIELD_DOCS).filter((path) => !fields.some((f) => f.path === path));
  if (undocumented.length > 0 || stale.length > 0) {
    throw new Error(
      [
        ...(undocumented.length > 0 ? [`fields without a description in scripts/scenario-docs.ts: ${undocumented.join(', ')}`] : []),
        ...(stale.length > 0 ? [`descriptions of fields the schema does not have: ${stale.join(', ')}`] : []),
      ].join('\n'),
    );
  }
  const sections = new Map<string, Field[]>();
  for (const field of fields) {
    const top = field.path.split(/[.[]/)[0]!;
    const key = fields.some((f) => f.path.startsWith(`${top}.`) || f.path.startsWith(`${top}[`)) ? top : 'top-level settings';
    sections.set(key, [...(sections.get(key) ?? []), field]);
  }
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '# Scenario reference',
    '',
    '<!-- Generated by `npm run schema` from scenarios/scenario.schema.json and scripts/scenario-docs.ts; a test fails when it is stale. Do not edit by hand. -->',
    '',
    'A scenario is a YAML (or JSON) file; `scenarios/scenario.schema.json` lets editors complete and check it. Every',
    'error names the file, line and field. Durations are written `250ms`, `10s`, `2m` (or a number of ms); sizes',
    '`512KiB`, `8MiB`; shares `1%` or `0.01`.',
    '',
    '- `${NAME}` and `${NAME:-default}` take environment variables (or `-e NAME=value`); in a number or boolean',
    '  field the text is converted, and refused at its line when it is not one.',
    '- Templates `{{ … }}` render per request in paths, query, headers and bodies: a feeder row `{{ prompts }}` or one',
    '  field `{{ prompts.text }}`, and the built-ins `{{ uuid }}`, `{{ vu }}`, `{{ iteration }}`, `{{ now }}` (ms since',
    '  the epoch) and `{{ random(1, 100) }}` (an integer, both ends included, from a seeded generator). Any other name',
    '  is refused when the scenario is loaded. In a flow, `{{ jobId }}` also reads a value an earlier step of the same',
    '  iteration captured (`capture: { jobId: "$.id" }`); a name only a later step captures is refused too.',
    '- `tailscope run s.yaml -e VUS=32 --target https://staging.example.com/api/v2 --set load.closed[0].concurrency=8`',
    '  changes a scenario from the command line; the result lists the overrides beside the scenario as run.',
  ];
  for (const [section, sectionFields] of sections) {
    lines.push(
      '',
      `## ${section}`,
      '',
      '| field | type | required / default | what it does | example |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const field of sectionFields) {
      const doc = docOf(field.path)!;
      const type = doc.unit ?? field.type;
      const presence = field.required ? 'required' : field.default !== undefined ? `default \`${JSON.stringify(field.default)}\`` : '';
      lines.push(`| \`${field.path}\` | ${type} | ${presence} | ${cell(doc.about)} | \`${cell(doc.example)}\` |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
