import { performance } from 'node:perf_hooks';
import { isIP } from 'node:net';
import { SseTokenReader } from '../sse.js';
import { emptyTimings, type Engine, type EngineOptions, type Outcome, type PreparedRequest } from '../types.js';
import { WireConnection, type ConnectionConfig, type ConnectionOwner, type Exchange } from './connection.js';
import { EncodedRequests } from './request-head.js';
import { DEFAULT_PARSER_LIMITS } from './response-parser.js';

/** Deadlines are checked this often relative to the shortest timeout: a timeout fires at most 5% late. */
const SWEEP_SHARE_OF_SHORTEST_TIMEOUT = 0.05;
const SWEEP_MIN_MS = 1;
const SWEEP_MAX_MS = 50;

/**
 * The default engine: HTTP/1.1 on plain `node:net` / `node:tls` sockets with a client of its own, because the
 * general-purpose clients (node:http, undici) add milliseconds to the tail of what they time. Request bytes
 * are encoded once and reused, responses are parsed incrementally without building header objects, every
 * phase is stamped on the monotonic clock, and timeouts are deadlines swept by one timer per engine.
 */
export class WireEngine implements Engine, ConnectionOwner {
  readonly name = 'wire';
  private readonly config: ConnectionConfig;
  private readonly encoded: EncodedRequests;
  private readonly connections: WireConnection[] = [];
  /** free connections, most recently used last: reuse the warmest socket first */
  private readonly idle: WireConnection[] = [];
  /** requests waiting for a free connection, oldest first */
  private waiting: Exchange[] = [];
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /**
   * Exchanges that ended in this turn of the event loop, with their outcomes, not yet handed to their callers.
   * Answers that arrive together (four connections to a 20 ms endpoint answer within microseconds of each other)
   * are read by one poll of the loop, one socket callback after another; handing each outcome over at once would
   * run its caller (recording, the next send) before the next socket is read, and stamp that socket's last byte
   * late by all of it. As wrk does, every socket is read and stamped first, and the callers run after (setImmediate:
   * the check phase, right after the poll phase).
   */
  private readonly endedExchanges: (Exchange | undefined)[] = [];
  private readonly endedOutcomes: (Outcome | undefined)[] = [];
  /**
   * How many of the lists' slots hold ended exchanges. The lists keep their length between turns (slots are
   * cleared, not removed): emptied to length 0, V8 drops their storage, and every turn grows it again.
   */
  private endedCount = 0;
  private handOverScheduled = false;

  constructor(private readonly options: EngineOptions) {
    const url = options.baseUrl;
    const isHttps = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (isHttps ? 443 : 80);
    const timingHeader = options.serverTiming.header.toLowerCase();
    this.config = {
      target: {
        host,
        port,
        family: host === 'localhost' ? 4 : undefined,
        tls: isHttps ? { servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ...options.tls } : undefined,
      },
      timeouts: options.timeouts,
      limits: { ...DEFAULT_PARSER_LIMITS, maxBodyBytes: options.maxResponseBytes ?? DEFAULT_PARSER_LIMITS.maxBodyBytes },
      timingHeader,
      timingIsServerTiming: timingHeader === 'server-timing',
      serviceMetric: options.serverTiming.metric,
      queueMetric: options.serverTiming.queueMetric,
    };
    this.encoded = new EncodedRequests({ host: url.host, keepAlive: options.keepAlive });
    const sweepMs = sweepPeriodMs(options.timeouts);
    if (sweepMs !== undefined) {
      this.sweepTimer = setInterval(this.sweep, sweepMs);
      // The sweep only matters while requests are in flight, and those keep the process alive themselves.
      this.sweepTimer.unref();
    }
  }

  send(request: PreparedRequest, authorization?: string): Promise<Outcome> {
    if (this.closed) return Promise.resolve(failedOutcome('interrupted', undefined, 'sent after the run ended'));
    let bytes: Buffer;
    try {
      bytes = this.encoded.bytesOf(request, authorization);
    } catch (error) {
      return Promise.resolve(failedOutcome('other', (error as { code?: string }).code, (error as Error).message));
    }
    const startedAt = performance.now();
    return new Promise<Outcome>((resolve) => {
      const sse = request.stream === 'sse' ? new SseTokenReader(startedAt) : undefined;
      const exchange: Exchange = {
        request,
        bytes,
        startedAt,
        timings: emptyTimings(),
        resolve,
        sse,
        decoder: sse ? new TextDecoder() : undefined,
        resent: false,
        bodyParts: request.readResponse ? [] : undefined,
      };
      const connection = this.idle.pop() ?? this.newConnection();
      if (connection) connection.start(exchange, startedAt);
      else this.waiting.push(exchange);
    });
  }

