import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ErrorKind } from '../metrics/vocabulary.js';
import { classifyError } from './classify.js';
import { emptyTimings, type Engine, type EngineOptions, type Outcome, type PreparedRequest, type StreamTimings } from './types.js';

/**
 * Token streams over WebSocket: one connection per request (the reference API's shape). The request body
 * is the first message; each following message is a token, a final `usage` message carries the counts and
 * the server's own timing (`meta.latency_ms`, `meta.queue_ms`). A refusal closes with 4000 + the HTTP status
 * it stands for, which is reported as that status.
 */
export class WebSocketEngine implements Engine {
  readonly name = 'ws';
  /** settles each stream in flight, as `close()` does when the run ends */
  private readonly inFlight = new Set<(errorKind: ErrorKind) => void>();
  private closed = false;

  constructor(private readonly options: EngineOptions) {}

  send(prepared: PreparedRequest, authorization?: string): Promise<Outcome> {
    const request = authorization === undefined ? prepared : { ...prepared, headers: { ...prepared.headers, authorization } };
    const { timeouts } = this.options;
    return new Promise<Outcome>((resolve) => {
      const startedAt = performance.now();
      const elapsedUs = () => (performance.now() - startedAt) * 1000;
      const timings = emptyTimings();
      const stream: StreamTimings = { ttftUs: -1, interTokenUs: [], chunks: 0 };
      let lastTokenAt = -1;
      let status = 0;
      let serviceUs = -1;
      let queueUs = -1;
      let settled = false;
      let receivedBytes = 0;
      const maxBytes = this.options.maxResponseBytes ?? Infinity;
      const timers: { total?: NodeJS.Timeout; firstByte?: NodeJS.Timeout; idle?: NodeJS.Timeout } = {};

      const url = new URL(request.path, this.options.baseUrl);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const { 'content-length': _length, 'content-type': _type, ...headers } = request.headers;
      void _length;
      void _type;
      let socket: WebSocket;
      try {
        // maxPayload: one message past the body limit closes the socket with 1009 (message too big).
        socket = new WebSocket(url, {
          ...(url.protocol === 'wss:' ? this.options.tls : undefined),
          headers,
          perMessageDeflate: false,
          handshakeTimeout: timeouts.connectMs || undefined,
          maxPayload: this.options.maxResponseBytes,
        });
      } catch (error) {
        // A header value or URL ws refuses: one failed attempt, not a dead worker.
        resolve({
          status: 0,
          errorKind: 'other',
          errorCode: (error as NodeJS.ErrnoException).code,
          errorMessage: (error as Error).message,
          timings,
          serviceUs: -1,
          queueUs: -1,
          retryAfterMs: -1,
          stream,
        });
        return;
      }

      const settle = (errorKind?: ErrorKind, errorCode?: string, errorMessage?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timers.total);
        clearTimeout(timers.firstByte);
        clearTimeout(timers.idle);
        this.inFlight.delete(settle);
        if (errorKind === undefined) timings.totalUs = elapsedUs();
        // Streams torn down by close() were cut by us, not by the target.
        if (errorKind !== undefined && this.closed) errorKind = 'interrupted';
        socket.removeAllListeners('message');
        if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) {
          if (errorKind === 'too_large' && socket.readyState === WebSocket.OPEN) socket.close(1009);
          else socket.terminate();
        }
        resolve({
          status,
          errorKind,
          errorCode,
          ...(errorMessage !== undefined && { errorMessage }),
          timings,
          serviceUs,
          queueUs,
          retryAfterMs: -1,
          stream,
        });
      };
      this.inFlight.add(settle);
      // The total deadline is absolute: a server that keeps sending can not hold a stream open past it.
      if (timeouts.totalMs > 0) timers.total = setTimeout(() => settle('timeout_total'), timeouts.totalMs);
      if (timeouts.firstByteMs > 0) timers.firstByte = setTimeout(() => settle('timeout_first_byte'), timeouts.firstByteMs);
      const armIdle = () => {
        clearTimeout(timers.idle);
        if (timeouts.idleMs > 0) timers.idle = setTimeout(() => settle('timeout_idle'), timeouts.idleMs);
      };

      socket.once('upgrade', () => {
        timings.connectUs = elapsedUs();
        status = 200;
      });
      socket.once('unexpected-response', (_req, res) => {
        status = res.statusCode ?? 0;
        timings.ttfbUs = elapsedUs();
        timings.totalUs = elapsedUs();
        res.resume();
        settle();
      });
      socket.once('open', () => {
        // As a text frame: the API reads JSON text, and a Buffer would go out as a binary frame.
        socket.send(request.body?.toString('utf8') ?? '', () => {
          timings.writeUs = elapsedUs();
        });
      });
      socket.on('message', (data: WebSocket.RawData) => {
        const now = performance.now();
        if (timings.ttfbUs < 0) {
          timings.ttfbUs = (now - startedAt) * 1000;
          clearTimeout(timers.firstByte);
        }
        armIdle();
        // The whole stream is held to the body limit: a flood of small messages is bounded like one big one.
        receivedBytes += messageBytes(data);
        if (receivedBytes > maxBytes) return settle('too_large', 'E_RESPONSE_TOO_LARGE');
        // ws delivers a Buffer here: its binaryType stays the default 'nodebuffer'.
        const text = (data as Buffer).toString();
        if (text.includes('"usage"') || text.includes('"error"')) {
          try {
            const message = JSON.parse(text) as {
              usage?: { completion_tokens?: number };
              meta?: { latency_ms?: number; queue_ms?: number };
              status?: number;
            };
            if (message.usage) {
              stream.usageTokens = message.usage.completion_tokens;
              if (typeof message.meta?.latency_ms === 'number') serviceUs = message.meta.latency_ms * 1000;
              if (typeof message.meta?.queue_ms === 'number') queueUs = message.meta.queue_ms * 1000;
              return;
            }
            if (typeof message.status === 'number') status = message.status;
            return;
          } catch {
            // a token that happens to contain the word: count it below
          }
        }
        stream.chunks += 1;
        if (lastTokenAt < 0) stream.ttftUs = (now - startedAt) * 1000;
        else stream.interTokenUs.push((now - lastTokenAt) * 1000);
        lastTokenAt = now;
      });
      socket.once('close', (code: number) => {
        // 4000 + status: the server refused with the HTTP status it names.
        if (code >= 4100 && code < 4600) status = code - 4000;
        else if (code !== 1000 && code !== 1005) return settle('reset', `ws_close_${code}`);
        settle();
      });
      socket.once('error', (error: NodeJS.ErrnoException) =>
        settle(error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_large' : classifyError(error), error.code, error.message),
      );
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    // Settled here and now, so the caller counts them before it reports.
    for (const settle of [...this.inFlight]) settle('interrupted');
    this.inFlight.clear();
  }
}

function messageBytes(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
