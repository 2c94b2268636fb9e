import { performance } from 'node:perf_hooks';
import type { Engine, Outcome, PreparedRequest } from '../engines/types.js';
import type { AttemptRecord } from '../metrics/metric-set.js';
import { failedAttempt, toAttempt } from '../metrics/attempt.js';
import type { ClientCounters, ErrorKind } from '../metrics/vocabulary.js';
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
 * Reads a successful response further (a flow step's captures, a poll's state): the reason it cannot go on, with
 * the error kind to count the attempt under, or undefined when it can.
 */
export type ResponseJudge = (outcome: Outcome) => { kind: ErrorKind; reason: string } | undefined;

/** How a logical request ended: its last attempt's outcome and when that attempt went out (performance.now() ms). */
export interface Executed {
  ok: boolean;
  outcome?: Outcome;
  sentAtMs: number;
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
   * sent: in an open model latency counts from then, so a stalled target cannot hide its stall. `judge` reads a
   * successful response further; a reason from it fails the attempt (never retried: the target answered).
   */
  async execute(request: PreparedRequest, intendedAtMs?: number, judge?: ResponseJudge): Promise<Executed> {
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
          return { ok: false, sentAtMs: performance.now() };
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
          return { ok: false, outcome, sentAtMs: sentAt };
        }
        continue;
      }

      if (status === 429 && this.policy.respectRetryAfter && rateLimitWaits < Math.max(this.policy.max, 1) + 2) {
        const waitMs = outcome.retryAfterMs >= 0 ? outcome.retryAfterMs : backoffDelayMs(rateLimitWaits + 1, this.policy, this.random);
        if (waitMs <= this.policy.maxRetryAfterMs) {
          rateLimitWaits += 1;
          this.hooks.onCounter(request.name, 'rateLimited');
          if (!(await this.hooks.sleep(waitMs))) return { ok: false, outcome, sentAtMs: sentAt };
          continue;
        }
      }

      const ok = outcome.errorKind === undefined && this.isSuccess(request, status);
      const attempt = toAttempt(outcome, ok, sentAt, intendedAtMs, retries === 0);
      const judged = ok && judge ? judge(outcome) : undefined;
      if (judged) {
        attempt.ok = false;
        attempt.errorKind = judged.kind;
        const text = `${judged.reason} (${request.method} ${request.path.split('?')[0]})`;
        attempt.errorMessage = this.hooks.redact ? this.hooks.redact(text) : text;
        this.hooks.onAttempt(request.name, attempt);
        return { ok: false, outcome, sentAtMs: sentAt };
      }
      this.hooks.onAttempt(request.name, ok ? attempt : this.explained(attempt, request, outcome));
      if (ok || retries >= this.policy.max || !this.shouldRetry(outcome)) return { ok, outcome, sentAtMs: sentAt };
      retries += 1;
      this.hooks.onCounter(request.name, 'retries');
      if (!(await this.hooks.sleep(backoffDelayMs(retries, this.policy, this.random)))) return { ok: false, outcome, sentAtMs: sentAt };
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
    const code =
      outcome.errorCode &&
      (attempt.errorKind === 'tls_cert' || attempt.errorKind === 'tls_handshake') &&
      !outcome.errorMessage.includes(outcome.errorCode)
        ? ` (${outcome.errorCode})`
        : '';
    text = `${outcome.errorMessage.split('\n')[0]}${code} (${where})`;
  } else if (attempt.errorKind === 'status' || attempt.errorKind === undefined) text = `${attempt.status} from ${where}`;
  else text = `${outcome?.errorCode ?? attempt.errorKind}${attempt.status > 0 ? ` after ${attempt.status} headers` : ''} (${where})`;
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}

function authFailure(error: unknown): AttemptRecord {
  const status = error instanceof AuthError ? error.status : 0;
  return failedAttempt('auth', status, 0, error instanceof Error ? error.message : String(error));
}
