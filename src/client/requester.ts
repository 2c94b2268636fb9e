import { performance } from 'node:perf_hooks';
import { emptyTimings, type Engine, type Outcome, type PreparedRequest } from '../engines/types.js';
import { loadLevelBand, PolicyState, type CallPolicy } from '../shared/call-policy.js';
import { failedCallOutcome, type AttemptRecord, type CallRecord } from '../metrics/metric-set.js';
import { failedAttempt, toAttempt } from '../metrics/attempt.js';
import type { CallOutcome, ClientCounters, ErrorKind } from '../metrics/vocabulary.js';
import { backoffDelayMs, type BackoffPolicy } from '../shared/backoff.js';
import { AuthError, type OAuth2Session } from './oauth2.js';
import { inspectResponse, type ResponseRules } from './response-rules.js';

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
  /** one call finished: the caller's whole wait across its attempts, and how it ended */
  onCall(name: string, call: CallRecord): void;
  /** resolves after ms, or early when the run is stopping (then returns false) */
  sleep(ms: number): Promise<boolean>;
  /** replaces every secret the worker knows in a failure message (a target may echo them back) */
  redact?(text: string): string;
  /** the run's load level now (concurrency, or arrivals/s in an open model): a per-load-level timeout reads it */
  loadLevel?(): number;
}

/**
 * Reads a successful response further (a flow step's captures, a poll's state): the reason it cannot go on, with
 * the error kind to count the attempt under, or undefined when it can.
 */
export type ResponseJudge = (outcome: Outcome) => { kind: ErrorKind; reason: string } | undefined;

/** How a logical request ended: its last attempt's outcome and when that attempt went out (performance.now() ms). */
export interface Executed {
  ok: boolean;
  outcome: Outcome | undefined;
  sentAtMs: number;
}

/**
 * What a real client does around one logical request (a call): attaches the Bearer token, answers a 401 with
 * one token refresh and one retry, waits out a 429's Retry-After, and retries failures with backoff and jitter.
 *
 * Counting rules (so figures add up against the server's own count):
 * - every attempt that got an answer or failed reaches `onAttempt`, a waited-out 429 included (as a failed
 *   attempt with status 429, and counted in `rateLimited`): the wire's view, where `status(429)` is the true
 *   share of 429s;
 * - a 401 answered by a refresh is counted (`authRefreshes`) but is not an attempt: the target did not fail;
 * - every retry after a failure is counted in `retries`, so retry amplification is visible;
 * - every call reaches `onCall` once, with what its caller waited from the first send (the intended send time
 *   in an open model) to its final outcome: attempts, backoff and Retry-After waits together.
 */
export class Requester {
  constructor(
    private readonly engine: Engine,
    private readonly auth: OAuth2Session | undefined,
    private readonly policy: RetryPolicy,
    private readonly isSuccess: (request: { name: string }, status: number) => boolean,
    private readonly hooks: RequesterHooks,
    private readonly random: () => number,
    /** a live client policy (`client.policy`): retry budget, hedging, circuit breaker, adaptive timeout */
    callPolicy?: CallPolicy,
    /** checks and usage paths by request name (only requests that have them) */
    private readonly responseRules: ReadonlyMap<string, ResponseRules> = new Map(),
  ) {
    this.state = callPolicy ? new PolicyState(callPolicy) : undefined;
  }

  private readonly state: PolicyState | undefined;

  /**
   * Runs the request to its end. `intendedAtMs` (performance.now() time) is when the schedule wanted it
   * sent: in an open model latency counts from then, so a stalled target cannot hide its stall. `judge` reads a
   * successful response further; a reason from it fails the attempt (never retried: the target answered).
   */
  execute(request: PreparedRequest, intendedAtMs?: number, judge?: ResponseJudge): Promise<Executed> {
    if (this.auth !== undefined || this.state !== undefined) return this.call(request, intendedAtMs, judge);
    // Most calls need no token and no policy, and succeed at their first attempt: that attempt runs without an
    // async frame of its own (this runs once per request). Anything else goes on in call(), from that attempt.
    const callStartMs = intendedAtMs ?? performance.now();
    const sentAtMs = performance.now();
    return this.engine.send(request).then((outcome) => {
      const tried = this.judged(request, outcome, sentAtMs, intendedAtMs, true, judge);
      if (!tried.ok) return this.call(request, intendedAtMs, judge, { tried, sentAtMs, callStartMs });
      this.hooks.onAttempt(request.name, tried.attempt);
      return this.ended(request.name, 'succeededFirstTime', callStartMs, 1, outcome, sentAtMs);
    });
  }

