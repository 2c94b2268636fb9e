import { performance } from 'node:perf_hooks';
import type { Engine, Outcome, PreparedRequest } from '../engines/types.js';
import type { AttemptRecord } from '../metrics/metric-set.js';
import type { ClientCounters } from '../metrics/vocabulary.js';
import { backoffDelayMs, type BackoffPolicy } from '../shared/backoff.js';
import { AuthError, type OAuth2Session } from './oauth2.js';

export interface RetryPolicy extends BackoffPolicy {
  max: number;
  respectRetryAfter: boolean;
  maxRetryAfterMs: number;
  on: ReadonlyArray<'5xx' | '429' | 'connect' | 'reset' | 'timeout'>;
}

export interface RequesterHooks {
  /** one attempt that counts as a request: a success, or a failure the client gave up on or retried */
  onAttempt(name: string, attempt: AttemptRecord): void;
  onCounter(name: string, counter: keyof ClientCounters, by?: number): void;
  /** resolves after ms, or early when the run is stopping (then returns false) */
  sleep(ms: number): Promise<boolean>;
  /** replaces every secret the worker knows in a failure message (a target may echo them back) */
  redact?(text: string): string;
}

/**
 * What a real client does around one logical request: attaches the Bearer token, answers a 401 with one
 * token refresh and one retry, waits out a 429's Retry-After, and retries failures with backoff and jitter.
 *
 * Counting rules (so figures add up against the server's own count):
 * - every attempt that reaches `onAttempt` is one request, with its latency recorded;
 * - a 429 that is waited out and a 401 answered by a refresh are counted (`rateLimited`, `authRefreshes`)
 *   but are not requests, so they neither skew latency nor count as errors;
 * - every retry after a failure is counted in `retries`, so retry amplification is visible.
 */
export class Requester {
  constructor(
    private readonly engine: Engine,
    private readonly auth: OAuth2Session | undefined,
    private readonly policy: RetryPolicy,
    private readonly isSuccess: (request: { name: string }, status: number) => boolean,
    private readonly hooks: RequesterHooks,
    private readonly random: () => number,
  ) {}

  /**
   * Runs the request to its end. `intendedAtMs` (performance.now() time) is when the schedule wanted it
   * sent: in an open model latency counts from then, so a stalled target cannot hide its stall.
   */
  async execute(request: PreparedRequest, intendedAtMs?: number): Promise<void> {
    let retries = 0;
    let refreshedFor401 = false;
    let rateLimitWaits = 0;
    for (;;) {
      let token: string | undefined;
      if (this.auth) {
        try {
          token = await this.auth.token();
        } catch (error) {
          this.hooks.onAttempt(request.name, this.explained(authFailure(error), request));
          return;
        }
      }
      const sentAt = performance.now();
      // The token travels beside the shared prepared request, never copied into it.
      const outcome = await this.engine.send(request, token === undefined ? undefined : this.bearer(token));
      const status = outcome.status;

      if (status === 401 && this.auth && token && !refreshedFor401) {
        refreshedFor401 = true;
        this.hooks.onCounter(request.name, 'authRefreshes');
        try {
          await this.auth.renew(token);
        } catch (error) {
          this.hooks.onAttempt(request.name, this.explained(authFailure(error), request));
          return;
        }
        continue;
      }

      if (status === 429 && this.policy.respectRetryAfter && rateLimitWaits < Math.max(this.policy.max, 1) + 2) {
        const waitMs = outcome.retryAfterMs >= 0 ? outcome.retryAfterMs : backoffDelayMs(rateLimitWaits + 1, this.policy, this.random);
        if (waitMs <= this.policy.maxRetryAfterMs) {
          rateLimitWaits += 1;
          this.hooks.onCounter(request.name, 'rateLimited');
          if (!(await this.hooks.sleep(waitMs))) return;
          continue;
        }
      }

      const ok = outcome.errorKind === undefined && this.isSuccess(request, status);
      const attempt = toAttempt(outcome, ok, sentAt, intendedAtMs, retries === 0);
      this.hooks.onAttempt(request.name, ok ? attempt : this.explained(attempt, request, outcome));
      if (ok || retries >= this.policy.max || !this.shouldRetry(outcome)) return;
      retries += 1;
      this.hooks.onCounter(request.name, 'retries');
      if (!(await this.hooks.sleep(backoffDelayMs(retries, this.policy, this.random)))) return;
    }
  }

  /** A failed attempt with its one-line reason, scrubbed: only failures pay for building it. */
  private explained(attempt: AttemptRecord, request: PreparedRequest, outcome?: Outcome): AttemptRecord {
    const message = failureMessage(attempt, request, outcome);
    attempt.errorMessage = this.hooks.redact ? this.hooks.redact(message) : message;
    return attempt;
  }

  private lastToken = '';
  private lastBearer = '';

  /** The Authorization value for a token, built once per token rather than once per attempt. */
  private bearer(token: string): string {
    if (token !== this.lastToken) {
      this.lastToken = token;
      this.lastBearer = `Bearer ${token}`;
    }
    return this.lastBearer;
  }

  private shouldRetry(outcome: Outcome): boolean {
    const on = this.policy.on;
    switch (outcome.errorKind) {
      case undefined:
        return (outcome.status >= 500 && on.includes('5xx')) || (outcome.status === 429 && on.includes('429'));
      case 'refused':
      case 'timeout_connect':
      case 'dns':
        return on.includes('connect');
      case 'reset':
      case 'garbage':
        return on.includes('reset');
      case 'timeout_first_byte':
      case 'timeout_total':
      case 'timeout_idle':
        return on.includes('timeout');
      default:
        return false;
    }
  }
}

