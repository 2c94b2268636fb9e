/**
 * The client policy a caller wraps around its calls, as plain data with every duration in ms, and the pure
 * state machines that enforce it: a retry budget, a circuit breaker, an adaptive timeout. The live requester
 * and the replay in analysis/ drive the very same classes (the first with the wall clock, the second with a
 * simulated one), so a replay's prediction and a live run differ only in the data, never in the rule.
 */
export interface CallPolicy {
  /** retries may add at most this share of calls (Finagle/Envoy-style budget); undefined = unlimited */
  budgetRatio?: number;
  /** send a second copy when the first has not answered after delayMs; the first success wins */
  hedge?: { delayMs: number };
  breaker?: BreakerSettings;
  /** each attempt's total time is cut at mean + k·σ of the last `window` successful attempts */
  adaptiveTimeout?: AdaptiveTimeoutSettings;
  /** each attempt's total time is cut at its load level's band (the lower of this and the adaptive one cuts) */
  loadLevelTimeouts?: LoadLevelTimeout[];
}

/**
 * One band of a per-load-level timeout: levels up to `upTo` (concurrency in a closed model, arrivals/s in an
 * open one) get `totalMs`; the band without `upTo` covers every level above the others.
 */
export interface LoadLevelTimeout {
  upTo?: number;
  totalMs: number;
}

/** The band a load level falls in (bands ascend by `upTo`), or undefined above them all. */
export function loadLevelBand<Band extends { upTo?: number }>(bands: readonly Band[], level: number): Band | undefined {
  return bands.find((band) => band.upTo === undefined || level <= band.upTo);
}

export interface BreakerSettings {
  /** the last this-many attempts judge the failure rate */
  window: number;
  /** opens when at least this share (0..1) of the window failed */
  failureRate: number;
  /** and the window holds at least this many attempts */
  minCalls: number;
  /** stays open (refusing calls without sending) this long, then lets probes through */
  openMs: number;
  /** half open: this many probe attempts; all must succeed to close, one failure opens again */
  halfOpenProbes: number;
}

export interface AdaptiveTimeoutSettings {
  window: number;
  k: number;
  /** no adaptive timeout until the window holds this many samples (the static one, if any, applies) */
  minSamples: number;
}

/** A Finagle-style budget starts with this many retries in hand, so a quiet client may still retry. */
export const BUDGET_INITIAL_TOKENS = 10;

/** Every call deposits `ratio` of a retry; every retry withdraws one whole. */
export class RetryBudget {
  private tokens = BUDGET_INITIAL_TOKENS;
  constructor(private readonly ratio: number) {}

  deposit(): void {
    this.tokens += this.ratio;
  }

  withdraw(): boolean {
    // Tenths added up drift below the whole (0.2 × 5 = 0.9999…): a hair of slack keeps one per 1/ratio calls.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens -= 1;
    return true;
  }
}

export type BreakerState = 'closed' | 'open' | 'halfOpen';

/**
 * A count-based circuit breaker in the manner of resilience4j: a sliding window of the last N attempts; at
 * `failureRate` or worse (with at least `minCalls` in the window) it opens and refuses calls for `openMs`;
 * then it lets `halfOpenProbes` attempts through, closing when all succeed and opening again on a failure.
 * Time is passed in, so the replay can run it on a simulated clock.
 */
export class CircuitBreaker {
  private stateNow: BreakerState = 'closed';
  private readonly ring: Uint8Array;
  private next = 0;
  private count = 0;
  private failures = 0;
  private openedAtMs = 0;
  private probesSent = 0;
  private probesSucceeded = 0;

  constructor(private readonly settings: BreakerSettings) {
    this.ring = new Uint8Array(settings.window);
  }

  get state(): BreakerState {
    return this.stateNow;
  }

  /** Whether an attempt may be sent now; counts a half-open probe when it lets one through. */
  allow(nowMs: number): boolean {
    if (this.stateNow === 'open') {
      if (nowMs - this.openedAtMs < this.settings.openMs) return false;
      this.stateNow = 'halfOpen';
      this.probesSent = 0;
      this.probesSucceeded = 0;
    }
    if (this.stateNow === 'halfOpen') {
      if (this.probesSent >= this.settings.halfOpenProbes) return false;
      this.probesSent += 1;
    }
    return true;
  }

  /** An attempt's result. `failed`: the target failed it (a 4xx is the caller's own fault and does not count). */
  record(failed: boolean, nowMs: number): void {
    if (this.stateNow === 'open') return; // answers to attempts sent before it opened
    if (this.stateNow === 'halfOpen') {
      if (failed) return this.open(nowMs);
      this.probesSucceeded += 1;
      if (this.probesSucceeded >= this.settings.halfOpenProbes) this.close();
      return;
    }
    if (this.count === this.ring.length) this.failures -= this.ring[this.next]!;
    else this.count += 1;
    this.ring[this.next] = failed ? 1 : 0;
    this.failures += failed ? 1 : 0;
    this.next = (this.next + 1) % this.ring.length;
    if (this.count >= this.settings.minCalls && this.failures / this.count >= this.settings.failureRate) this.open(nowMs);
  }

  private open(nowMs: number): void {
    this.stateNow = 'open';
    this.openedAtMs = nowMs;
  }

  private close(): void {
    this.stateNow = 'closed';
    this.count = 0;
    this.failures = 0;
    this.next = 0;
  }
}

/**
 * The seed's dynamic timeout: mean + k·σ of the recent window of successful attempts. On a heavy tail this
 * rule cuts far more than its normal-curve intuition suggests (mean + 2σ "should" cut 2.3%), and since only
 * attempts that beat it enter the window, it can ratchet down: the replay and the live run show by how much.
 */
export class AdaptiveTimeout {
  private readonly ring: Float64Array;
  private next = 0;
  private count = 0;
  private sum = 0;
  private sumOfSquares = 0;

  constructor(private readonly settings: AdaptiveTimeoutSettings) {
    this.ring = new Float64Array(settings.window);
  }

  observe(latencyMs: number): void {
    if (this.count === this.ring.length) {
      const old = this.ring[this.next]!;
      this.sum -= old;
      this.sumOfSquares -= old * old;
    } else this.count += 1;
    this.ring[this.next] = latencyMs;
    this.sum += latencyMs;
    this.sumOfSquares += latencyMs * latencyMs;
    this.next = (this.next + 1) % this.ring.length;
  }

  /** The timeout now, or undefined while the window holds too few samples. */
  currentMs(): number | undefined {
    if (this.count < this.settings.minSamples) return undefined;
    const mean = this.sum / this.count;
    const variance = Math.max(0, this.sumOfSquares / this.count - mean * mean);
    return mean + this.settings.k * Math.sqrt(variance);
  }
}

/** The policy's state for one client: what a live requester keeps across calls, and a replay across its draws. */
export class PolicyState {
  readonly budget?: RetryBudget;
  readonly breaker?: CircuitBreaker;
  readonly adaptive?: AdaptiveTimeout;

  constructor(readonly policy: CallPolicy) {
    if (policy.budgetRatio !== undefined) this.budget = new RetryBudget(policy.budgetRatio);
    if (policy.breaker) this.breaker = new CircuitBreaker(policy.breaker);
    if (policy.adaptiveTimeout) this.adaptive = new AdaptiveTimeout(policy.adaptiveTimeout);
  }
}
