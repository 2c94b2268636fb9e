/**
 * Token streaming, independent of transport (SSE or WebSocket). Timing: the first token after `ttft`, each
 * following token after an `interToken` draw, the summary right after the last token; the slot is held for the
 * whole stream, as an inference server holds a sequence in its batch. A client that disconnects frees the slot.
 */
import { delayAtLeast, nowMs } from './clock.js';
import { chooseFault, FaultKind, stallHoldMs, type FaultChoice } from './faults.js';
import { roundMs } from './http.js';
import type { MockContext, Work } from './context.js';
import type { GenerateRequest } from './request.js';
import { countCompletionTokens, countPromptTokens, tokenText, usage, type Usage } from './text.js';

export interface StreamSummary {
  usage: Usage;
  /** latency_ms: service time of the whole stream; ttft_ms: its first part; queue_ms: wait before it began. */
  meta: { latency_ms: number; ttft_ms: number; queue_ms: number };
}

/** Where a stream goes. `begin` comes once, before the first token; `fault` replaces the whole stream. */
export interface TokenSink {
  readonly closed: boolean;
  begin(ttftMs: number, queueMs: number): void;
  token(text: string, index: number): void;
  finish(summary: StreamSummary): void;
  fault(fault: FaultChoice, appMs: number, queueMs: number): void;
}

export function streamWork(ctx: MockContext, sink: TokenSink, request: GenerateRequest): Work {
  return {
    enqueuedAtMs: nowMs(),
    drawServiceMs: () => 0,
    start(queueMs, _serviceMs, done) {
      const runtime = ctx.runtime;
      const { profile } = runtime;
      const rng = ctx.latencyRng;
      const completionTokens = countCompletionTokens(request.maxTokens, profile.generate.completionFraction, rng);
      const fault = runtime.faultsOnGenerate ? chooseFault(ctx.faultRng.next(), profile.faults) : undefined;
      const serviceStartMs = nowMs();
      let heldMs = 0;
      let ttftMs = 0;
      let index = 0;

      const end = (): void => {
        ctx.stats.recordInjected(nowMs() - serviceStartMs - heldMs, queueMs + heldMs);
        done();
      };

      // A loop, not recursion, so that a zero inter-token delay writes thousands of tokens without deep stacks.
      const nextToken = (): void => {
        for (;;) {
          if (sink.closed) return end();
          if (index >= completionTokens) {
            const serviceMs = nowMs() - serviceStartMs - heldMs;
            const summary: StreamSummary = {
              usage: usage(countPromptTokens(request.prompt), completionTokens),
              meta: { latency_ms: roundMs(serviceMs), ttft_ms: roundMs(ttftMs), queue_ms: roundMs(queueMs + heldMs) },
            };
            end();
            sink.finish(summary);
            return;
          }
          sink.token(tokenText(ctx.textRng), index++);
          const delayMs = runtime.interToken(rng);
          if (delayMs > 0) return delayAtLeast(delayMs, nextToken);
        }
      };

      const firstToken = (): void => {
        if (sink.closed) return end();
        if (fault && fault.kind !== FaultKind.None && fault.kind !== FaultKind.SlowBody) {
          end();
          sink.fault(fault, ttftMs, queueMs + heldMs);
          return;
        }
        sink.begin(ttftMs, queueMs + heldMs);
        nextToken();
      };

      delayAtLeast(runtime.ttft(rng), () => {
        ttftMs = nowMs() - serviceStartMs;
        // A stall holds the first byte; the hold is wait (queue), not service.
        const holdMs = stallHoldMs(nowMs() - ctx.startedAtMs, profile.faults.stall);
        if (holdMs <= 0) return firstToken();
        const holdStartMs = nowMs();
        delayAtLeast(holdMs, () => {
          heldMs = nowMs() - holdStartMs;
          firstToken();
        });
      });
    },
  };
}
