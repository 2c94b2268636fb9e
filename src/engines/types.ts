import type { ConnectionOptions } from 'node:tls';
import type { ErrorKind } from '../metrics/vocabulary.js';

/** A request ready to send: templated, authorised, encoded. */
export interface PreparedRequest {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  stream: 'none' | 'sse' | 'ws';
  /**
   * Keep the response's head and body in the outcome (for checks and captures). Off by default: bodies are
   * counted and discarded, so a run that does not look at them does not pay to keep them.
   */
  readResponse?: boolean;
}

/** A response as kept for checks and captures: the head as it came, and the body (within maxResponseBytes). */
export interface KeptResponse {
  /** status line and header lines, CRLF-separated, as received */
  head: string;
  body: Buffer;
}

/** The value of a header in a kept head (case-insensitive name; repeats joined with ", "), or undefined. */
export function headerOf(head: string, name: string): string | undefined {
  const wanted = name.toLowerCase();
  let value: string | undefined;
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || line.slice(0, colon).toLowerCase() !== wanted) continue;
    const text = line.slice(colon + 1).trim();
    value = value === undefined ? text : `${value}, ${text}`;
  }
  return value;
}

/**
 * Phase times of one attempt in microseconds from the moment the engine was asked to send it.
 * A phase that did not happen (no new socket, no response) is -1.
 */
export interface PhaseTimings {
  /** when the request got a socket: later than 0 when it waited for a free pooled connection */
  socketUs: number;
  dnsUs: number;
  connectUs: number;
  tlsUs: number;
  writeUs: number;
  ttfbUs: number;
  totalUs: number;
}

export interface StreamTimings {
  ttftUs: number;
  /** gaps between consecutive tokens, first token excluded */
  interTokenUs: number[];
  chunks: number;
  /** completion tokens as the server's final usage report states them, when it sends one */
  usageTokens?: number;
}

export interface Outcome {
  /** HTTP status, 0 when no response arrived */
  status: number;
  /** set when the attempt failed before a complete response */
  errorKind?: ErrorKind;
  errorCode?: string;
  /**
   * A short reason for the failure as the engine saw it, e.g. `getaddrinfo ENOTFOUND api.example` or
   * `Parse Error: Invalid header value char`: one line, no stack. The requester adds where it happened and
   * scrubs secrets; the report shows the first of each kind.
   */
  errorMessage?: string;
  timings: PhaseTimings;
  /** server-reported time (Server-Timing or a configured header), -1 when absent */
  serviceUs: number;
  queueUs: number;
  /** parsed Retry-After in ms on 429/503, -1 when absent */
  retryAfterMs: number;
  stream?: StreamTimings;
  /** the response, when the request asked to keep it (`readResponse`) and one arrived */
  response?: KeptResponse;
}

/** Timeouts of one attempt, in ms (0 = none). */
export interface AttemptTimeouts {
  connectMs: number;
  firstByteMs: number;
  totalMs: number;
  idleMs: number;
}

/**
 * How requests are made. One implementation per file; the runner never knows which one it drives.
 */
export interface Engine {
  readonly name: string;
  /**
   * Sends one attempt. `authorization` (e.g. `Bearer …`) is passed apart from the prepared request so that
   * the request, shared by every attempt, is never copied to add it.
   */
  send(request: PreparedRequest, authorization?: string): Promise<Outcome>;
  /**
   * Optional: opens up to `connections` sockets (and completes their handshakes) before time zero, so the first
   * measured requests do not pay for connection setup. The worker calls it, when present, before the start.
   */
  warmUp?(connections: number): Promise<void>;
  /** stops accepting work and tears down sockets, aborting whatever is still in flight */
  close(): Promise<void>;
}

export interface EngineOptions {
  baseUrl: URL;
  keepAlive: boolean;
  /** sockets per worker; defaults to the worker's peak concurrency */
  poolSize: number;
  timeouts: AttemptTimeouts;
  serverTiming: { header: string; metric: string; queueMetric: string };
  /** a response body larger than this fails the attempt as `too_large` (engines that read bodies) */
  maxResponseBytes?: number;
  /** extra TLS options for https targets (CA, client certificate, verification) */
  tls?: ConnectionOptions;
}

export function emptyTimings(): PhaseTimings {
  return { socketUs: -1, dnsUs: -1, connectUs: -1, tlsUs: -1, writeUs: -1, ttfbUs: -1, totalUs: -1 };
}
