import { createParser, type EventSourceParser } from 'eventsource-parser';
import { performance } from 'node:perf_hooks';
import type { StreamTimings } from './types.js';

/**
 * Times the tokens of a Server-Sent Events response. Each `data:` event other than the final usage report
 * and `[DONE]` is one token chunk. A parser (not a split on "\n\n") so CRLF-framed events count too.
 */
/** One event larger than this is not a token: the stream fails as too_large instead of buffering it. */
export const MAX_SSE_EVENT_CHARS = 1024 * 1024;
/** Gaps kept per stream for the inter-token histogram; a flood past it is still counted, not stored. */
const MAX_STORED_GAPS = 100_000;

export class SseTokenReader {
  private readonly parser: EventSourceParser;
  private firstTokenAt = -1;
  private lastTokenAt = -1;
  private readonly gapsUs: number[] = [];
  private chunks = 0;
  private usageTokens: number | undefined;

  constructor(private readonly startedAt: number) {
    this.parser = createParser({ onEvent: (event) => this.onData(event.data) });
  }

  /** performance.now() of the read being fed: every token in one read arrived then */
  private readAt = 0;

  /** characters fed since the last complete event: what the parser is holding */
  private pendingChars = 0;

  /**
   * Feeds text read at `readAt` (performance.now()); tokens are stamped with the time of their read.
   * Returns false once an event has grown past MAX_SSE_EVENT_CHARS (an endless `data:` line): the caller fails
   * the stream as too_large rather than let the parser hold it.
   */
  push(text: string, readAt = performance.now()): boolean {
    this.readAt = readAt;
    this.pendingChars += text.length;
    if (this.pendingChars > MAX_SSE_EVENT_CHARS) return false;
    this.parser.feed(text);
    return true;
  }

  private onData(data: string): void {
    this.pendingChars = 0;
    if (data === '[DONE]') return;
    const now = this.readAt;
    let usage: number | undefined;
    if (data.includes('"usage"')) {
      try {
        const parsed = JSON.parse(data) as { usage?: { completion_tokens?: number } };
        usage = parsed.usage?.completion_tokens;
      } catch {
        // not JSON: still a chunk of text
      }
    }
    if (usage !== undefined) {
      this.usageTokens = usage;
      return;
    }
    this.chunks += 1;
    if (this.firstTokenAt < 0) this.firstTokenAt = now;
    else if (this.gapsUs.length < MAX_STORED_GAPS) this.gapsUs.push((now - this.lastTokenAt) * 1000);
    this.lastTokenAt = now;
  }

  result(): StreamTimings {
    return {
      ttftUs: this.firstTokenAt < 0 ? -1 : (this.firstTokenAt - this.startedAt) * 1000,
      interTokenUs: this.gapsUs,
      chunks: this.chunks,
      usageTokens: this.usageTokens,
    };
  }
}
