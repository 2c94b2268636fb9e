import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { ErrorKind } from '../../metrics/vocabulary.js';
import { classifyError } from '../classify.js';
import { durationHeaderMs, retryAfterMs, serverTimingMs } from '../server-timing.js';
import { MAX_SSE_EVENT_CHARS, type SseTokenReader } from '../sse.js';
import type { AttemptTimeouts, Outcome, PhaseTimings, PreparedRequest } from '../types.js';
import { describeFailure, Progress, ResponseParser, type ParserLimits } from './response-parser.js';

/** One request on its way: what to send, when it was asked for, and where its answer goes. */
export interface Exchange {
  readonly request: PreparedRequest;
  readonly bytes: Buffer;
  /** performance.now() when the engine was asked to send it: every phase counts from here */
  readonly startedAt: number;
  readonly timings: PhaseTimings;
  readonly resolve: (outcome: Outcome) => void;
  readonly sse: SseTokenReader | undefined;
  readonly decoder: TextDecoder | undefined;
  /** set once the request was re-sent on a fresh socket after a reused one turned out closed */
  resent: boolean;
  /** body chunks kept when the request asked to read its response (copies: socket buffers are reused) */
  bodyParts: Buffer[] | undefined;
}

export interface SocketTarget {
  host: string;
  port: number;
  /** 4 for "localhost", which may resolve to ::1 first while a server listens on 127.0.0.1 only */
  family: 4 | 6 | undefined;
  /** TLS options when the target is https */
  tls: tls.ConnectionOptions | undefined;
}

/** What every connection of an engine shares. */
export interface ConnectionConfig {
  target: SocketTarget;
  timeouts: AttemptTimeouts;
  limits: ParserLimits;
  /** the lower-cased timing header, and whether it is W3C Server-Timing or a plain duration header */
  timingHeader: string;
  timingIsServerTiming: boolean;
  serviceMetric: string;
  queueMetric: string;
}

export interface ConnectionOwner {
  /** the exchange ended (answered or failed); the connection is free for the next one */
  released(connection: WireConnection, exchange: Exchange, outcome: Outcome): void;
}

const TIMING_HEADER = 0;
const RETRY_AFTER_HEADER = 1;

/**
 * One socket and the request on it, HTTP/1.1 without pipelining. The socket is opened on first use and kept
 * while the server keeps it; a socket that turns out closed when reused is replaced and the request re-sent
 * once, since it never reached a live server. Deadlines are plain numbers checked by the engine's sweep, so
 * no timer is created per request.
 */
export class WireConnection {
  private socket: net.Socket | undefined;
  private connecting = false;
  /**
   * The socket has sat idle before this request (it carried a response, or was opened ahead of time), so a
   * silent close before any answer may be the server's idle close racing our write.
   */
  private mayBeStale = false;
  private exchange: Exchange | undefined;
  private readonly parser: ResponseParser;
  private connectDeadlineAt = Infinity;
  private responseDeadlineAt = Infinity;
  private responseDeadlineKind: ErrorKind = 'timeout_total';
  private lastDataAt = 0;
  private preconnected: (() => void) | undefined;

  constructor(
    private readonly config: ConnectionConfig,
    private readonly owner: ConnectionOwner,
  ) {
    this.parser = new ResponseParser([config.timingHeader, 'retry-after'], config.limits, this.onBody);
  }

  get busy(): boolean {
    return this.exchange !== undefined;
  }

  start(exchange: Exchange, now: number): void {
    this.exchange = exchange;
    this.parser.reset(exchange.request.method, exchange.bodyParts !== undefined);
    exchange.timings.socketUs = (now - exchange.startedAt) * 1000;
    const { firstByteMs, totalMs } = this.config.timeouts;
    // The first-byte deadline counts from the request, socket wait and connect included (as the caller waits).
    if (firstByteMs > 0 && (totalMs === 0 || firstByteMs < totalMs)) {
      this.responseDeadlineAt = exchange.startedAt + firstByteMs;
      this.responseDeadlineKind = 'timeout_first_byte';
    } else {
      this.responseDeadlineAt = totalMs > 0 ? exchange.startedAt + totalMs : Infinity;
      this.responseDeadlineKind = 'timeout_total';
    }
    if (this.socket === undefined) this.open(now);
    else if (!this.connecting) this.write();
    // else: a socket opened ahead of time is still connecting; its connect handler writes.
  }

  /** Opens the socket ahead of any request; `done` is called once it is connected or has failed. */
  preconnect(now: number, done: () => void): void {
    this.preconnected = done;
    this.open(now);
  }

