import { timeAtCumulativeArrivals } from '../../load/arrivals.js';
import type { DriverContext, LoadDriver } from './types.js';

/** Arrivals sent back to back before the loop lets I/O run. */
const ARRIVALS_PER_YIELD = 32;
/**
 * While a capacity search may still change the curve, a wait for a far-off arrival is cut into slices this long
 * and the arrival's time read again: the probe it was planned in may have been cut short meanwhile.
 */
const OPEN_PLAN_RECHECK_MS = 50;

/** Open model: arrivals at times fixed by the schedule, whatever the target does. */
export class OpenArrivals implements LoadDriver {
  constructor(private readonly run: DriverContext) {}

  async drive(): Promise<void> {
    const { plan, workerIndex, workerCount } = this.run;
    const maxInFlight = Math.max(1, Math.ceil(plan.maxInFlight / workerCount));
    // Worker i takes every N-th arrival of the whole schedule (constant), or runs its own Poisson process
    // at 1/N of the rate: N independent Poisson processes add up to one at the full rate.
    let cumulative = plan.arrivals === 'poisson' ? this.exponential() * workerCount : workerIndex;
    let sentWithoutYield = 0;
    // No users in an open model: `{{ iteration }}` numbers the arrivals, unique across workers.
    let arrivals = 0;
    for (;;) {
      if (this.run.stopping) return;
      const intendedRunMs = timeAtCumulativeArrivals(plan.segments, cumulative);
      if (intendedRunMs === undefined) {
        // The end of the curve as planned so far; a search may still add to it.
        if (!this.run.planOpen) return;
        await this.run.planChanged();
        continue;
      }
      const waitMs = intendedRunMs - this.run.runTime();
      if (waitMs > OPEN_PLAN_RECHECK_MS && this.run.planOpen) {
        if (!(await this.run.sleep(OPEN_PLAN_RECHECK_MS))) return;
        continue;
      }
      if (waitMs > 1) {
        // Timers fire up to ~1 ms late; arrivals due within a millisecond go now, with their lateness recorded.
        if (!(await this.run.sleep(waitMs))) return;
        sentWithoutYield = 0;
      } else if (sentWithoutYield >= ARRIVALS_PER_YIELD) {
        // A burst of overdue arrivals must not starve the sockets' I/O (responses, whose times we measure).
        await new Promise((resolve) => setImmediate(resolve));
        sentWithoutYield = 0;
      }
      this.run.scheduleLag(this.run.runTime() - intendedRunMs);
      // Bounded by iterations under way, not requests: a flow thinking between steps still holds its slot.
      if (this.run.activeIterations >= maxInFlight) this.run.drop();
      else void this.run.send(intendedRunMs, { vu: 0, iteration: arrivals * workerCount + workerIndex });
      sentWithoutYield += 1;
      arrivals += 1;
      cumulative += plan.arrivals === 'poisson' ? this.exponential() * workerCount : workerCount;
    }
  }

  private exponential(): number {
    return -Math.log(1 - this.run.random());
  }
}
