/** The words a run's measurements are recorded in: metric names, error kinds, client counters. */

/**
 * Every timed quantity a run records, each as an HDR histogram of microseconds.
 * - total: whole request, from the (intended, in an open model) send time to the last body byte
 * - dns / connect / tls: socket setup, recorded only for requests that opened a new socket
 * - write: request fully written; ttfb: first response byte; download: first byte to last byte
 * - service / queue: what the server says it spent (Server-Timing or a configured header/field)
 * - network: ttfb − service (per request), the share of the wait the server did not account for
 * - ttft / itl: stream time to first token and inter-token gaps (first token excluded)
 * - tpot: time per output token of a successful response that reported its completion tokens: a plain
 *   response's total / tokens; a stream's time after its first token / the tokens after it
 * - auth: token endpoint round trips
 * - totalUncorrected: open model only, from the actual send time (kept beside the corrected view)
 * - totalFailed / ttfbFailed: the failed attempts' share of total and ttfb, so that the successful
 *   requests' distribution is total − totalFailed (HDR histograms subtract exactly)
 * - call: what the caller waited for one logical request, from its first send (the intended send time in an
 *   open model) to its final outcome, across retries, backoff, rate-limit waits and hedges; callFailed: the
 *   failed calls' share of it, as totalFailed is of total
 */
export const METRIC_NAMES = [
  'total',
  'dns',
  'connect',
  'tls',
  'write',
  'ttfb',
  'download',
  'service',
  'queue',
  'network',
  'ttft',
  'itl',
  'tpot',
  'auth',
  'totalUncorrected',
  'totalFailed',
  'ttfbFailed',
  'call',
  'callFailed',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * Timed quantities of flows, recorded per flow or per async step rather than per request (result.json `flows` and
 * `jobs`), each an HDR histogram of microseconds:
 * - flow: one completed flow iteration, from its first step's (intended) send to the end of its last step, think
 *   time between steps included, think time after the last step not
 * - completion: an async job, from the send of the step that submitted it to the poll response that saw it final
 *   (or the callback's arrival)
 */
export const FLOW_METRIC_NAMES = ['flow', 'completion'] as const;
export type FlowMetricName = (typeof FLOW_METRIC_NAMES)[number];

/** Encoded histograms (hdr-histogram-js compressed base64), present only for metrics that recorded something. */
export type EncodedHistograms = Partial<Record<MetricName, string>>;

/**
 * Why a request did not succeed. `status` is an HTTP response outside 2xx (the status itself is counted in
 * `byStatus`); the others never got a complete response. `interrupted`: still in flight when the run ended
 * (or was stopped) and its graceful stop ran out, so it was cut by tailscope, not by the target; `aborted`:
 * cut by an abort signal; `too_large`: a body past `client.maxResponseBytes` (or a WebSocket message past it).
 * `tls_cert`: the server's certificate was not trusted (self-signed, expired, wrong name, unknown issuer);
 * `tls_handshake`: the TLS handshake itself failed (protocol version, cipher, an alert, plain HTTP on the port).
 * `check`: a complete response with an accepted status that failed one of its request's `checks` (a wrong
 * body, a missing header); which check and why is counted per request in `checks`.
 * `capture`: a value a flow reads from a response was not there (a step's `capture`, a poll's `until`), or the
 * body was not JSON: the attempt fails and its flow iteration ends.
 */
export const ERROR_KINDS = [
  'status',
  'refused',
  'reset',
  'timeout_connect',
  'timeout_first_byte',
  'timeout_total',
  'timeout_idle',
  'dns',
  'tls_cert',
  'tls_handshake',
  'garbage',
  'too_large',
  'interrupted',
  'aborted',
  'socket',
  'auth',
  'check',
  'capture',
  'other',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ErrorCounts {
  total: number;
  byKind: Partial<Record<ErrorKind, number>>;
  /** complete responses only (kind `status`, or `auth` from the token endpoint): a timeout has no status */
  byStatus: Record<string, number>;
  /** why, once per kind: the first failure's message, e.g. `auth: 401 invalid_client from /oauth/token`; secrets scrubbed */
  firstMessages?: Partial<Record<ErrorKind, string>>;
}

/** Counters that are not failures but change how the numbers read. */
export interface ClientCounters {
  /** attempts beyond the first, so retry amplification is visible */
  retries: number;
  /** 429 responses that the client waited out (not failures unless retries ran out) */
  rateLimited: number;
  /** 401s answered by one token refresh and one retry */
  authRefreshes: number;
  /** open model: arrivals that could not be sent on time because no slot was free */
  dropped: number;
  /**
   * completion tokens received: from the server's usage report (a stream's final event, or a plain JSON
   * response's `usage` path), and stream chunks counted; never mixed
   */
  tokensFromUsage: number;
  tokensFromChunks: number;
  /**
   * responses whose server-reported time was longer than the client waited for them: the value is impossible
   * (a wrong unit, a clock that counts something else) and is left out of the service and network split
   */
  serverTimingRejected: number;
  /** live client policy: hedged copies sent, and calls the circuit breaker refused without sending */
  hedges: number;
  breakerRejected: number;
}

/**
 * How a call (one logical request, across its attempts) ended. `timedOut`: its last attempt hit a timeout;
 * `gaveUp`: it failed otherwise (retries, budget or breaker exhausted, or a failure not worth retrying);
 * `interrupted`: the run ended or was stopped while it was still going.
 */
export const CALL_OUTCOMES = ['succeededFirstTime', 'succeededAfterRetries', 'gaveUp', 'timedOut', 'interrupted'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** Calls counted by outcome; failed = every outcome but the two successes. */
export interface CallCounts {
  calls: number;
  failed: number;
  outcomes: Record<CallOutcome, number>;
}
