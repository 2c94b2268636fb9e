/**
 * One HTTP exchange and the few ways it can be answered. Every answer carries Server-Timing with what the
 * server spent: `app` (service, excluding any wait) and `queue` (wait for a slot, a batch or a stall).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { nowMs } from './clock.js';
import type { MockContext } from './context.js';

/** W3C Server-Timing, milliseconds with 3 decimals (µs resolution, the unit histograms record). */
export function serverTiming(appMs: number, queueMs: number): string {
  return `app;dur=${appMs.toFixed(3)}, queue;dur=${queueMs.toFixed(3)}`;
}

/** A raw Server-Timing header line for answers written on the socket itself, where nothing was injected. */
export const NO_TIME_SPENT = `server-timing: ${serverTiming(0, 0)}\r\n`;

/** Rounds to µs for JSON bodies (meta.latency_ms and friends). */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export class Exchange {
  constructor(
    readonly ctx: MockContext,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** Route pattern for stats; empty for routes that are not counted (admin). */
    readonly route: string,
    /** Monotonic ms when the request arrived. */
    readonly startMs: number,
  ) {}

  /** Answers with a JSON body; app defaults to the time spent handling so far (nothing injected). */
  json(status: number, body: unknown, appMs = nowMs() - this.startMs, queueMs = 0, headers?: OutgoingHttpHeaders): void {
    this.send(status, 'application/json', JSON.stringify(body), appMs, queueMs, headers);
  }

  error(status: number, error: string, message?: string, headers?: OutgoingHttpHeaders, field?: string): void {
    this.json(status, message ? (field ? { error, field, message } : { error, message }) : { error }, undefined, 0, headers);
  }

  send(status: number, contentType: string, body: string, appMs: number, queueMs: number, headers?: OutgoingHttpHeaders): void {
    if (this.res.headersSent || this.res.destroyed) return;
    this.count(status);
    this.res.writeHead(status, {
      ...headers,
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'server-timing': serverTiming(appMs, queueMs),
    });
    this.res.end(body);
  }

  /** Counts a response (or a fault that replaces one, under its name) for /__admin/stats and /metrics. */
  count(status: number | string): void {
    if (this.route) this.ctx.stats.countResponse(this.route, status);
  }
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** JSON media types, including `+json` suffixes. A missing Content-Type is taken as JSON: some clients send none. */
export function isJsonType(contentType: string | undefined): boolean {
  return contentType === undefined || JSON_TYPE.test(contentType);
}

export function isFormType(contentType: string | undefined): boolean {
  return contentType !== undefined && FORM_TYPE.test(contentType);
}

/** After a 413 the client may still be sending; drain (not buffer) for this long, then drop the connection. */
const OVERSIZE_DRAIN_MS = 2000;

/**
 * Reads the body as UTF-8 up to `limitBytes`. Past the limit it answers 413 at once (by Content-Length when
 * declared, else as soon as the limit is crossed), stops keeping bytes, and closes the connection after the
 * answer: a client streaming a huge body never makes the server hold it.
 */
export function readBody(ex: Exchange, limitBytes: number, onBody: (body: string) => void): void {
  const { req, res } = ex;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    tooLarge(ex, limitBytes);
    return;
  }
  const chunks: Buffer[] = [];
  let receivedBytes = 0;
  let overflowed = false;
  req.on('data', (chunk: Buffer) => {
    if (overflowed) return;
    receivedBytes += chunk.length;
    if (receivedBytes > limitBytes) {
      overflowed = true;
      chunks.length = 0;
      tooLarge(ex, limitBytes);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (overflowed || res.headersSent) return;
    onBody(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
  });
}

function tooLarge(ex: Exchange, limitBytes: number): void {
  const socket = ex.req.socket;
  ex.error(413, 'payload_too_large', `request body exceeds ${limitBytes} bytes`, { connection: 'close' });
  // Keep reading (and discarding) so the client can see the 413 instead of a reset, but not forever.
  ex.req.resume();
  setTimeout(() => socket.destroy(), OVERSIZE_DRAIN_MS).unref();
}
