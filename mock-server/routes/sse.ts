/**
 * Server-Sent Events transport for a token stream. Server-Timing goes out with the headers, which are sent
 * when the first token is ready, so there `app` is the time to first token (service so far) and `queue` the wait
 * before it; the full service time arrives in the final event's `meta.latency_ms`.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { serverTiming, type Exchange } from '../http.js';
import type { StreamSummary, TokenSink } from '../stream.js';
import { applyFault } from './faulted.js';

export function sseSink(ex: Exchange, headers: OutgoingHttpHeaders | undefined): TokenSink {
  const { res } = ex;
  let closed = false;
  res.once('close', () => (closed = true));
  return {
    get closed() {
      return closed;
    },
    begin(ttftMs, queueMs) {
      ex.count(200);
      res.writeHead(200, {
        ...headers,
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        'server-timing': serverTiming(ttftMs, queueMs),
      });
    },
    token(text, index) {
      // Words come from a fixed vocabulary with no quotes or backslashes, so no JSON escaping is needed.
      res.write(`data: {"token":"${text}","index":${index}}\n\n`);
    },
    finish(summary: StreamSummary) {
      res.write(`data: ${JSON.stringify(summary)}\n\n`);
      res.end('data: [DONE]\n\n');
    },
    fault(fault, appMs, queueMs) {
      applyFault(ex, fault, appMs, queueMs);
    },
  };
}
