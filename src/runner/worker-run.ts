import { performance } from 'node:perf_hooks';
import type { Engine } from '../engines/types.js';
import type { Requester } from '../client/requester.js';
import { concurrencyAt, workerShare } from '../load/curve.js';
import { timeAtCumulativeArrivals } from '../load/arrivals.js';
import type { RequestPreparer, Sender } from './prepare.js';
import type { WorkerInit, WorkerMessage } from './protocol.js';
import { WorkerRecorder } from './worker-recorder.js';
import { WarmUp, warmUpShare } from './warm-up.js';

/** How often the closed-model controller re-reads the curve: fine enough for sub-second ramps. */
const CONTROL_TICK_MS = 20;
/** Open model: arrivals sent back to back before the loop lets I/O run. */
const ARRIVALS_PER_YIELD = 32;
/**
 * After a stop request (Ctrl-C), in-flight requests get at most this long to finish before they are cut, so
 * that a stop answers within a couple of seconds whatever the scenario's graceful stop.
 */
const STOP_GRACE_MS = 1_000;

export type FixedLoadRunner = (connections: number, durationMs: number, run: WorkerRun) => Promise<void>;

/**
 * One worker's share of the run: drives its slice of the load curve (virtual users in a closed model,
 * scheduled arrivals in an open one) and hands every attempt to its recorder.
 * Time is "run time": ms since the shared start, on this thread's monotonic clock.
 */
export class WorkerRun {
  private startAt = 0; // performance.now() value of run time 0
  private stopping = false;
  private readonly sleepers = new Set<() => void>();
  private readonly stopListeners = new Set<() => void>();
  private readonly idleWaiters: (() => void)[] = [];
  private wantedVus = 0;
  /** virtual users stop sending at this run time (the end of the stretch they drive) */
  private vuDeadlineMs = 0;
  private readonly vuBusy: boolean[] = [];
  private activeVus = 0;
  readonly recorder: WorkerRecorder;
  /** scrubs secrets from failure messages (set by the worker entry, which knows them) */
  redact?: (text: string) => string;
  /** the warm-up's requests go through a requester of their own with these hooks (see WarmUp) */
  readonly warmup: WarmUp;

  constructor(
    private readonly init: WorkerInit,
    private readonly engine: Engine,
    private readonly preparer: RequestPreparer,
    private readonly post: (message: WorkerMessage) => void,
    private readonly random: () => number,
    /** drives a fixed-concurrency stretch with the autocannon engine, when the scenario asks for it */
    private readonly fixedLoad?: FixedLoadRunner,
  ) {
    this.recorder = new WorkerRecorder(init.plan, init.intervalMs, post, () => this.runTime());
    this.warmup = new WarmUp(this.sleep, () => this.stopping);
  }

  /** For engines that run a stretch on their own: they stop when the run stops. */
  readonly stopSignal = { onStop: (listener: () => void) => void this.stopListeners.add(listener) };

  /** Requester hooks: attempts and counters go to the recorder; sleeps end early when the run stops. */
  get onAttempt() {
    return this.recorder.attempt;
  }

  get onCounter() {
    return this.recorder.counter;
  }

  /** Counts a request sent by an engine that keeps its own connections (one in flight per connection). */
  get onSent() {
    return this.recorder.sent;
  }

