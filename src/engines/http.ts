import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type { ErrorKind } from '../metrics/vocabulary.js';
import { classifyError } from './classify.js';
import { durationHeaderMs, retryAfterMs, serverTimingMs } from './server-timing.js';
import { MAX_SSE_EVENT_CHARS, SseTokenReader } from './sse.js';
import { emptyTimings, type Engine, type EngineOptions, type Outcome, type PreparedRequest } from './types.js';

/**
 * The default engine: node:http with every phase timed on the monotonic clock — DNS, connect and TLS when
 * a new socket opens, request written, first byte, last byte — and the server's own account of its time
 * read from Server-Timing (or a configured duration header).
 */
export class TimedHttpEngine implements Engine {
  readonly name = 'node';
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  /** settles each request in flight, as `close()` does when the run ends */
  private readonly inFlight = new Set<(errorKind: ErrorKind) => void>();
  private readonly hostname: string;
  private readonly port: number;
  private readonly family: 4 | 6 | undefined;
  private readonly serverTimingIsHeader: boolean;
  /** node lower-cases response header names; the configured one is lower-cased once, not per response */
  private readonly timingHeaderName: string;
  private closed = false;

  constructor(private readonly options: EngineOptions) {
    const isHttps = options.baseUrl.protocol === 'https:';
    this.transport = isHttps ? https : http;
    const agentOptions = {
      keepAlive: options.keepAlive,
      maxSockets: options.poolSize,
      maxFreeSockets: options.poolSize,
      scheduling: 'lifo' as const,
    };
    // The agent hands its options to tls.connect for every socket it opens: CA, client certificate, verification.
    this.agent = isHttps ? new https.Agent({ ...agentOptions, ...options.tls }) : new http.Agent(agentOptions);
    this.hostname = options.baseUrl.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(options.baseUrl.port) || (isHttps ? 443 : 80);
    // "localhost" may resolve to ::1 first while a server listens on 127.0.0.1 only.
    this.family = this.hostname === 'localhost' ? 4 : undefined;
    this.timingHeaderName = options.serverTiming.header.toLowerCase();
    this.serverTimingIsHeader = this.timingHeaderName !== 'server-timing';
  }

