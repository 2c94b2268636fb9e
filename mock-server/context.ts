/**
 * The state one running mock server shares between its routes. Routes receive it; nothing is module-global,
 * so several servers (with different profiles and seeds) can run in one process.
 */
import type { Rng } from './prng.js';
import type { Runtime } from './runtime.js';
import type { ResolvedProfile } from './profile-schema.js';
import type { TokenStore } from './auth.js';
import type { SlotQueue } from './queue.js';
import type { StatsRecorder } from './stats.js';
import type { JobStore } from './jobs.js';

/** A unit of generate work waiting for a service slot. */
export interface Work {
  /** Monotonic ms when it joined the queue. */
  enqueuedAtMs: number;
  /** Draws this request's service time (0 for streams, which time themselves token by token). */
  drawServiceMs(): number;
  /** Runs once a slot is taken; `serviceMs` is the batch's (the longest draw in it); calls `done` when the slot is free. */
  start(queueMs: number, serviceMs: number, done: () => void): void;
}

export interface MockContext {
  runtime: Runtime;
  readonly tokens: TokenStore;
  readonly queue: SlotQueue<Work>;
  readonly stats: StatsRecorder;
  readonly jobs: JobStore;
  /** Separate streams so that, e.g., enabling faults does not change the latencies drawn for the same seed. */
  readonly latencyRng: Rng;
  readonly faultRng: Rng;
  readonly textRng: Rng;
  /** Monotonic ms at server start: the origin of the stall schedule. */
  readonly startedAtMs: number;
  inFlight: number;
  nextId(prefix: string): string;
  /** Swaps the profile for everything that starts from now on. */
  applyProfile(profile: ResolvedProfile): void;
}
