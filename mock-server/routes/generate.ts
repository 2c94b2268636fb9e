/**
 * POST /v1/generate — the API under test. Checks run cheapest first (auth, rate limit, media type, size,
 * body), then the request waits for a slot and gets its injected service time: plain JSON, SSE, or async job.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { delayAtLeast, nowMs } from '../clock.js';
import { chooseFault, FaultKind, stallHoldMs } from '../faults.js';
import { Exchange, isJsonType, readBody } from '../http.js';
import { parseGenerateBody, type GenerateRequest } from '../request.js';
import { streamWork } from '../stream.js';
import { countCompletionTokens } from '../text.js';
import type { Work } from '../context.js';
import { authenticate } from './authenticate.js';
import { applyFault, sendSlowly } from './faulted.js';
import { asyncWork } from './jobs.js';
import { checkRateLimit } from './limit.js';
import { generateResult } from './result.js';
import { sseSink } from './sse.js';

export function handleGenerate(ex: Exchange): void {
  const grant = authenticate(ex);
  if (!grant) return;
  const ctx = ex.ctx;
  const limit = checkRateLimit(ctx, grant.clientId);
  if (!limit.allowed) {
    ex.error(429, 'rate_limited', `rate limit exceeded for client ${grant.clientId}`, limit.headers);
    return;
  }
  if (!isJsonType(ex.req.headers['content-type'])) {
    ex.error(415, 'unsupported_media_type', 'Content-Type must be application/json', limit.headers);
    return;
  }
  const { limits } = ctx.runtime.profile;
  readBody(ex, limits.bodyBytes, (text) => {
    const parsed = parseGenerateBody(text, limits.maxTokens);
    if (!parsed.ok) {
      ex.error(400, parsed.error, parsed.message, limit.headers, parsed.field);
      return;
    }
    const request = parsed.value;
    let work: Work;
    if (request.stream) work = streamWork(ctx, sseSink(ex, limit.headers), request);
    else if (request.async) {
      const queued = asyncWork(ex, grant.clientId, request);
      if (!ctx.queue.offer(queued.work)) return overloaded(ex, limit.headers);
      ex.json(202, { id: queued.id }, undefined, 0, { ...limit.headers, location: `/v1/jobs/${queued.id}` });
      return;
    } else work = plainWork(ex, request, limit.headers);
    if (!ctx.queue.offer(work)) overloaded(ex, limit.headers);
  });
}

function overloaded(ex: Exchange, headers: OutgoingHttpHeaders | undefined): void {
  ex.error(503, 'overloaded', 'queue is full', { ...headers, 'retry-after': '1' });
}

function plainWork(ex: Exchange, request: GenerateRequest, headers: OutgoingHttpHeaders | undefined): Work {
  const ctx = ex.ctx;
  let completionTokens = 0;
  return {
    enqueuedAtMs: nowMs(),
    drawServiceMs() {
      const { runtime } = ctx;
      completionTokens = countCompletionTokens(request.maxTokens, runtime.profile.generate.completionFraction, ctx.latencyRng);
      const baseMs = runtime.generateLatency(ctx.latencyRng);
      const perTokenMs = runtime.perToken(ctx.latencyRng);
      return baseMs + perTokenMs * completionTokens;
    },
    start(queueMs, serviceMs, done) {
      const serviceStartMs = nowMs();
      delayAtLeast(serviceMs, () => {
        // app is measured, not copied from the draw: it is what the server really spent, timer slack included.
        const appMs = nowMs() - serviceStartMs;
        done();
        const holdMs = stallHoldMs(nowMs() - ctx.startedAtMs, ctx.runtime.profile.faults.stall);
        if (holdMs <= 0) return respond(ex, request, headers, completionTokens, appMs, queueMs);
        const holdStartMs = nowMs();
        delayAtLeast(holdMs, () => respond(ex, request, headers, completionTokens, appMs, queueMs + nowMs() - holdStartMs));
      });
    },
  };
}

function respond(
  ex: Exchange,
  request: GenerateRequest,
  headers: OutgoingHttpHeaders | undefined,
  completionTokens: number,
  appMs: number,
  queueMs: number,
): void {
  const ctx = ex.ctx;
  ctx.stats.recordInjected(appMs, queueMs);
  const { runtime } = ctx;
  const fault = runtime.faultsOnGenerate ? chooseFault(ctx.faultRng.next(), runtime.profile.faults) : undefined;
  if (fault && applyFault(ex, fault, appMs, queueMs)) return;
  const body = generateResult(ex, request, completionTokens, appMs, queueMs);
  const slowBody = runtime.profile.faults.slowBody;
  if (fault?.kind === FaultKind.SlowBody && slowBody) {
    sendSlowly(ex, 200, JSON.stringify(body), appMs, queueMs, slowBody);
    return;
  }
  ex.json(200, body, appMs, queueMs, headers);
}