  send(prepared: PreparedRequest, authorization?: string): Promise<Outcome> {
    const request = authorization === undefined ? prepared : { ...prepared, headers: { ...prepared.headers, authorization } };
    if (this.closed) return Promise.resolve(interruptedOutcome());
    const { timeouts } = this.options;
    return new Promise<Outcome>((resolve) => {
      const startedAt = performance.now();
      const elapsedUs = () => (performance.now() - startedAt) * 1000;
      const timings = emptyTimings();
      let status = 0;
      let serviceUs = -1;
      let queueUs = -1;
      let retryAfter = -1;
      let settled = false;
      // The response as kept for checks and captures, when the request asks for it.
      const kept: { head: string | undefined; body: Buffer[] } = { head: undefined, body: [] };
      let timer: NodeJS.Timeout | undefined;
      let connectTimer: NodeJS.Timeout | undefined;
      const sse = request.stream === 'sse' ? new SseTokenReader(startedAt) : undefined;

      const settle = (errorKind?: ErrorKind, errorCode?: string, errorMessage?: string) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        if (connectTimer) clearTimeout(connectTimer);
        this.inFlight.delete(interrupt);
        if (errorKind === undefined) timings.totalUs = elapsedUs();
        // Requests torn down by close() were cut by us, not by the target.
        if (errorKind !== undefined && this.closed) errorKind = 'interrupted';
        const response = kept.head !== undefined ? { response: { head: kept.head, body: Buffer.concat(kept.body) } } : {};
        resolve({
          status,
          errorKind,
          errorCode,
          ...(errorMessage !== undefined && { errorMessage }),
          timings,
          serviceUs,
          queueUs,
          retryAfterMs: retryAfter,
          stream: sse?.result(),
          ...response,
        });
      };
      const failWith = (kind: ErrorKind) => () => {
        settle(kind);
        req.destroy();
      };
      const armTimer = (ms: number, kind: ErrorKind) => {
        if (timer) clearTimeout(timer);
        timer = ms > 0 ? setTimeout(failWith(kind), ms) : undefined;
      };

      const interrupt = (kind: ErrorKind) => {
        settle(kind);
        req?.destroy();
      };
      let req: http.ClientRequest;
      try {
        req = this.transport.request(
          {
            hostname: this.hostname,
            port: this.port,
            family: this.family,
            path: request.path,
            method: request.method,
            headers: request.headers,
            agent: this.agent,
          },
          (res) => {
            timings.ttfbUs = elapsedUs();
            status = res.statusCode ?? 0;
            if (request.readResponse) {
              const lines = [`HTTP/${res.httpVersion} ${status} ${res.statusMessage ?? ''}`.trimEnd()];
              for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
              kept.head = lines.join('\r\n');
            }
            const timingHeader = res.headers[this.timingHeaderName];
            const serviceMs = this.serverTimingIsHeader
              ? durationHeaderMs(timingHeader)
              : serverTimingMs(timingHeader, this.options.serverTiming.metric);
            serviceUs = serviceMs >= 0 ? serviceMs * 1000 : -1;
            const queueMs = this.serverTimingIsHeader ? -1 : serverTimingMs(timingHeader, this.options.serverTiming.queueMetric);
            queueUs = queueMs >= 0 ? queueMs * 1000 : -1;
            if (status === 429 || status === 503) retryAfter = retryAfterMs(res.headers['retry-after'], Date.now());

            // From the first byte on, the total deadline (and for streams the idle deadline) governs.
            const totalLeftMs = timeouts.totalMs > 0 ? Math.max(1, timeouts.totalMs - elapsedUs() / 1000) : 0;
            armTimer(totalLeftMs, 'timeout_total');
            // Bodies are held to the limit whatever their framing: past it the attempt fails and the socket goes.
            let bodyBytes = 0;
            const maxBytes = this.options.maxResponseBytes ?? Infinity;
            const overLimit = (bytes: number): boolean => {
              bodyBytes += bytes;
              if (bodyBytes <= maxBytes) return false;
              settle('too_large', 'E_RESPONSE_TOO_LARGE');
              req.destroy();
              return true;
            };
            if (sse) {
              let idleTimer: NodeJS.Timeout | undefined;
              const armIdle = () => {
                if (idleTimer) clearTimeout(idleTimer);
                if (timeouts.idleMs > 0 && !settled) idleTimer = setTimeout(failWith('timeout_idle'), timeouts.idleMs);
              };
              armIdle();
              const decoder = new TextDecoder();
              res.on('data', (chunk: Buffer) => {
                if (overLimit(chunk.length)) return;
                if (!sse.push(decoder.decode(chunk, { stream: true }))) {
                  settle('too_large', 'E_SSE_EVENT_TOO_LARGE', `a server-sent event over ${MAX_SSE_EVENT_CHARS} characters`);
                  req.destroy();
                  return;
                }
                armIdle();
              });
              res.once('close', () => idleTimer && clearTimeout(idleTimer));
            } else {
              res.on('data', (chunk: Buffer) => {
                if (overLimit(chunk.length)) return;
                if (request.readResponse) kept.body.push(chunk);
              });
            }
            res.once('end', () => settle());
            res.once('aborted', () => settle('reset'));
            res.once('error', (error: NodeJS.ErrnoException) => settle(classifyError(error), error.code, error.message));
          },
        );
      } catch (error) {
        // node:http refuses a bad header value or path by throwing: one failed attempt, not a dead worker.
        const code = (error as NodeJS.ErrnoException).code;
        resolve({
          status: 0,
          errorKind: 'other',
          errorCode: code,
          errorMessage: (error as Error).message,
          timings,
          serviceUs: -1,
          queueUs: -1,
          retryAfterMs: -1,
        });
        return;
      }
      this.inFlight.add(interrupt);

      req.once('socket', (socket: Socket) => {
        timings.socketUs = elapsedUs();
        if (!socket.connecting) return; // reused keep-alive socket: no setup phases
        socket.once('lookup', () => {
          timings.dnsUs = elapsedUs();
        });
        socket.once('connect', () => {
          timings.connectUs = elapsedUs();
          if (connectTimer) clearTimeout(connectTimer);
        });
        socket.once('secureConnect', () => {
          timings.tlsUs = elapsedUs();
        });
        if (timeouts.connectMs > 0) connectTimer = setTimeout(failWith('timeout_connect'), timeouts.connectMs);
      });
      req.once('finish', () => {
        timings.writeUs = elapsedUs();
      });
      req.once('error', (error: NodeJS.ErrnoException) => settle(classifyError(error), error.code, error.message));

      const firstByteMs =
        timeouts.firstByteMs > 0 && (timeouts.totalMs === 0 || timeouts.firstByteMs < timeouts.totalMs)
          ? timeouts.firstByteMs
          : timeouts.totalMs;
      armTimer(firstByteMs, firstByteMs === timeouts.firstByteMs ? 'timeout_first_byte' : 'timeout_total');
      req.end(request.body);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    // Settled here and now, not when the sockets' error events arrive: the caller counts them before it reports.
    for (const interrupt of [...this.inFlight]) interrupt('interrupted');
    this.inFlight.clear();
    this.agent.destroy();
  }
}

function interruptedOutcome(): Outcome {
  return { status: 0, errorKind: 'interrupted', timings: emptyTimings(), serviceUs: -1, queueUs: -1, retryAfterMs: -1 };
}