  /** Fails the request in flight if one of its deadlines has passed. Called by the engine's sweep. */
  checkDeadline(now: number): void {
    const exchange = this.exchange;
    if (exchange === undefined) {
      // A socket opened ahead of time that does not connect in time is given up (no request is lost).
      if (this.connecting && now >= this.connectDeadlineAt) this.discardSocket();
      return;
    }
    const { connectMs, firstByteMs, totalMs } = this.config.timeouts;
    if (this.connecting && now >= this.connectDeadlineAt)
      return this.fail('timeout_connect', undefined, `not connected within ${connectMs} ms`);
    if (now >= this.responseDeadlineAt) {
      const kind = this.responseDeadlineKind;
      return this.fail(
        kind,
        undefined,
        kind === 'timeout_first_byte' ? `no first byte within ${firstByteMs} ms` : `not complete within ${totalMs} ms`,
      );
    }
    const { idleMs } = this.config.timeouts;
    if (exchange.sse !== undefined && idleMs > 0 && exchange.timings.ttfbUs >= 0 && now - this.lastDataAt >= idleMs) {
      this.fail('timeout_idle', undefined, `stream idle for ${idleMs} ms`);
    }
  }

  /** Tears the socket down; a request in flight ends as interrupted (cut by us, not by the target). */
  interrupt(): void {
    if (this.exchange !== undefined) this.fail('interrupted', undefined, 'still in flight when the run ended');
    else this.discardSocket();
  }

  // ---- socket