  /** Opens up to `connections` sockets ahead of the load, so that time zero does not pay for connection setup. */
  async warmUp(connections: number): Promise<void> {
    const now = performance.now();
    const opening: Promise<void>[] = [];
    for (let i = 0; i < connections; i++) {
      const connection = this.newConnection();
      if (connection === undefined) break;
      opening.push(new Promise((resolve) => connection.preconnect(now, resolve)));
      this.idle.push(connection);
    }
    await Promise.all(opening);
  }

  released(connection: WireConnection, exchange: Exchange, outcome: Outcome): void {
    const next = this.closed ? undefined : this.waiting.shift();
    if (next !== undefined) connection.start(next, performance.now());
    else if (!this.closed) this.idle.push(connection);
    this.endedExchanges[this.endedCount] = exchange;
    this.endedOutcomes[this.endedCount] = outcome;
    this.endedCount += 1;
    if (!this.handOverScheduled) {
      this.handOverScheduled = true;
      setImmediate(this.handOver);
    }
  }

  private readonly handOver = (): void => {
    this.handOverScheduled = false;
    const exchanges = this.endedExchanges;
    const outcomes = this.endedOutcomes;
    // resolve() runs no caller code synchronously (the callers run as microtasks after this), so the lists cannot
    // grow while they are walked, and are emptied in place.
    for (let i = 0; i < this.endedCount; i++) {
      exchanges[i]!.resolve(outcomes[i]!);
      exchanges[i] = undefined;
      outcomes[i] = undefined;
    }
    this.endedCount = 0;
  };

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    // Settled here and now, so the caller counts them before it reports.
    for (const exchange of this.waiting)
      exchange.resolve({
        ...failedOutcome('interrupted', undefined, 'still waiting for a connection when the run ended'),
        timings: exchange.timings,
      });
    this.waiting = [];
    for (const connection of this.connections) connection.interrupt();
    this.idle.length = 0;
    this.handOver();
  }

  private newConnection(): WireConnection | undefined {
    if (this.connections.length >= this.options.poolSize) return undefined;
    const connection = new WireConnection(this.config, this);
    this.connections.push(connection);
    return connection;
  }

  private readonly sweep = (): void => {
    const now = performance.now();
    for (const connection of this.connections) connection.checkDeadline(now);
    if (this.waiting.length > 0) this.expireWaiting(now);
  };

  /** A request still waiting for a connection when its first-byte (or total) deadline passes fails as such. */
  private expireWaiting(now: number): void {
    const { firstByteMs, totalMs } = this.options.timeouts;
    const limitMs = firstByteMs > 0 && (totalMs === 0 || firstByteMs < totalMs) ? firstByteMs : totalMs;
    if (limitMs <= 0) return;
    const kind = limitMs === firstByteMs ? 'timeout_first_byte' : 'timeout_total';
    const stillWaiting: Exchange[] = [];
    for (const exchange of this.waiting) {
      if (now - exchange.startedAt >= limitMs)
        exchange.resolve({ ...failedOutcome(kind, undefined, `no connection free within ${limitMs} ms`), timings: exchange.timings });
      else stillWaiting.push(exchange);
    }
    this.waiting = stillWaiting;
  }
}

/** How often deadlines are checked; undefined when no timeout is set. */
export function sweepPeriodMs(timeouts: EngineOptions['timeouts']): number | undefined {
  const set = [timeouts.connectMs, timeouts.firstByteMs, timeouts.totalMs, timeouts.idleMs].filter((ms) => ms > 0);
  if (set.length === 0) return undefined;
  const period = Math.min(...set) * SWEEP_SHARE_OF_SHORTEST_TIMEOUT;
  return Math.min(SWEEP_MAX_MS, Math.max(SWEEP_MIN_MS, Math.floor(period)));
}

function failedOutcome(errorKind: Outcome['errorKind'], errorCode: string | undefined, errorMessage: string): Outcome {
  return { status: 0, errorKind, errorCode, errorMessage, timings: emptyTimings(), serviceUs: -1, queueUs: -1, retryAfterMs: -1 };
}