  readonly sleep = (ms: number): Promise<boolean> => {
    if (this.stopping) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve(!this.stopping);
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  };

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.wantedVus = 0;
    for (const wake of [...this.sleepers]) wake();
    for (const listener of [...this.stopListeners]) listener();
  }

  async run(startAtEpochMs: number, requester: Requester, warmupRequester?: Requester): Promise<void> {
    // Each thread has its own performance.timeOrigin; the epoch form of the start time aligns them.
    this.startAt = startAtEpochMs - performance.timeOrigin;
    const { warmupMs, plan, workerIndex, workerCount } = this.init;
    // The warm-up runs in the time before time zero (the coordinator leaves warmupMs for it) and is awaited
    // only at the end, so a slow last warm-up request never delays the start.
    const warming = warmupMs > 0 && warmupRequester
      ? this.warmup.drive(warmUpShare(plan, workerIndex, workerCount), this.startAt, () => warmupRequester.execute(this.preparer.next()))
      : undefined;
    const untilStart = this.startAt - performance.now();
    if (untilStart > 0) await new Promise((resolve) => setTimeout(resolve, untilStart));
    this.recorder.start();

    const flushTimer = setInterval(() => this.recorder.flushIntervals(false), Math.min(this.init.intervalMs, 250));
    try {
      if (this.init.plan.model === 'closed') await this.driveClosed(requester);
      else await this.driveOpen(requester);
      const { gracefulStopMs } = this.init;
      await this.drain(this.stopping ? Math.min(STOP_GRACE_MS, gracefulStopMs) : gracefulStopMs);
    } finally {
      clearInterval(flushTimer);
      // Requests still in flight are cut here and settle as interrupted; engines settle them within close(),
      // and the turn below lets their requesters record them before the last flush: never dropped.
      await this.engine.close();
      await new Promise((resolve) => setImmediate(resolve));
      if (warming) {
        await warming;
        this.post({ type: 'warmup', snapshot: this.warmup.snapshot(), durationMs: this.warmup.durationMs });
      }
      this.recorder.finish();
    }
  }

  // ---- closed model: virtual users, each sending its next request when the previous one ends

  private async driveClosed(requester: Requester): Promise<void> {
    const { plan, workerIndex, workerCount } = this.init;
    if (!this.fixedLoad) return this.driveVirtualUsers(requester, plan.durationMs);
    // With the autocannon engine, stretches of fixed concurrency go to autocannon and ramps to the VU loop.
    for (const segment of plan.segments) {
      if (this.stopping) return;
      if (segment.from !== segment.to) {
        await this.driveVirtualUsers(requester, segment.endMs);
        continue;
      }
      const remainingMs = segment.endMs - this.runTime();
      const connections = workerShare(segment.to, workerIndex, workerCount);
      if (remainingMs <= 0) continue;
      if (connections === 0) {
        await this.sleep(remainingMs);
        continue;
      }
      await this.drain(this.init.gracefulStopMs);
      this.recorder.changeInFlight(connections);
      try {
        await this.fixedLoad(connections, remainingMs, this);
      } finally {
        this.recorder.changeInFlight(-connections);
      }
    }
  }

  /** Closed model with the phase-timed client: virtual users follow the curve until `untilMs`. */
  private async driveVirtualUsers(requester: Requester, untilMs: number): Promise<void> {
    const { plan, workerIndex, workerCount } = this.init;
    this.vuDeadlineMs = untilMs;
    while (!this.stopping) {
      const now = this.runTime();
      if (now >= untilMs) break;
      this.wantedVus = workerShare(concurrencyAt(plan.segments, now), workerIndex, workerCount);
      for (let slot = 0; slot < this.wantedVus; slot++) {
        if (!this.vuBusy[slot]) this.startVu(slot, requester);
      }
      await this.sleep(CONTROL_TICK_MS);
    }
    this.wantedVus = 0;
  }

  private startVu(slot: number, requester: Requester): void {
    this.vuBusy[slot] = true;
    this.activeVus += 1;
    const { workerIndex, workerCount } = this.init;
    // Numbered across workers as they share users out (worker i holds users i, i + N, …), from 1.
    const sender = { vu: slot * workerCount + workerIndex + 1, iteration: 0 };
    void (async () => {
      try {
        // A VU above the wanted count leaves after its current request: lowering concurrency never cuts one.
        while (!this.stopping && slot < this.wantedVus && this.runTime() < this.vuDeadlineMs) {
          await this.sendOne(requester, undefined, sender);
          sender.iteration += 1;
        }
      } finally {
        this.vuBusy[slot] = false;
        this.activeVus -= 1;
        if (this.activeVus === 0) this.wakeIdleWaiters();
      }
    })();
  }

  // ---- open model: arrivals at times fixed by the schedule, whatever the target does

  private async driveOpen(requester: Requester): Promise<void> {
    const { plan, workerIndex, workerCount } = this.init;
    const maxInFlight = Math.max(1, Math.ceil(plan.maxInFlight / workerCount));
    // Worker i takes every N-th arrival of the whole schedule (constant), or runs its own Poisson process
    // at 1/N of the rate: N independent Poisson processes add up to one at the full rate.
    let cumulative = plan.arrivals === 'poisson' ? this.exponential() * workerCount : workerIndex;
    let sentWithoutYield = 0;
    // No users in an open model: `{{ iteration }}` numbers the arrivals, unique across workers.
    let arrivals = 0;
    for (;;) {
      if (this.stopping) return;
      const intendedRunMs = timeAtCumulativeArrivals(plan.segments, cumulative);
      if (intendedRunMs === undefined) return;
      const waitMs = intendedRunMs - this.runTime();
      if (waitMs > 1) {
        // Timers fire up to ~1 ms late; arrivals due within a millisecond go now, with their lateness recorded.
        if (!(await this.sleep(waitMs))) return;
        sentWithoutYield = 0;
      } else if (sentWithoutYield >= ARRIVALS_PER_YIELD) {
        // A burst of overdue arrivals must not starve the sockets' I/O (responses, whose times we measure).
        await new Promise((resolve) => setImmediate(resolve));
        sentWithoutYield = 0;
      }
      this.recorder.scheduleLag(this.runTime() - intendedRunMs);
      if (this.recorder.inFlight >= maxInFlight) {
        this.recorder.counter(this.preparer.next().name, 'dropped');
      } else {
        void this.sendOne(requester, this.startAt + intendedRunMs, { vu: 0, iteration: arrivals * workerCount + workerIndex });
      }
      sentWithoutYield += 1;
      arrivals += 1;
      cumulative += plan.arrivals === 'poisson' ? this.exponential() * workerCount : workerCount;
    }
  }

  private exponential(): number {
    return -Math.log(1 - this.random());
  }

  // ---- shared

  private async sendOne(requester: Requester, intendedAtMs?: number, sender?: Sender): Promise<void> {
    const request = this.preparer.next(sender);
    this.recorder.changeInFlight(1);
    this.recorder.sent();
    try {
      await requester.execute(request, intendedAtMs);
    } finally {
      this.recorder.changeInFlight(-1);
      if (this.recorder.inFlight === 0) this.wakeIdleWaiters();
    }
  }

  /** Resolves when nothing is in flight any more, or after limitMs. */
  private async drain(limitMs: number): Promise<void> {
    if (this.recorder.inFlight === 0 && this.activeVus === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, limitMs);
      this.idleWaiters.push(() => {
        if (this.recorder.inFlight === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  private wakeIdleWaiters(): void {
    this.idleWaiters.splice(0).forEach((wake) => wake());
  }

  private runTime(): number {
    return performance.now() - this.startAt;
  }
}
