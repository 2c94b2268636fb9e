import type { ConnectionOptions } from 'node:tls';
import type { AttemptRecord } from '../metrics/metric-set.js';
import type { MeasuredOutcome } from '../metrics/attempt.js';

// What an engine measures is metrics vocabulary (toAttempt turns it into a record); engines speak it from here.
export { emptyTimings, type MeasuredOutcome, type PhaseTimings, type StreamTimings } from '../metrics/attempt.js';

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

/** What an engine reports of one attempt: the measurement, and the response when the request asked to keep it. */
export interface Outcome extends MeasuredOutcome {
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
  /** Optional: loads what the engine needs before time zero (a library it loads on first use), so the run does not. */
  prepare?(): Promise<void>;
  /**
   * Optional: runs a stretch of fixed concurrency on connections of its own, one request in flight per connection,
   * until `stretch.durationMs` has passed or `stop` fires. An engine that has it takes a closed model's holds;
   * ramps still go request by request through send().
   */
  driveFixedLoad?(stretch: FixedLoadStretch, hooks: FixedLoadHooks, stop: StopSignal): Promise<void>;
  /** stops accepting work and tears down sockets, aborting whatever is still in flight */
  close(): Promise<void>;
}

/** One stretch of fixed concurrency: the same (authorised) request on every connection. */
export interface FixedLoadStretch {
  request: PreparedRequest;
  connections: number;
  durationMs: number;
  isSuccess: (status: number) => boolean;
}

/** Where an engine that runs a stretch on its own reports what it did. */
export interface FixedLoadHooks {
  onAttempt(name: string, attempt: AttemptRecord): void;
  /** one request sent (it keeps one in flight per connection) */
  onSent(): void;
}

/** Tells an engine that runs a stretch on its own that the run is stopping. */
export interface StopSignal {
  onStop(listener: () => void): void;
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
