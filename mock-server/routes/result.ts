/** The 200 body of a generate request, also the result of an async job. */
import { roundMs, type Exchange } from '../http.js';
import type { GenerateRequest } from '../request.js';
import { completionText, countPromptTokens, usage } from '../text.js';

export function generateResult(ex: Exchange, request: GenerateRequest, completionTokens: number, appMs: number, queueMs: number) {
  const ctx = ex.ctx;
  return {
    id: ctx.nextId('gen'),
    result: completionText(ctx.textRng, completionTokens),
    usage: usage(countPromptTokens(request.prompt), completionTokens),
    meta: { latency_ms: roundMs(appMs), queue_ms: roundMs(queueMs) },
  };
}
