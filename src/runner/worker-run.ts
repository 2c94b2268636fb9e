import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Engine } from '../engines/types.js';
import type { Requester } from '../client/requester.js';
import type { AttemptRecord } from '../metrics/metric-set.js';
import { MetricSet, type MetricSnapshot } from '../metrics/metric-set.js';
import { createHistogram, recordUs } from '../metrics/histogram.js';
import { concurrencyAt, segmentIndexAt, workerShare } from '../load/curve.js';
import { timeAtCumulativeArrivals } from '../load/arrivals.js';
import type { ClientCounters, MetricName } from '../result/types.js';
import type { RequestPreparer } from './prepare.js';
import type { WorkerInit, WorkerMessage } from './protocol.js';

/** How often the closed-model controller re-reads the curve: fine enough for sub-second ramps. */
const CONTROL_TICK_MS = 20;
export type FixedLoadRunner = (connections: number, durationMs: number, run: WorkerRun) => Promise<void>;

const INTERVAL_METRICS: ReadonlySet<MetricName> = new Set<MetricName>(['total', 'totalUncorrected', 'ttfb', 'service', 'network']);
/**
 * Sampling period of the event-loop delay monitor. Node records the whole time between its timer's runs, so an
 * idle loop reads as this much "delay": it is taken off before the figure is reported.
 */
const LOOP_DELAY_RESOLUTION_MS = 10;
/** After a stop request, in-flight requests get this long to finish before they are cut. */
const STOP_GRACE_MS = 1_000;

/**
 * One worker's share of the run. Drives its slice of the load curve, records every attempt into
 * per-interval, per-stage and per-request-name metric sets, and posts encoded snapshots.
 * Time is "run time": ms since the shared start, on this thread's monotonic clock.
 */
export class WorkerRun {
  private readonly intervals = new Map<number, MetricSet>();
  private readonly stages = new Map<number, MetricSet>();
  private readonly byName = new Map<string, MetricSet>();
  private flushedBefore = 0; // intervals below this index were posted
  private startAt = 0; // performance.now() value of run time 0
  private stopping = false;
  private inFlight = 0;
  private inFlightSince = 0; // run time of the last in-flight accrual
  private readonly sleepers = new Set<() => void>();
  private readonly lagHistogram = createHistogram();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  private utilization: EventLoopUtilization | undefined;
  private wantedVus = 0;
  /** virtual users stop sending at this run time (the end of the stretch they drive) */
  private vuDeadlineMs = 0;
  private readonly vuBusy: boolean[] = [];
  private activeVus = 0;
  private readonly idleWaiters: (() => void)[] = [];

  private readonly stopListeners = new Set<() => void>();

  constructor(
    private readonly init: WorkerInit,
    private readonly engine: Engine,
    private readonly preparer: RequestPreparer,
    private readonly post: (message: WorkerMessage) => void,
    private readonly random: () => number,
    /** drives a fixed-concurrency stretch with the autocannon engine, when the scenario asks for it */
    private readonly fixedLoad?: FixedLoadRunner,
  ) {}

  /** For engines that run a stretch on their own: they stop when the run stops. */
  readonly stopSignal = { onStop: (listener: () => void) => void this.stopListeners.add(listener) };

  /** Counts a request sent by an engine that keeps its own connections (one in flight per connection). */
  readonly onSent = (): void => {
    const now = this.runTime();
    this.intervalSet(this.intervalIndex(now)).sent += 1;
    this.setFor(this.stages, this.stageIndex(now)).sent += 1;
  };

  /** Called by the Requester for every attempt that counts as a request. */
  readonly onAttempt = (name: string, attempt: AttemptRecord): void => {
    const now = this.runTime();
    this.intervalSet(this.intervalIndex(now)).record(attempt);
    this.setFor(this.stages, this.stageIndex(now)).record(attempt);
    this.nameSet(name).record(attempt);
  };

  readonly onCounter = (name: string, counter: keyof ClientCounters, by = 1): void => {
    const now = this.runTime();
    this.intervalSet(this.intervalIndex(now)).counters[counter] += by;
    this.setFor(this.stages, this.stageIndex(now)).counters[counter] += by;
    this.nameSet(name).counters[counter] += by;
  };