  /** The whole call: token, 401 refresh, 429 waits, retries, policy. `resumed`: its first attempt, already sent. */
  private async call(request: PreparedRequest, intendedAtMs?: number, judge?: ResponseJudge, resumed?: FirstAttempt): Promise<Executed> {
    // In an open model the call, like its first attempt, counts from when the schedule wanted it sent.
    const callStartMs = resumed?.callStartMs ?? intendedAtMs ?? performance.now();
    let attempts = 0;
    let sentAtMs = callStartMs;
    let last: Outcome | undefined;
    const finish = (outcome: CallOutcome): Executed => this.ended(request.name, outcome, callStartMs, attempts, last, sentAtMs);
    let retries = 0;
    let refreshedFor401 = false;
    let rateLimitWaits = 0;
    this.state?.budget?.deposit();
    for (;;) {
      let token: string | undefined;
      let tried: Tried;
      if (resumed) {
        ({ tried, sentAtMs } = resumed);
        attempts += 1;
        resumed = undefined;
      } else {
        if (this.auth) {
          try {
            token = await this.auth.token();
          } catch (error) {
            attempts += 1;
            this.hooks.onAttempt(request.name, this.explained(authFailure(error), request));
            return finish('gaveUp');
          }
        }
        const authorization = token === undefined ? undefined : this.bearer(token);
        if (this.state) {
          // An open breaker refuses the call without sending: the caller fails fast.
          if (this.state.breaker && !this.state.breaker.allow(performance.now())) {
            this.hooks.onCounter(request.name, 'breakerRejected');
            return finish('gaveUp');
          }
          sentAtMs = performance.now();
          tried = await this.tryWithPolicy(this.state, request, authorization, intendedAtMs, attempts === 0, judge);
          attempts += tried.sent;
        } else {
          sentAtMs = performance.now();
          // The token travels beside the shared prepared request, never copied into it.
          const outcome = await this.engine.send(request, authorization);
          tried = this.judged(request, outcome, sentAtMs, intendedAtMs, attempts === 0, judge);
          attempts += 1;
        }
      }
      const { outcome, ok, attempt } = tried;
      last = outcome;
      const status = outcome.status;

      if (status === 401 && this.auth && token && !refreshedFor401) {
        // Answered by a refresh: the target did not fail. A policy has recorded its attempts as they settled.
        if (!tried.recorded) attempts -= tried.sent;
        refreshedFor401 = true;
        this.hooks.onCounter(request.name, 'authRefreshes');
        try {
          await this.auth.renew(token);
        } catch (error) {
          attempts += 1;
          this.hooks.onAttempt(request.name, this.explained(authFailure(error), request));
          return finish('gaveUp');
        }
        continue;
      }

      if (status === 429 && this.policy.respectRetryAfter && rateLimitWaits < Math.max(this.policy.max, 1) + 2) {
        const waitMs = outcome.retryAfterMs >= 0 ? outcome.retryAfterMs : backoffDelayMs(rateLimitWaits + 1, this.policy, this.random);
        if (waitMs <= this.policy.maxRetryAfterMs) {
          rateLimitWaits += 1;
          // The 429 is an attempt the target refused: counted where status(429) reads it, then waited out.
          if (!tried.recorded) this.hooks.onAttempt(request.name, this.explained(attempt, request, outcome));
          this.hooks.onCounter(request.name, 'rateLimited');
          if (!(await this.hooks.sleep(waitMs))) return finish('interrupted');
          continue;
        }
      }

      if (!tried.recorded) this.hooks.onAttempt(request.name, ok ? attempt : this.explained(attempt, request, outcome));
      if (ok) return finish(attempts === 1 ? 'succeededFirstTime' : 'succeededAfterRetries');
      if (retries >= this.policy.max || !this.shouldRetry(outcome)) return finish(failedCallOutcome(attempt.errorKind));
      if (this.state?.budget && !this.state.budget.withdraw()) return finish(failedCallOutcome(attempt.errorKind));
      retries += 1;
      this.hooks.onCounter(request.name, 'retries');
      if (!(await this.hooks.sleep(backoffDelayMs(retries, this.policy, this.random)))) return finish('interrupted');
    }
  }

