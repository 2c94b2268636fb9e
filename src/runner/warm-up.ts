import { performance } from 'node:perf_hooks';
import { MetricSet, type AttemptRecord, type CallRecord, type MetricSnapshot } from '../metrics/metric-set.js';
import { workerShare } from '../load/curve.js';
import type { LoadPlan } from '../load/types.js';
import type { RequesterHooks } from '../client/requester.js';
import type { ClientCounters } from '../result/types.js';

/** Open model, a schedule that starts from rate 0: warm up at this many arrivals/s per worker at most. */
const OPEN_RAMP_WARMUP_PER_WORKER = 10;

/**
 * One worker's share of the warm-up load: the first stage's level at its start (a ramp from zero warms up with
 * one virtual user per worker, or a few arrivals a second), so the warm-up neither idles nor spikes.
 * Pure: tested with a table.
 */
export function warmUpShare(
  plan: Pick<LoadPlan, 'model' | 'segments'>,
  workerIndex: number,
  workerCount: number,
): { users: number } | { ratePerSec: number } {
  const first = plan.segments[0];
  if (!first) return { users: 0 };
  if (plan.model === 'closed') return { users: workerShare(Math.max(first.from, workerCount), workerIndex, workerCount) };
  const rate = first.from > 0 ? first.from : Math.min(first.to, OPEN_RAMP_WARMUP_PER_WORKER * workerCount);
  return { ratePerSec: rate / workerCount };
}

/**
 * The warm-up before time zero: connections opened, JIT and lazily loaded code exercised, and the requests it
 * took recorded in a set of their own, never in an interval, stage or request name. Each virtual user stops
 * sending when its last request's latency says the next one would cross time zero, so the warm-up barely
 * overlaps the measured run.
 */
export class WarmUp implements RequesterHooks {
  private readonly set = new MetricSet();
  private startedAt = 0;
  private endedAt = 0;

  constructor(
    private readonly sleepFor: (ms: number) => Promise<boolean>,
    private readonly stopping: () => boolean,
  ) {}

  readonly onAttempt = (_name: string, attempt: AttemptRecord): void => this.set.record(attempt);

  readonly onCounter = (_name: string, counter: keyof ClientCounters, by = 1): void => {
    this.set.counters[counter] += by;
  };

  readonly onCall = (_name: string, call: CallRecord): void => this.set.recordCall(call);

  readonly sleep = (ms: number): Promise<boolean> => this.sleepFor(ms);

  /** Sends warm-up requests until `untilMs` (performance.now() time); resolves when every one has finished. */
  async drive(share: ReturnType<typeof warmUpShare>, untilMs: number, send: () => Promise<void>): Promise<void> {
    this.startedAt = performance.now();
    const timed = async (): Promise<number> => {
      const sentAt = performance.now();
      this.set.sent += 1;
      await send();
      return performance.now() - sentAt;
    };
    if ('users' in share) {
      const user = async () => {
        let lastMs = 0;
        while (!this.stopping() && performance.now() + lastMs < untilMs) lastMs = await timed();
      };
      await Promise.all(Array.from({ length: share.users }, user));
    } else if (share.ratePerSec > 0) {
      const gapMs = 1000 / share.ratePerSec;
      const inFlight = new Set<Promise<void>>();
      let lastMs = 0;
      while (performance.now() + lastMs < untilMs) {
        const sending: Promise<void> = timed().then((ms) => {
          lastMs = ms;
          inFlight.delete(sending);
        });
        inFlight.add(sending);
        if (!(await this.sleepFor(gapMs))) break;
      }
      await Promise.all(inFlight);
    }
    this.endedAt = performance.now();
  }

  get durationMs(): number {
    return Math.max(0, this.endedAt - this.startedAt);
  }

  snapshot(): MetricSnapshot {
    return this.set.snapshot();
  }
}
