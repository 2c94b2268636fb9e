import {
  constants as perfConstants,
  monitorEventLoopDelay,
  performance,
  PerformanceObserver,
  type EventLoopUtilization,
  type PerformanceEntry,
} from 'node:perf_hooks';
import { MetricSet, mergeSnapshots, type AttemptRecord, type CallRecord, type MetricSnapshot } from '../metrics/metric-set.js';
import { createHistogram, recordUs } from '../shared/histogram.js';
import { segmentIndexAt } from '../load/curve.js';
import type { LoadPlan } from '../load/types.js';
import type { ClientCounters, GcTally, MetricName } from '../result/types.js';
import type { LiveCell, WorkerHealthSample, WorkerMessage } from './protocol.js';

/** Interval sets keep only what result.json stores per interval: their histograms are made every interval. */
const INTERVAL_METRICS: ReadonlySet<MetricName> = new Set<MetricName>([
  'total',
  'totalUncorrected',
  'ttfb',
  'service',
  'network',
  'totalFailed',
  'ttfbFailed',
  'call',
  'callFailed',
]);
/**
 * Sampling period of the event-loop delay monitor. Node records the whole time between its timer's runs, so an
 * idle loop reads as this much "delay": it is taken off before the figure is reported. What is left is the
 * timer's own slack, which grows with the period: an idle loop on this kind of machine reads p99 0.58 ms at a
 * 10 ms period and 0.12 ms at 1 ms. At 1 ms the monitor can tell a sub-millisecond stall from its own noise;
 * its timer runs in native code, 1,000 times a second.
 */
const LOOP_DELAY_RESOLUTION_MS = 1;
/** Live cells keep the whole-request latency only: what /metrics exposes as a histogram per name and stage. */
const LIVE_METRICS: ReadonlySet<MetricName> = new Set<MetricName>(['total']);

/**
 * Where one worker's measurements go: every attempt into the metric set of its interval and into the one of its
 * stage and request name together (by completion time); requests in flight integrated over time; the
 * generator's own health. Intervals are posted as they close; stages and names once at the end, each an exact
 * merge of the stage × name sets, so an attempt is recorded twice rather than once per view.
 * Time is run time (ms since the shared start), read from the clock given.
 */
export class WorkerRecorder {
  private readonly intervals = new Map<number, MetricSet>();
  /** interval sets already posted, kept for reuse (see MetricSet.reset) */
  private readonly spareIntervalSets: MetricSet[] = [];
  /** per stage: attempts and counters by request name */
  private readonly stageNames = new Map<number, Map<string, MetricSet>>();
  /** per stage: what belongs to no request name (requests sent, in-flight time, token requests) */
  private readonly stageLoad = new Map<number, MetricSet>();
  /** per interval, per stage × name (only with liveDetail): the same attempts as stageNames, posted as they close */
  private readonly liveCells = new Map<number, Map<string, { stage: number; name: string; set: MetricSet }>>();
  private flushedBefore = 0; // intervals below this index were posted
  private inFlightNow = 0;
  private inFlightSince = 0; // run time of the last in-flight accrual
  private readonly lagHistogram = createHistogram();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  private utilization: EventLoopUtilization | undefined;
  private cpuAt = { wallMs: 0, process: process.cpuUsage(), thread: threadCpuUsage() };
  /** this thread's collections from run time 0: a pause stamps every request in flight late by its length */
  private readonly gc: GcTally = { collections: 0, majorCollections: 0, pauseTotalMs: 0, pauseMaxMs: 0 };
  private gcObserver: PerformanceObserver | undefined;

  constructor(
    private readonly plan: LoadPlan,
    private readonly intervalMs: number,
    private readonly post: (message: WorkerMessage) => void,
    private readonly runTime: () => number,
    private readonly liveDetail = false,
  ) {}

  /** Called at run time 0. */
  start(): void {
    this.loopDelay.enable();
    this.utilization = performance.eventLoopUtilization();
    this.cpuAt = { wallMs: performance.now(), process: process.cpuUsage(), thread: threadCpuUsage() };
    this.inFlightSince = this.runTime();
    this.gcObserver = new PerformanceObserver((list) => this.countCollections(list.getEntries()));
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  private countCollections(entries: readonly PerformanceEntry[]): void {
    for (const entry of entries) {
      this.gc.collections += 1;
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) this.gc.majorCollections += 1;
      this.gc.pauseTotalMs += entry.duration;
      this.gc.pauseMaxMs = Math.max(this.gc.pauseMaxMs, entry.duration);
    }
  }

  get inFlight(): number {
    return this.inFlightNow;
  }