  /** Records the call once it has ended, and tells the caller (a flow step) how. */
  private ended(
    name: string,
    outcome: CallOutcome,
    callStartMs: number,
    attempts: number,
    last: Outcome | undefined,
    sentAtMs: number,
  ): Executed {
    this.hooks.onCall(name, { outcome, latencyUs: Math.max(0, performance.now() - callStartMs) * 1000, attempts });
    return { ok: outcome === 'succeededFirstTime' || outcome === 'succeededAfterRetries', outcome: last, sentAtMs };
  }

  /**
   * One try under a live policy: an attempt cut at the policy's timeout, raced by a hedged copy after the hedge
   * delay; the first success wins, else the last failure. Every attempt is recorded when it settles (a hedge's
   * loser too, after the call may have finished: it was real load on the target). Engines have no per-request
   * abort, so a cut or losing attempt is abandoned, not cancelled: its socket stays busy until its answer comes.
   */
  private async tryWithPolicy(
    state: PolicyState,
    request: PreparedRequest,
    authorization: string | undefined,
    intendedAtMs: number | undefined,
    firstTry: boolean,
    judge: ResponseJudge | undefined,
  ): Promise<Tried> {
    const cut = policyCut(state, this.hooks.loadLevel?.());
    const launch = (first: boolean): Promise<Tried> => {
      const sentAt = performance.now();
      const sent = this.engine.send(request, authorization).then((outcome): Tried => {
        // A timer fires late on a busy event loop: an answer that came after the timeout is still cut, or the
        // adaptive window would learn from answers the policy was meant to refuse.
        const answeredAfterMs = outcome.timings.totalUs >= 0 ? outcome.timings.totalUs / 1000 : performance.now() - sentAt;
        if (cut && answeredAfterMs > cut.ms) return policyTimeout(cut, sentAt, intendedAtMs, first);
        return this.judged(request, outcome, sentAt, intendedAtMs, first, judge);
      });
      const settled =
        cut === undefined
          ? sent
          : new Promise<Tried>((resolve) => {
              const timer = setTimeout(() => resolve(policyTimeout(cut, sentAt, intendedAtMs, first)), cut.ms);
              void sent.then((tried) => {
                clearTimeout(timer);
                resolve(tried);
              });
            });
      return settled.then((tried) => {
        const failed = !tried.ok && !(tried.outcome.status >= 400 && tried.outcome.status < 500);
        state.breaker?.record(failed, performance.now());
        if (tried.ok) state.adaptive?.observe(tried.attempt.totalUs / 1000 - (first ? lateMs(sentAt, intendedAtMs) : 0));
        this.hooks.onAttempt(request.name, tried.ok ? tried.attempt : this.explained(tried.attempt, request, tried.outcome));
        return { ...tried, recorded: true };
      });
    };
    const primary = launch(firstTry);
    const hedge = state.policy.hedge;
    if (!hedge) return primary;
    let hedgeTimer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<undefined>((resolve) => {
      hedgeTimer = setTimeout(() => resolve(undefined), hedge.delayMs);
    });
    const early = await Promise.race([primary, waited]);
    clearTimeout(hedgeTimer);
    if (early) return early;
    this.hooks.onCounter(request.name, 'hedges');
    return { ...(await firstSuccess([primary, launch(false)])), sent: 2 };
  }