/**
 * Turns engine timestamps (µs since send) into phase durations for the histograms. With an intended send
 * time (open model), the first attempt's latency counts from it and the uncorrected view is kept beside.
 */
export function toAttempt(outcome: Outcome, ok: boolean, sentAtMs: number, intendedAtMs?: number, firstAttempt = true): AttemptRecord {
  const t = outcome.timings;
  const finishedUs = t.totalUs >= 0 ? t.totalUs : (performance.now() - sentAtMs) * 1000;
  const lateUs = intendedAtMs !== undefined && firstAttempt ? Math.max(0, (sentAtMs - intendedAtMs) * 1000) : 0;
  const dnsEnd = Math.max(t.dnsUs, 0);
  const connectEnd = t.connectUs >= 0 ? t.connectUs : dnsEnd;
  const hasResponse = t.ttfbUs >= 0;
  // A stream's server timing arrives with the headers, so it is held against the wait to the first byte.
  const waitedUs = outcome.stream ? t.ttfbUs : finishedUs;
  const reportedUs = hasResponse ? outcome.serviceUs : -1;
  const serverTimingRejected = reportedUs > waitedUs + Math.max(SERVER_TIMING_SLACK_US, waitedUs * SERVER_TIMING_SLACK_SHARE);
  const serviceUs = serverTimingRejected ? -1 : reportedUs;
  return {
    ok,
    status: outcome.status,
    errorKind: outcome.errorKind ?? (ok ? undefined : 'status'),
    totalUs: finishedUs + lateUs,
    // The uncorrected view starts when the request actually went out on a socket, as a tool that waits
    // for a free connection before timing would see it (wrk's view, which wrk2 corrects).
    totalUncorrectedUs: intendedAtMs !== undefined ? finishedUs - Math.max(t.socketUs, 0) : -1,
    dnsUs: t.dnsUs,
    connectUs: t.connectUs >= 0 ? t.connectUs - dnsEnd : -1,
    tlsUs: t.tlsUs >= 0 ? t.tlsUs - connectEnd : -1,
    writeUs: t.writeUs,
    ttfbUs: t.ttfbUs,
    downloadUs: hasResponse && t.totalUs >= 0 ? t.totalUs - t.ttfbUs : -1,
    serviceUs,
    queueUs: hasResponse && !serverTimingRejected ? outcome.queueUs : -1,
    // Whatever of the wait the server does not account for (wire, kernel, proxies, connection setup,
    // download). A stream's server timing arrives with the headers, so for streams it is measured to the
    // first byte; the token phase is the service's.
    networkUs: hasResponse && serviceUs >= 0 && t.totalUs >= 0
      ? Math.max(0, (outcome.stream ? t.ttfbUs : t.totalUs) - serviceUs - Math.max(outcome.queueUs, 0))
      : -1,
    ttftUs: outcome.stream && outcome.stream.ttftUs >= 0 ? outcome.stream.ttftUs + lateUs : -1,
    interTokenUs: outcome.stream?.interTokenUs,
    usageTokens: outcome.stream?.usageTokens,
    chunkTokens: outcome.stream?.chunks,
    ...(serverTimingRejected ? { serverTimingRejected } : {}),
  };
}

/**
 * A server cannot spend longer on a request than its client waited for the answer. Reported durations past the
 * wait by more than this are rejected: 1 ms for servers that round to whole milliseconds, 5% for clocks that
 * run a little differently.
 */
const SERVER_TIMING_SLACK_US = 1_000;
const SERVER_TIMING_SLACK_SHARE = 0.05;

/** Longer messages are cut: a target may answer a failure with a page of HTML. */
const MAX_MESSAGE_CHARS = 200;

/**
 * Why an attempt failed, in one line: the engine's own words when it has them (`getaddrinfo ENOTFOUND
 * api.example`), else the status or the code, and where (`from POST /v1/generate`). The kind is not repeated:
 * reports print it before the message.
 */
export function failureMessage(attempt: AttemptRecord, request: PreparedRequest, outcome?: Outcome): string {
  const where = `${request.method} ${request.path.split('?')[0]}`;
  let text: string;
  if (attempt.errorKind === 'auth') text = attempt.errorMessage ?? 'no token';
  else if (outcome?.errorMessage) {
    // Certificate and handshake errors read as words (`self-signed certificate`): keep the code beside them.
    const code = outcome.errorCode && (attempt.errorKind === 'tls_cert' || attempt.errorKind === 'tls_handshake') && !outcome.errorMessage.includes(outcome.errorCode)
      ? ` (${outcome.errorCode})`
      : '';
    text = `${outcome.errorMessage.split('\n')[0]}${code} (${where})`;
  }
  else if (attempt.errorKind === 'status' || attempt.errorKind === undefined) text = `${attempt.status} from ${where}`;
  else text = `${outcome?.errorCode ?? attempt.errorKind}${attempt.status > 0 ? ` after ${attempt.status} headers` : ''} (${where})`;
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}

function authFailure(error: unknown): AttemptRecord {
  const status = error instanceof AuthError ? error.status : 0;
  return {
    errorMessage: error instanceof Error ? error.message : String(error),
    ok: false, status, errorKind: 'auth', totalUs: 0, totalUncorrectedUs: -1,
    dnsUs: -1, connectUs: -1, tlsUs: -1, writeUs: -1, ttfbUs: -1, downloadUs: -1,
    serviceUs: -1, queueUs: -1, networkUs: -1, ttftUs: -1,
  };
}
