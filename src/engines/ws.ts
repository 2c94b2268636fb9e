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
  private readonly open = new Set<WebSocket>();
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
      let timer: NodeJS.Timeout | undefined;

      const url = new URL(request.path, this.options.baseUrl);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const { 'content-length': _length, 'content-type': _type, ...headers } = request.headers;
      void _length;
      void _type;
      const socket = new WebSocket(url, { headers, perMessageDeflate: false, handshakeTimeout: timeouts.connectMs || undefined });
      this.open.add(socket);

      const settle = (errorKind?: ErrorKind, errorCode?: string) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        this.open.delete(socket);
        if (errorKind === undefined) timings.totalUs = elapsedUs();
        if (errorKind !== undefined && this.closed) errorKind = 'aborted';
        socket.removeAllListeners('message');
        if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.terminate();
        resolve({ status, errorKind, errorCode, timings, serviceUs, queueUs, retryAfterMs: -1, stream });
      };
      const arm = (ms: number, kind: ErrorKind) => {
        if (timer) clearTimeout(timer);
        timer = ms > 0 ? setTimeout(() => settle(kind), ms) : undefined;
      };
      arm(timeouts.firstByteMs || timeouts.totalMs, timeouts.firstByteMs ? 'timeout_first_byte' : 'timeout_total');

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
          arm(timeouts.idleMs || timeouts.totalMs, timeouts.idleMs ? 'timeout_idle' : 'timeout_total');
        } else if (timeouts.idleMs) {
          arm(timeouts.idleMs, 'timeout_idle');
        }
        // ws delivers a Buffer here: its binaryType stays the default 'nodebuffer'.
        const text = (data as Buffer).toString();
        if (text.includes('"usage"') || text.includes('"error"')) {
          try {
            const message = JSON.parse(text) as { usage?: { completion_tokens?: number }; meta?: { latency_ms?: number; queue_ms?: number }; status?: number };
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
      socket.once('error', (error: NodeJS.ErrnoException) => settle(classifyError(error), error.code));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const socket of this.open) socket.terminate();
    this.open.clear();
  }
}