  private open(now: number): void {
    const { target, timeouts } = this.config;
    this.mayBeStale = false;
    this.connecting = true;
    this.connectDeadlineAt = timeouts.connectMs > 0 ? now + timeouts.connectMs : Infinity;
    const socket = target.tls
      ? tls.connect({ ...target.tls, host: target.host, port: target.port, family: target.family } as tls.ConnectionOptions)
      : net.connect({ host: target.host, port: target.port, family: target.family });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('lookup', this.onLookup);
    socket.on('connect', this.onConnect);
    if (target.tls) socket.on('secureConnect', this.onSecureConnect);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private write(): void {
    this.socket!.write(this.exchange!.bytes, this.onWritten);
  }

  private discardSocket(): void {
    this.notifyPreconnected();
    const socket = this.socket;
    if (socket === undefined) return;
    this.socket = undefined;
    this.connecting = false;
    socket.removeAllListeners();
    // A late error from a socket being torn down must not become an uncaught exception.
    socket.on('error', ignore);
    socket.destroy();
  }

  private readonly onLookup = (): void => {
    const exchange = this.exchange;
    if (exchange) exchange.timings.dnsUs = (performance.now() - exchange.startedAt) * 1000;
  };

  private readonly onConnect = (): void => {
    const exchange = this.exchange;
    if (exchange) exchange.timings.connectUs = (performance.now() - exchange.startedAt) * 1000;
    if (this.config.target.tls) return; // the TLS handshake follows; writing waits for it
    this.connecting = false;
    this.notifyPreconnected();
    if (exchange) this.write();
  };

  private readonly onSecureConnect = (): void => {
    const exchange = this.exchange;
    this.connecting = false;
    this.notifyPreconnected();
    if (!exchange) return;
    exchange.timings.tlsUs = (performance.now() - exchange.startedAt) * 1000;
    this.write();
  };

  private notifyPreconnected(): void {
    const done = this.preconnected;
    if (done === undefined) return;
    this.preconnected = undefined;
    // Opened ahead of any request: it will sit idle until one comes, like a kept-alive socket.
    if (this.socket !== undefined && !this.connecting) this.mayBeStale = true;
    done();
  }

  private readonly onWritten = (error?: Error | null): void => {
    const exchange = this.exchange;
    if (exchange && !error && exchange.timings.writeUs < 0) exchange.timings.writeUs = (performance.now() - exchange.startedAt) * 1000;
  };

  private readonly onData = (chunk: Buffer): void => {
    const now = performance.now();
    const exchange = this.exchange;
    if (exchange === undefined) {
      // Bytes nobody asked for: the connection's framing can no longer be trusted.
      this.discardSocket();
      return;
    }
    if (exchange.timings.ttfbUs < 0) {
      exchange.timings.ttfbUs = (now - exchange.startedAt) * 1000;
      // From the first byte on, the total deadline governs.
      const { totalMs } = this.config.timeouts;
      this.responseDeadlineAt = totalMs > 0 ? exchange.startedAt + totalMs : Infinity;
      this.responseDeadlineKind = 'timeout_total';
    }
    this.lastDataAt = now;
    const progress = this.parser.execute(chunk);
    // The body sink may have failed the exchange (an oversized stream event) while the parser ran.
    if (this.exchange !== exchange) return;
    if (progress === Progress.Complete) {
      // Bytes after the end of the response are not a response to anything: close rather than misframe.
      if (this.parser.leftover > 0) this.parser.keepAlive = false;
      this.succeed(now);
    } else if (progress === Progress.Failed) {
      const failure = this.parser.failure!;
      this.fail(failure.kind, failure.code, describeFailure(failure.code, this.config.limits));
    }
  };

  private readonly onBody = (data: Buffer, start: number, end: number): void => {
    const exchange = this.exchange;
    // Tokens are stamped with the time their read arrived, the same instant as first and last byte.
    if (exchange === undefined) return;
    if (
      exchange.sse !== undefined &&
      !exchange.sse.push(exchange.decoder!.decode(data.subarray(start, end), { stream: true }), this.lastDataAt)
    ) {
      this.fail('too_large', 'E_SSE_EVENT_TOO_LARGE', `a server-sent event over ${MAX_SSE_EVENT_CHARS} characters`);
      return;
    }
    exchange.bodyParts?.push(Buffer.from(data.subarray(start, end)));
  };

  private readonly onEnd = (): void => {
    if (this.exchange === undefined) return this.discardSocket(); // the server closed an idle keep-alive socket
    if (this.resendIfStale()) return;
    const progress = this.parser.finishAtEof();
    if (progress === Progress.Complete) this.succeed(performance.now());
    else this.fail(this.parser.failure!.kind, this.parser.failure!.code, describeFailure(this.parser.failure!.code, this.config.limits));
  };

  private readonly onError = (error: NodeJS.ErrnoException): void => {
    if (this.exchange === undefined) return this.discardSocket();
    this.fail(classifyError(error), error.code, error.message);
  };

  private readonly onClose = (): void => {
    // Closed without 'end' or 'error' (destroyed elsewhere): whatever was in flight was cut short.
    if (this.exchange !== undefined) this.onEnd();
    else this.discardSocket();
  };

  /**
   * A socket that sat idle and then ends with a clean FIN before any byte of the answer was closed by the
   * server while idle, racing our write: an idempotent request is sent again on a new socket, once, and not
   * counted as a failure. Other methods are not (RFC 9112 §9.3.1: the server may have applied the request),
   * nor is a reset (RST): servers and proxies reset connections whose request they did read.
   */
  private resendIfStale(): boolean {
    const exchange = this.exchange!;
    if (!this.mayBeStale || this.parser.started || exchange.resent || !IDEMPOTENT.has(exchange.request.method)) return false;
    exchange.resent = true;
    this.discardSocket();
    this.parser.reset(exchange.request.method, exchange.bodyParts !== undefined);
    exchange.timings.writeUs = -1;
    this.open(performance.now());
    return true;
  }

  // ---- endings

  private succeed(now: number): void {
    const exchange = this.exchange!;
    exchange.timings.totalUs = (now - exchange.startedAt) * 1000;
    const keepAlive = this.parser.keepAlive;
    const outcome = this.outcome(exchange, undefined, undefined);
    if (keepAlive) this.mayBeStale = true;
    else this.discardSocket();
    this.release(exchange, outcome);
  }

  private fail(kind: ErrorKind, code: string | undefined, message: string): void {
    const exchange = this.exchange!;
    const outcome = this.outcome(exchange, kind, code);
    outcome.errorMessage = message;
    this.discardSocket();
    this.release(exchange, outcome);
  }

  private release(exchange: Exchange, outcome: Outcome): void {
    this.exchange = undefined;
    this.connectDeadlineAt = Infinity;
    this.responseDeadlineAt = Infinity;
    this.owner.released(this, exchange, outcome);
  }

  private outcome(exchange: Exchange, errorKind: ErrorKind | undefined, errorCode: string | undefined): Outcome {
    const { parser, config } = this;
    const status = parser.status;
    const timing = parser.wanted[TIMING_HEADER];
    let serviceUs = -1;
    let queueUs = -1;
    if (timing !== undefined) {
      const serviceMs = config.timingIsServerTiming ? serverTimingMs(timing, config.serviceMetric) : durationHeaderMs(timing);
      serviceUs = serviceMs >= 0 ? serviceMs * 1000 : -1;
      const queueMs = config.timingIsServerTiming ? serverTimingMs(timing, config.queueMetric) : -1;
      queueUs = queueMs >= 0 ? queueMs * 1000 : -1;
    }
    const retryAfter = status === 429 || status === 503 ? retryAfterMs(parser.wanted[RETRY_AFTER_HEADER], Date.now()) : -1;
    return {
      status,
      errorKind,
      errorCode,
      timings: exchange.timings,
      serviceUs,
      queueUs,
      retryAfterMs: retryAfter,
      stream: exchange.sse?.result(),
      ...(exchange.bodyParts !== undefined && parser.head !== undefined
        ? { response: { head: parser.head, body: Buffer.concat(exchange.bodyParts) } }
        : {}),
    };
  }
}

function ignore(): void {}

const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
