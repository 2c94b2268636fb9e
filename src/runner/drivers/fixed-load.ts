import { workerShare } from '../../load/curve.js';
import type { FixedLoadHooks, StopSignal } from '../../engines/types.js';
import type { ClosedUsers } from './closed-users.js';
import type { DriverContext, LoadDriver } from './types.js';
import { callOfAttempt } from '../../metrics/metric-set.js';

/** Runs one stretch of fixed concurrency on an engine that keeps its own connections (Engine.driveFixedLoad). */
export type FixedLoadStretch = (connections: number, durationMs: number, hooks: FixedLoadHooks, stop: StopSignal) => Promise<void>;

/**
 * Closed model on an engine that runs stretches of fixed concurrency on its own (autocannon): every hold goes to
 * the engine, every ramp to the virtual users.
 */
export class FixedLoadStretches implements LoadDriver {
  constructor(
    private readonly run: DriverContext,
    private readonly users: ClosedUsers,
    private readonly stretch: FixedLoadStretch,
  ) {}

  /** The engine retries nothing on its own connections: each of its attempts is a whole call. */
  private readonly hooks: FixedLoadHooks = {
    onAttempt: (name, attempt) => {
      this.run.onAttempt(name, attempt);
      this.run.onCall(name, callOfAttempt(attempt));
    },
    onSent: () => this.run.onSent(),
  };

  async drive(): Promise<void> {
    const { plan, workerIndex, workerCount } = this.run;
    for (const segment of plan.segments) {
      if (this.run.stopping) return;
      if (segment.from !== segment.to) {
        await this.users.driveUntil(segment.endMs);
        continue;
      }
      const remainingMs = segment.endMs - this.run.runTime();
      const connections = workerShare(segment.to, workerIndex, workerCount);
      if (remainingMs <= 0) continue;
      if (connections === 0) {
        await this.run.sleep(remainingMs);
        continue;
      }
      // The ramp's users finish first: the engine's connections are the only load during a hold.
      await this.run.drain(this.run.gracefulStopMs);
      this.run.changeInFlight(connections);
      try {
        await this.stretch(connections, remainingMs, this.hooks, this.run.stopSignal);
      } finally {
        this.run.changeInFlight(-connections);
      }
    }
  }
}