  /**
   * One answer judged: its status, then its checks. Checks run on every complete response, as k6 counts them;
   * a failed one fails an attempt whose status was accepted (a rejected status stays kind `status`, the more
   * basic failure). Usage tokens read from the body ride on the attempt.
   */
  private judged(
    request: PreparedRequest,
    outcome: Outcome,
    sentAt: number,
    intendedAtMs: number | undefined,
    first: boolean,
    judge: ResponseJudge | undefined,
  ): Tried {
    const statusOk = outcome.errorKind === undefined && this.isSuccess(request, outcome.status);
    const rules = outcome.errorKind === undefined ? this.responseRules.get(request.name) : undefined;
    const findings = rules ? inspectResponse(rules, outcome.status, outcome.response) : undefined;
    const checksOk = statusOk && findings?.failure === undefined;
    // Then what a flow reads from the answer (its captures, a poll's state): the target answered, so a missing
    // value fails the attempt under its own kind and is never retried.
    const judgement = checksOk && judge ? judge(outcome) : undefined;
    const ok = checksOk && judgement === undefined;
    const attempt = toAttempt(outcome, ok, sentAt, intendedAtMs, first);
    if (findings) {
      if (statusOk && !checksOk) attempt.errorKind = 'check';
      if (findings.usageTokens !== undefined) attempt.usageTokens = findings.usageTokens;
      if (findings.checks)
        attempt.checks = this.hooks.redact && findings.failure !== undefined ? this.scrubbed(findings.checks) : findings.checks;
    }
    if (judgement) {
      attempt.errorKind = judgement.kind;
      attempt.errorMessage = judgement.reason;
    }
    return { outcome, ok, attempt, sent: 1 };
  }

  /** Check failures may quote what the target sent back: scrubbed like failure messages. */
  private scrubbed(checks: NonNullable<AttemptRecord['checks']>): AttemptRecord['checks'] {
    return checks.map((check) => (check.failure === undefined ? check : { ...check, failure: this.hooks.redact!(check.failure) }));
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

/** A call's first attempt, sent and judged before the call needed more than one. */
interface FirstAttempt {
  tried: Tried;
  sentAtMs: number;
  callStartMs: number;
}

/** What one try came to: the attempt that decides the call, and how many attempts it sent. */
interface Tried {
  outcome: Outcome;
  ok: boolean;
  attempt: AttemptRecord;
  sent: number;
  /** already handed to onAttempt (a policy's attempts are recorded as they settle) */
  recorded?: boolean;
}

/** The first try to succeed, or the last to fail when none does. */
function firstSuccess(tries: readonly Promise<Tried>[]): Promise<Tried> {
  return new Promise((resolve) => {
    let pending = tries.length;
    for (const t of tries)
      void t.then((tried) => {
        pending -= 1;
        if (tried.ok || pending === 0) resolve(tried);
      });
  });
}

function lateMs(sentAt: number, intendedAtMs: number | undefined): number {
  return intendedAtMs === undefined ? 0 : Math.max(0, sentAt - intendedAtMs);
}

/** The policy's timeout for an attempt sent now, and which rule set it (the lower of the two cuts). */
interface PolicyCut {
  ms: number;
  rule: string;
}

function policyCut(state: PolicyState, loadLevel: number | undefined): PolicyCut | undefined {
  const adaptiveMs = state.adaptive?.currentMs();
  const bands = state.policy.loadLevelTimeouts;
  const band = bands && loadLevel !== undefined ? loadLevelBand(bands, loadLevel) : undefined;
  if (band && (adaptiveMs === undefined || band.totalMs <= adaptiveMs))
    return { ms: band.totalMs, rule: `load level ${Math.round(loadLevel!)}'s timeout` };
  return adaptiveMs === undefined ? undefined : { ms: adaptiveMs, rule: 'the adaptive timeout' };
}

/** An attempt the policy's own timeout cut: no answer within its timeout of its send. */
function policyTimeout(cut: PolicyCut, sentAt: number, intendedAtMs: number | undefined, first: boolean): Tried {
  const attempt = failedAttempt('timeout_total', 0, (cut.ms + (first ? lateMs(sentAt, intendedAtMs) : 0)) * 1000);
  attempt.errorMessage = `no answer within ${cut.rule} of ${Math.round(cut.ms)} ms`;
  const outcome: Outcome = {
    status: 0,
    errorKind: 'timeout_total',
    errorMessage: attempt.errorMessage,
    timings: emptyTimings(),
    serviceUs: -1,
    queueUs: -1,
    retryAfterMs: -1,
  };
  return { outcome, ok: false, attempt, sent: 1 };
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
  else if (attempt.errorKind === 'check')
    text = `${attempt.checks?.find((check) => check.failure !== undefined)?.failure ?? 'a check failed'} (${where})`;
  else if (attempt.errorKind === 'capture') text = `${attempt.errorMessage ?? 'a value the flow reads was missing'} (${where})`;
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