  readonly sent = (): void => {
    const now = this.runTime();
    this.intervalSet(this.intervalIndex(now)).sent += 1;
    this.loadSet(this.stageIndex(now)).sent += 1;
  };

  readonly attempt = (name: string, attempt: AttemptRecord): void => {
    const now = this.runTime();
    this.intervalSet(this.intervalIndex(now)).record(attempt);
    this.stageNameSet(this.stageIndex(now), name).record(attempt);
    if (this.liveDetail) this.liveCell(now, name).record(attempt);
  };

  readonly call = (name: string, call: CallRecord): void => {
    const now = this.runTime();
    this.intervalSet(this.intervalIndex(now)).recordCall(call);
    this.stageNameSet(this.stageIndex(now), name).recordCall(call);
  };

  readonly counter = (name: string, counter: keyof ClientCounters, by = 1): void => {
    const now = this.runTime();
    this.intervalSet(this.intervalIndex(now)).counters[counter] += by;
    this.stageNameSet(this.stageIndex(now), name).counters[counter] += by;
    if (this.liveDetail) this.liveCell(now, name).counters[counter] += by;
  };

  readonly tokenRequest = (latencyUs: number): void => {
    this.loadSet(this.stageIndex(this.runTime())).add('auth', latencyUs);
  };

  /** How late an open-model arrival was sent against its intended time. */
  scheduleLag(lateMs: number): void {
    recordUs(this.lagHistogram, Math.max(0, lateMs) * 1000);
  }

  /** Requests in flight go up or down; the time they spent at the old level is credited first. */
  changeInFlight(delta: number): void {
    this.accrueInFlight(this.runTime());
    this.inFlightNow += delta;
  }

  /**
   * Adds in-flight × elapsed to the interval and stage sets, split exactly at their boundaries, so that
   * mean concurrency per interval is the true time average.
   */
  private accrueInFlight(now: number): void {
    let from = this.inFlightSince;
    if (this.inFlightNow > 0) {
      const { segments } = this.plan;
      while (from < now) {
        const intervalIndex = this.intervalIndex(from);
        const stageIndex = this.stageIndex(from);
        const stageEnd = stageIndex === segments.length - 1 ? Infinity : (segments[stageIndex]?.endMs ?? Infinity);
        const boundary = Math.min(now, (intervalIndex + 1) * this.intervalMs, stageEnd);
        const span = Math.max(boundary - from, 0);
        this.intervalSet(intervalIndex).inFlightMs += this.inFlightNow * span;
        this.loadSet(stageIndex).inFlightMs += this.inFlightNow * span;
        if (boundary <= from) break;
        from = boundary;
      }
    }
    this.inFlightSince = now;
  }

  /** Posts every interval that has closed (all of them at the end of the run). */
  flushIntervals(all: boolean): void {
    const now = this.runTime();
    this.accrueInFlight(now);
    const current = this.intervalIndex(now);
    const upTo = all ? Math.max(current, ...this.intervals.keys()) + 1 : current;
    if (upTo <= this.flushedBefore) return;
    // One health sample for the whole span since the last flush, shared by every interval closed in it. A sample
    // per interval would give the second of two closed together a window of microseconds: no idle time in it
    // (utilization 1.0), a CPU share of noise, and a saturated interval out of nothing.
    const health = this.healthSample();
    for (let index = this.flushedBefore; index < upTo; index++) {
      const set = this.intervals.get(index);
      this.intervals.delete(index);
      const snapshot: MetricSnapshot = (set ?? new MetricSet()).snapshot();
      this.post({
        type: 'interval',
        index,
        snapshot,
        health,
        ...(this.liveDetail ? { live: this.takeLive(index) } : {}),
      });
      if (set) {
        set.reset();
        this.spareIntervalSets.push(set);
      }
    }
    this.flushedBefore = upTo;
  }