  readonly onTokenRequest = (latencyUs: number): void => {
    const now = this.runTime();
    this.setFor(this.stages, this.stageIndex(now)).add('auth', latencyUs);
  };

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

  async run(startAtEpochMs: number, requester: Requester): Promise<void> {
    // Each thread has its own performance.timeOrigin; the epoch form of the start time aligns them.
    this.startAt = startAtEpochMs - performance.timeOrigin;
    this.loopDelay.enable();
    this.utilization = performance.eventLoopUtilization();
    const untilStart = this.startAt - performance.now();
    if (untilStart > 0) await new Promise((resolve) => setTimeout(resolve, untilStart));
    this.inFlightSince = this.runTime();

    const flushTimer = setInterval(() => this.flushIntervals(false), Math.min(this.init.intervalMs, 250));
    try {
      if (this.init.plan.model === 'closed') await this.driveClosed(requester);
      else await this.driveOpen(requester);
      await this.drain(this.stopping ? STOP_GRACE_MS : this.init.drainMs);
    } finally {
      clearInterval(flushTimer);
      await this.engine.close();
      // Let aborted requests settle so they are counted before the last flush.
      await new Promise((resolve) => setImmediate(resolve));
      this.flushIntervals(true);
      this.flushStagesAndNames();
      this.loopDelay.disable();
      this.post({
        type: 'done',
        scheduleLag: {
          p50Ms: this.lagHistogram.getValueAtPercentile(50) / 1000,
          p99Ms: this.lagHistogram.getValueAtPercentile(99) / 1000,
          maxMs: this.lagHistogram.maxValue / 1000,
        },
      });
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
      await this.drain(this.init.drainMs);
      this.accrueInFlight(this.runTime());
      this.inFlight += connections;
      try {
        await this.fixedLoad(connections, remainingMs, this);
      } finally {
        this.accrueInFlight(this.runTime());
        this.inFlight -= connections;
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
    void (async () => {
      try {
        // A VU above the wanted count leaves after its current request: lowering concurrency never cuts one.
        while (!this.stopping && slot < this.wantedVus && this.runTime() < this.vuDeadlineMs) {
          await this.sendOne(requester);
        }
      } finally {
        this.vuBusy[slot] = false;
        this.activeVus -= 1;
        if (this.activeVus === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
      }
    })();
  }

  // ---- open model: arrivals at times fixed by the schedule, whatever the target does

  private async driveOpen(requester: Requester): Promise<void> {
    const { plan, workerIndex, workerCount } = this.init;
    const maxInFlight = Math.max(1, Math.ceil((plan.maxInFlight ?? 10_000) / workerCount));
    // Worker i takes every N-th arrival of the whole schedule (constant), or runs its own Poisson process
    // at 1/N of the rate: N independent Poisson processes add up to one at the full rate.
    let cumulative = plan.arrivals === 'poisson' ? this.exponential() * workerCount : workerIndex;
    for (;;) {
      if (this.stopping) return;
      const intendedRunMs = timeAtCumulativeArrivals(plan.segments, cumulative);
      if (intendedRunMs === undefined) return;
      const waitMs = intendedRunMs - this.runTime();
      if (waitMs > 1) {
        if (!(await this.sleep(waitMs))) return;
      }
      const now = this.runTime();
      recordUs(this.lagHistogram, Math.max(0, now - intendedRunMs) * 1000);
      if (this.inFlight >= maxInFlight) {
        this.onCounter(this.preparer.next().name, 'dropped');
      } else {
        void this.sendOne(requester, this.startAt + intendedRunMs);
      }
      cumulative += plan.arrivals === 'poisson' ? this.exponential() * workerCount : workerCount;
      // Yield now and then so a burst of overdue arrivals cannot starve the sockets' I/O.
      if (waitMs <= 1 && this.inFlight % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private exponential(): number {
    return -Math.log(1 - this.random());
  }

  // ---- shared

  private async sendOne(requester: Requester, intendedAtMs?: number): Promise<void> {
    const request = this.preparer.next();
    const now = this.runTime();
    this.accrueInFlight(now);
    this.inFlight += 1;
    this.intervalSet(this.intervalIndex(now)).sent += 1;
    this.setFor(this.stages, this.stageIndex(now)).sent += 1;
    try {
      await requester.execute(request, intendedAtMs);
    } finally {
      this.accrueInFlight(this.runTime());
      this.inFlight -= 1;
      if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
    }
  }

  private async drain(limitMs: number): Promise<void> {
    if (this.inFlight === 0 && this.activeVus === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, limitMs);
      this.idleWaiters.push(() => {
        if (this.inFlight === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /**
   * Adds in-flight × elapsed to the interval and stage sets, split exactly at their boundaries, so that
   * mean concurrency per interval is the true time average.
   */
  private accrueInFlight(now: number): void {
    let from = this.inFlightSince;
    if (this.inFlight > 0) {
      const { intervalMs, plan } = this.init;
      while (from < now) {
        const intervalIndex = this.intervalIndex(from);
        const stageIndex = this.stageIndex(from);
        const stageEnd = plan.segments[stageIndex]?.endMs ?? Infinity;
        const boundary = Math.min(now, (intervalIndex + 1) * intervalMs, stageIndex === plan.segments.length - 1 ? Infinity : stageEnd);
        const span = Math.max(boundary - from, 0);
        this.intervalSet(intervalIndex).inFlightMs += this.inFlight * span;
        this.setFor(this.stages, stageIndex).inFlightMs += this.inFlight * span;
        if (boundary <= from) break;
        from = boundary;
      }
    }
    this.inFlightSince = now;
  }

  private flushIntervals(all: boolean): void {
    const now = this.runTime();
    this.accrueInFlight(now);
    const current = this.intervalIndex(now);
    const upTo = all ? Math.max(current, ...this.intervals.keys()) + 1 : current;
    for (let index = this.flushedBefore; index < upTo; index++) {
      const set = this.intervals.get(index);
      this.intervals.delete(index);
      const snapshot: MetricSnapshot = (set ?? new MetricSet()).snapshot();
      this.post({ type: 'interval', index, snapshot, health: this.healthSample() });
    }
    this.flushedBefore = Math.max(this.flushedBefore, upTo);
  }

  private healthSample() {
    const elu = performance.eventLoopUtilization(this.utilization);
    this.utilization = performance.eventLoopUtilization();
    const sample = {
      eventLoopUtilization: elu.utilization,
      eventLoopDelayP99Ms: this.loopDelay.count > 0 ? Math.max(0, this.loopDelay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0,
      eventLoopDelayMaxMs: this.loopDelay.count > 0 ? Math.max(0, this.loopDelay.max / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0,
    };
    this.loopDelay.reset();
    return sample;
  }

  private flushStagesAndNames(): void {
    for (const [index, set] of [...this.stages].sort((a, b) => a[0] - b[0])) {
      this.post({ type: 'stage', index, snapshot: set.snapshot() });
    }
    const byName: Record<string, MetricSnapshot> = {};
    for (const [name, set] of this.byName) byName[name] = set.snapshot();
    this.post({ type: 'names', byName });
  }

  private runTime(): number {
    return performance.now() - this.startAt;
  }

  private intervalIndex(runMs: number): number {
    return Math.max(0, Math.floor(runMs / this.init.intervalMs));
  }

  /** Requests completing after the schedule (while draining) belong to the last stage. */
  private stageIndex(runMs: number): number {
    return Math.max(0, segmentIndexAt(this.init.plan.segments, runMs));
  }

  private setFor(map: Map<number, MetricSet>, index: number): MetricSet {
    let set = map.get(index);
    if (!set) {
      set = new MetricSet();
      map.set(index, set);
    }
    return set;
  }

  /** Interval sets keep only what result.json stores per interval: their histograms are made every second. */
  private intervalSet(index: number): MetricSet {
    let set = this.intervals.get(index);
    if (!set) {
      set = new MetricSet(INTERVAL_METRICS);
      this.intervals.set(index, set);
    }
    return set;
  }

  private nameSet(name: string): MetricSet {
    let set = this.byName.get(name);
    if (!set) {
      set = new MetricSet();
      this.byName.set(name, set);
    }
    return set;
  }
}
