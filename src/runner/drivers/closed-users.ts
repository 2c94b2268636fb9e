import { concurrencyAt, workerShare } from '../../load/curve.js';
import type { DriverContext, LoadDriver } from './types.js';

/** How often the closed-model controller re-reads the curve: fine enough for sub-second ramps. */
const CONTROL_TICK_MS = 20;

/**
 * Closed model: virtual users, each sending its next request when the previous one ends, as many as the
 * concurrency curve asks for at each moment (this worker's share of it).
 */
export class ClosedUsers implements LoadDriver {
  private wantedUsers = 0;
  /** virtual users stop sending at this run time (the end of the stretch they drive) */
  private deadlineMs: () => number = () => 0;
  private readonly busy: boolean[] = [];

  constructor(private readonly run: DriverContext) {}

  drive(): Promise<void> {
    // A capacity search appends stages as it goes: the curve's end is only the end once the plan is final.
    return this.driveUntil(() => (this.run.planOpen ? Infinity : this.run.plan.durationMs));
  }

  /** Virtual users follow the curve until `untilMs`; the fixed-load driver hands them the ramps. */
  async driveUntil(untilMs: number | (() => number)): Promise<void> {
    const { plan, workerIndex, workerCount } = this.run;
    const deadline = typeof untilMs === 'number' ? () => untilMs : untilMs;
    this.deadlineMs = deadline;
    while (!this.run.stopping) {
      const now = this.run.runTime();
      if (now >= deadline()) break;
      this.wantedUsers = workerShare(concurrencyAt(plan.segments, now), workerIndex, workerCount);
      for (let slot = 0; slot < this.wantedUsers; slot++) {
        if (!this.busy[slot]) this.startUser(slot);
      }
      await this.run.sleep(CONTROL_TICK_MS);
    }
    this.wantedUsers = 0;
  }

  private startUser(slot: number): void {
    this.busy[slot] = true;
    this.run.userStarted();
    const { workerIndex, workerCount } = this.run;
    // Numbered across workers as they share users out (worker i holds users i, i + N, …), from 1.
    const sender = { vu: slot * workerCount + workerIndex + 1, iteration: 0 };
    void (async () => {
      try {
        // A user above the wanted count leaves after its current iteration: lowering concurrency never cuts one.
        while (!this.run.stopping && slot < this.wantedUsers && this.run.runTime() < this.deadlineMs()) {
          const thinkMs = await this.run.send(undefined, sender);
          sender.iteration += 1;
          // Think time after an iteration. A pause that reaches the stretch's end holds the user's slot to the end
          // (or a stop) and then ends the user: its next iteration would start after the schedule.
          if (thinkMs > 0) {
            const remainingMs = this.deadlineMs() - this.run.runTime();
            if (thinkMs >= remainingMs) {
              await this.run.sleep(Math.max(0, remainingMs));
              break;
            }
            if (!(await this.run.sleep(thinkMs))) break;
          }
        }
      } finally {
        this.busy[slot] = false;
        this.run.userLeft();
      }
    })();
  }
}