  /** The end of the run: stages, request names and the schedule lag, once. */
  finish(): void {
    this.flushIntervals(true);
    const nameParts = new Map<string, MetricSnapshot[]>();
    const stageIndexes = [...new Set([...this.stageLoad.keys(), ...this.stageNames.keys()])].sort((a, b) => a - b);
    for (const index of stageIndexes) {
      const parts: MetricSnapshot[] = [];
      const load = this.stageLoad.get(index);
      if (load) parts.push(load.snapshot());
      for (const [name, set] of this.stageNames.get(index) ?? []) {
        const snapshot = set.snapshot();
        parts.push(snapshot);
        (nameParts.get(name) ?? setNew(nameParts, name, [])).push(snapshot);
      }
      this.post({ type: 'stage', index, snapshot: mergeSnapshots(parts) });
    }
    const byName: Record<string, MetricSnapshot> = {};
    for (const [name, parts] of nameParts) byName[name] = mergeSnapshots(parts);
    this.post({ type: 'names', byName });
    this.loopDelay.disable();
    // Entries buffered for the observer's next callback are taken here. (Node makes a collection's entry one turn
    // of the loop after it, so one in the run's very last turn is not counted.)
    if (this.gcObserver) {
      this.countCollections(this.gcObserver.takeRecords());
      this.gcObserver.disconnect();
      this.gcObserver = undefined;
    }
    this.post({
      type: 'done',
      gc: { ...this.gc },
      scheduleLag: {
        p50Ms: this.lagHistogram.getValueAtPercentile(50) / 1000,
        p99Ms: this.lagHistogram.getValueAtPercentile(99) / 1000,
        maxMs: this.lagHistogram.maxValue / 1000,
      },
    });
  }

  private liveCell(now: number, name: string): MetricSet {
    const stage = this.stageIndex(now);
    const index = this.intervalIndex(now);
    const cells =
      this.liveCells.get(index) ?? setNew(this.liveCells, index, new Map<string, { stage: number; name: string; set: MetricSet }>());
    const key = `${stage}\u0000${name}`;
    return (cells.get(key) ?? setNew(cells, key, { stage, name, set: new MetricSet(LIVE_METRICS) })).set;
  }

  private takeLive(index: number): { cells: LiveCell[]; inFlight: number } {
    const cells = [...(this.liveCells.get(index)?.values() ?? [])].map(({ stage, name, set }) => ({
      stage,
      name,
      snapshot: set.snapshot(),
    }));
    this.liveCells.delete(index);
    return { cells, inFlight: this.inFlightNow };
  }

  private healthSample(): WorkerHealthSample {
    const elu = performance.eventLoopUtilization(this.utilization);
    this.utilization = performance.eventLoopUtilization();
    const now = { wallMs: performance.now(), process: process.cpuUsage(), thread: threadCpuUsage() };
    const wallUs = Math.max(1, (now.wallMs - this.cpuAt.wallMs) * 1000);
    const cpuUs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => b.user - a.user + (b.system - a.system);
    const sample = {
      eventLoopUtilization: elu.utilization,
      threadCpuShare: now.thread && this.cpuAt.thread ? cpuUs(this.cpuAt.thread, now.thread) / wallUs : null,
      processCpuCores: cpuUs(this.cpuAt.process, now.process) / wallUs,
      eventLoopDelayP99Ms: this.loopDelay.count > 0 ? Math.max(0, this.loopDelay.percentile(99) / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0,
      eventLoopDelayMaxMs: this.loopDelay.count > 0 ? Math.max(0, this.loopDelay.max / 1e6 - LOOP_DELAY_RESOLUTION_MS) : 0,
    };
    this.loopDelay.reset();
    this.cpuAt = now;
    return sample;
  }

  private intervalIndex(runMs: number): number {
    return Math.max(0, Math.floor(runMs / this.intervalMs));
  }

  /** Requests completing after the schedule (while draining) belong to the last stage. */
  private stageIndex(runMs: number): number {
    return Math.max(0, segmentIndexAt(this.plan.segments, runMs));
  }

  // The lookups below run several times per request: found first, created apart (`??` builds the new value only
  // when it is missing), so that the hot path makes no closure per call.

  private intervalSet(index: number): MetricSet {
    return this.intervals.get(index) ?? this.newIntervalSet(index);
  }

  private newIntervalSet(index: number): MetricSet {
    const set = this.spareIntervalSets.pop() ?? new MetricSet(INTERVAL_METRICS);
    this.intervals.set(index, set);
    return set;
  }

  private loadSet(stageIndex: number): MetricSet {
    return this.stageLoad.get(stageIndex) ?? setNew(this.stageLoad, stageIndex, new MetricSet());
  }

  private stageNameSet(stageIndex: number, name: string): MetricSet {
    const byName = this.stageNames.get(stageIndex) ?? setNew(this.stageNames, stageIndex, new Map<string, MetricSet>());
    return byName.get(name) ?? setNew(byName, name, new MetricSet());
  }
}

/** Puts a value that was missing and returns it: `map.get(key) ?? setNew(map, key, …)`. */
function setNew<K, V>(map: Map<K, V>, key: K, value: V): V {
  map.set(key, value);
  return value;
}

/** This thread's CPU clock where the platform has one (Node ≥ 23.9); Node 20 has none, and says so with null. */
function threadCpuUsage(): NodeJS.CpuUsage | null {
  const read = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  return read ? read.call(process) : null;
}
