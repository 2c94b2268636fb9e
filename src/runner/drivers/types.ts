import type { LoadPlan } from '../../load/types.js';
import type { FixedLoadHooks, StopSignal } from '../../engines/types.js';
import type { Sender } from '../../client/prepare.js';
import type { CallRecord } from '../../metrics/metric-set.js';

/**
 * How a worker's share of the load is sent, one implementation per file (as k6 has one executor per file):
 * closed virtual users, open arrivals, fixed-load stretches on an engine that keeps its own connections.
 * A driver never knows which engine sends its requests; it only decides when they go.
 */
export interface LoadDriver {
  /** Sends load until the end of the plan or a stop; resolves when it sends no more (some may still be in flight). */
  drive(): Promise<void>;
}

/**
 * What the worker's run gives a driver: its share of the plan, the run's clock, a stop-aware sleep and one way to
 * send. Time is "run time": ms since the shared start, on this thread's monotonic clock.
 */
export interface DriverContext extends FixedLoadHooks {
  readonly plan: LoadPlan;
  readonly workerIndex: number;
  readonly workerCount: number;
  readonly gracefulStopMs: number;
  readonly stopping: boolean;
  readonly stopSignal: StopSignal;
  /**
   * a capacity search still deciding: the coordinator may append stages to the plan (it is updated in place),
   * so the end of the curve is not the end of the run
   */
  readonly planOpen: boolean;
  /** resolves when the coordinator changes the plan, or the run stops */
  planChanged(): Promise<void>;
  /** requests in flight on this worker */
  readonly inFlight: number;
  /** flow iterations under way on this worker (a `requests:` item is a one-step flow: one per request in flight) */
  readonly activeIterations: number;
  runTime(): number;
  /** resolves after ms, or early when the run is stopping (then returns false) */
  sleep(ms: number): Promise<boolean>;
  /**
   * runs one iteration of a flow drawn by weight (a `requests:` item is a one-step flow); with an intended run
   * time, latency counts from it (no coordinated omission). The sender (virtual user and its iteration) is what
   * `{{ vu }}` and `{{ iteration }}` render. Resolves with the think time to pause before the user's next iteration.
   */
  send(intendedRunMs?: number, sender?: Sender): Promise<number>;
  /** counts an arrival that was not sent because too many were in flight */
  drop(): void;
  /** records how late an arrival went out against its schedule */
  scheduleLag(lagMs: number): void;
  /** adds to (or takes from) the in-flight count, for requests an engine keeps on its own connections */
  changeInFlight(by: number): void;
  /** a virtual user started or left: the run drains only once every user has left */
  userStarted(): void;
  userLeft(): void;
  /** resolves when nothing is in flight any more, or after limitMs */
  drain(limitMs: number): Promise<void>;
  /** records a finished call (an engine that runs a stretch on its own makes one attempt per call) */
  onCall(name: string, call: CallRecord): void;
  /** uniform draw in [0, 1) from the worker's seeded stream */
  random(): number;
}
