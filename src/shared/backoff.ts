/** Retry delays: a pure leaf shared by the client that waits them and the replay analysis that simulates them. */
export interface BackoffPolicy {
  backoff: 'exponential' | 'constant';
  baseMs: number;
  maxBackoffMs: number;
  jitter: 'full' | 'equal' | 'none';
}

/**
 * Delay before retry number `retry` (1 for the first retry). Exponential doubles from base up to the cap;
 * "full" jitter draws uniformly in [0, delay], "equal" in [delay/2, delay] — spreading retries so that
 * clients that failed together do not retry together.
 */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number): number {
  const raw = policy.backoff === 'exponential' ? policy.baseMs * 2 ** (retry - 1) : policy.baseMs;
  const capped = Math.min(raw, policy.maxBackoffMs);
  if (policy.jitter === 'full') return random() * capped;
  if (policy.jitter === 'equal') return capped / 2 + random() * (capped / 2);
  return capped;
}
