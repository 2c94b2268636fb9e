/**
 * Token-bucket rate limiting per client. Pure: the caller passes the time, so tests need no clock.
 */

export interface RateLimitDecision {
  allowed: boolean;
  /** Bucket size, for `x-ratelimit-limit`. */
  limit: number;
  /** Whole requests left after this one, for `x-ratelimit-remaining`. */
  remaining: number;
  /** Seconds until the bucket is full again, for `x-ratelimit-reset`. */
  resetSec: number;
  /** Seconds until one request is allowed (integer ≥ 1), for `Retry-After`; 0 when allowed. */
  retryAfterSec: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
  ) {}

  take(key: string, nowMs: number): RateLimitDecision {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.burst, updatedMs: nowMs };
      this.buckets.set(key, bucket);
    } else {
      const refilled = ((nowMs - bucket.updatedMs) / 1000) * this.ratePerSec;
      bucket.tokens = Math.min(this.burst, bucket.tokens + refilled);
      bucket.updatedMs = nowMs;
    }
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    const resetSec = Math.ceil((this.burst - bucket.tokens) / this.ratePerSec);
    // Retry-After must be a whole number of seconds, and 0 would invite an immediate retry storm.
    const retryAfterSec = allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSec));
    return { allowed, limit: this.burst, remaining: Math.floor(bucket.tokens), resetSec, retryAfterSec };
  }
}
