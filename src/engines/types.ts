import type { ConnectionOptions } from 'node:tls';
import type { AttemptRecord } from '../metrics/metric-set.js';
import type { Outcome } from '../metrics/attempt.js';

// What an engine measures is metrics vocabulary (toAttempt turns it into a record); engines speak it from here.
export { emptyTimings, type Outcome, type PhaseTimings, type StreamTimings } from '../metrics/attempt.js';

/** A request ready to send: templated, authorised, encoded. */
export interface PreparedRequest {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  stream: 'none' | 'sse' | 'ws';
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
