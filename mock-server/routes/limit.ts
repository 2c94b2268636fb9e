/** Per-client rate limiting at the HTTP edge: 429 with Retry-After, and x-ratelimit-* on every answer. */
import type { OutgoingHttpHeaders } from 'node:http';
import { nowMs } from '../clock.js';
import type { MockContext } from '../context.js';

export type LimitOutcome = { allowed: true; headers: OutgoingHttpHeaders | undefined } | { allowed: false; headers: OutgoingHttpHeaders };

export function checkRateLimit(ctx: MockContext, clientId: string): LimitOutcome {
  const limiter = ctx.runtime.limiter;
  if (!limiter) return { allowed: true, headers: undefined };
  const decision = limiter.take(clientId, nowMs());
  const headers: OutgoingHttpHeaders = {
    'x-ratelimit-limit': String(decision.limit),
    'x-ratelimit-remaining': String(decision.remaining),
    'x-ratelimit-reset': String(decision.resetSec),
  };
  if (decision.allowed) return { allowed: true, headers };
  headers['retry-after'] = String(decision.retryAfterSec);
  return { allowed: false, headers };
}
