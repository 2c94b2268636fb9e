import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { mergeSnapshots, type MetricSnapshot } from '../metrics/metric-set.js';
import { mergeFlowSnapshots, type FlowsSnapshot } from '../metrics/flow-set.js';
import type { CoordinatorMessage, LiveCell, WorkerHealthSample, WorkerInit, WorkerMessage } from './protocol.js';
import type { GcTally } from '../result/types.js';
import { sumGcTallies } from '../result/gc.js';
import type { Segment } from '../load/types.js';
import { entryUrl, startWorker } from './spawn.js';
import { TailscopeError } from '../shared/errors.js';
import { StoppedBeforeLoadError } from './interrupted.js';

/** What the workers sent, merged exactly across workers. */
export interface CollectedRun {
  intervals: { index: number; snapshot: MetricSnapshot; health: WorkerHealthSample[] }[];
  stages: Map<number, MetricSnapshot>;
  byName: Map<string, MetricSnapshot>;
  /** the warm-up before time zero, merged; absent when there was none */
  warmup?: { snapshot: MetricSnapshot; durationMs: number };
  /** flows and async jobs, merged; absent when the scenario had neither */
  flows?: FlowsSnapshot;
  scheduleLag: { p50Ms: number; p99Ms: number; maxMs: number };
  /** the load threads' garbage collections over the measured run, summed (the longest pause: the longest of any) */
  gc: GcTally;
  /** monotonic time the load ran, from the shared start to the last worker's end */
  durationMs: number;
  workerErrors: string[];
}

export class WorkerStartError extends TailscopeError {
  readonly code = 'E_WORKER_START';
}

export interface CoordinatorHandle {
  /**
   * asks every worker to stop sending and finish up (SIGINT). Before the start signal went out the workers are
   * terminated instead, and `done` rejects with StoppedBeforeLoadError (carrying `reason`): nothing was sent.
   */
  stop(reason?: unknown): void;
  /** sends every worker a changed curve (a capacity search deciding its next probe) */
  updatePlan(segments: Segment[], final: boolean): void;
  /** ms since run time 0 on this thread's monotonic clock (negative before the start) */
  runTime(): number;
  done: Promise<CollectedRun>;
}

/** An interval's live detail merged across workers (only when WorkerInit.liveDetail is set). */
export interface LiveInterval {
  /** one cell per stage × request name that completed or counted anything in the interval, merged exactly */
  cells: LiveCell[];
  /** requests in flight across workers as each posted the interval */
  inFlight: number;
  health: WorkerHealthSample[];
  /** reported after every worker had exited (some worker never posted it): the run is over, not stopping */
  afterEnd: boolean;
}

/**
 * Called once all workers have reported an interval, with the merged view (for live progress) and each worker's
 * health sample for it. With live detail, intervals some worker never posted (its clock closed one interval
 * fewer) are reported too when the run ends (`afterEnd`), so that a live view sees every attempt exactly once.
 */
export type IntervalListener = (index: number, merged: MetricSnapshot, health: readonly WorkerHealthSample[], live?: LiveInterval) => void;

const READY_TIMEOUT_MS = 30_000;
/** Lead time between the start signal and run time 0, so that every worker begins on the same tick. */
const START_LEAD_MS = 50;

/**
 * The main-thread side of a run: starts one worker per share of the curve, gives them a common start
 * time, and merges what they report. It never sends a request itself, so its own work cannot distort
 * the measurement.
 */
export interface CoordinateOptions {
  /** worker threads of this process */
  localWorkers: number;
  /** global index of this process's first worker (shard index × local workers) */
  firstWorkerIndex: number;
  /** a start time shared with other shards (epoch ms); otherwise as soon as the workers are ready */
  startAtEpochMs?: number;
  /** called when the start signal goes out to the workers */
  onStart?: () => void;
  /**
   * asked once every local worker is ready, for the shared start time (epoch ms): how a live multi-machine run
   * holds its generators at a barrier until all of them are ready. It may wait as long as it needs (it keeps
   * its own time limit); a stop meanwhile ends start-up as before the start signal.
   */
  startGate?: () => Promise<number>;
}

export function coordinate(
  base: Omit<WorkerInit, 'workerIndex'>,
  options: CoordinateOptions,
  onInterval?: IntervalListener,
): CoordinatorHandle {
  const { localWorkers, firstWorkerIndex } = options;
  const workers: Worker[] = [];
  let started = false;
  let stopBeforeStart: ((reason: unknown) => void) | undefined;
  const stop = (reason?: unknown) => {
    if (!started) return stopBeforeStart?.(reason);
    for (const worker of workers) worker.postMessage({ type: 'stop' });
  };

  let startedAt = 0;
  const done = new Promise<CollectedRun>((resolve, reject) => {
    const intervalParts = new Map<
      number,
      { snapshots: MetricSnapshot[]; health: WorkerHealthSample[]; live: Omit<LiveInterval, 'afterEnd'>[]; reported: boolean }
    >();
    const report = (index: number, part: NonNullable<ReturnType<typeof intervalParts.get>>, afterEnd = false) => {
      part.reported = true;
      const live = base.liveDetail ? mergeLive(part.live, part.health, afterEnd) : undefined;
      onInterval?.(index, mergeSnapshots(part.snapshots), part.health, live);
    };
    const stageParts = new Map<number, MetricSnapshot[]>();
    const nameParts = new Map<string, MetricSnapshot[]>();
    const warmupParts: MetricSnapshot[] = [];
    const flowParts: FlowsSnapshot[] = [];
    let warmupMs = 0;
    /** each worker's closing message: its schedule lag and its collections */
    const doneParts: Extract<WorkerMessage, { type: 'done' }>[] = [];
    const workerErrors: string[] = [];
    let ready = 0;
    let exited = 0;
    let settled = false;

    const abandon = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(readyTimer);
      for (const worker of workers) void worker.terminate();
      reject(error);
    };
    const readyTimer = setTimeout(
      () => abandon(new WorkerStartError(`workers did not start within ${READY_TIMEOUT_MS / 1000}s`)),
      READY_TIMEOUT_MS,
    );
    stopBeforeStart = (reason) => abandon(new StoppedBeforeLoadError(reason));

    const finish = () => {
      if (settled) return;
      settled = true;
      if (base.liveDetail)
        for (const [index, part] of [...intervalParts].sort((a, b) => a[0] - b[0])) if (!part.reported) report(index, part, true);
      const durationMs = startedAt > 0 ? performance.now() - startedAt : 0;
      const intervals = [...intervalParts.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([index, part]) => ({ index, snapshot: mergeSnapshots(part.snapshots), health: part.health }));
      resolve({
        intervals,
        stages: new Map([...stageParts].map(([index, parts]) => [index, mergeSnapshots(parts)])),
        byName: new Map([...nameParts].map(([name, parts]) => [name, mergeSnapshots(parts)])),
        ...(warmupParts.length > 0 ? { warmup: { snapshot: mergeSnapshots(warmupParts), durationMs: warmupMs } } : {}),
        ...(flowParts.length > 0 ? { flows: mergeFlowSnapshots(flowParts) } : {}),
        scheduleLag: {
          p50Ms: Math.max(0, ...doneParts.map((d) => d.scheduleLag.p50Ms)),
          p99Ms: Math.max(0, ...doneParts.map((d) => d.scheduleLag.p99Ms)),
          maxMs: Math.max(0, ...doneParts.map((d) => d.scheduleLag.maxMs)),
        },
        gc: sumGcTallies(doneParts.map((d) => d.gc)),
        durationMs,
        workerErrors,
      });
    };

    for (let local = 0; local < localWorkers; local++) {
      const worker = startWorker(entryUrl('worker-entry'), { ...base, workerIndex: firstWorkerIndex + local } satisfies WorkerInit);
      workers.push(worker);
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            ready += 1;
            if (ready === localWorkers && !settled) {
              clearTimeout(readyTimer);
              const go = (startAtEpochMs: number) => {
                if (settled) return;
                started = true;
                startedAt = startAtEpochMs - performance.timeOrigin;
                for (const w of workers) w.postMessage({ type: 'start', startAtEpochMs });
                options.onStart?.();
              };
              if (options.startGate) options.startGate().then(go, (error: Error) => abandon(error));
              // The warm-up runs between the start signal and time zero.
              else go(options.startAtEpochMs ?? performance.timeOrigin + performance.now() + START_LEAD_MS + base.warmupMs);
            }
            break;
          case 'interval': {
            const part = intervalParts.get(message.index) ?? { snapshots: [], health: [], live: [], reported: false };
            part.snapshots.push(message.snapshot);
            part.health.push(message.health);
            if (message.live) part.live.push({ ...message.live, health: [] });
            intervalParts.set(message.index, part);
            if (part.snapshots.length === localWorkers) report(message.index, part);
            break;
          }
          case 'stage':
            stageParts.set(message.index, [...(stageParts.get(message.index) ?? []), message.snapshot]);
            break;
          case 'names':
            for (const [name, snapshot] of Object.entries(message.byName)) {
              nameParts.set(name, [...(nameParts.get(name) ?? []), snapshot]);
            }
            break;
          case 'flows':
            flowParts.push(message.snapshot);
            break;
          case 'warmup':
            warmupParts.push(message.snapshot);
            warmupMs = Math.max(warmupMs, message.durationMs);
            break;
          case 'done':
            doneParts.push(message);
            break;
          case 'fatal':
            workerErrors.push(message.message);
            break;
        }
      });
      worker.on('error', (error) => workerErrors.push(error.stack ?? String(error)));
      worker.on('exit', () => {
        exited += 1;
        if (exited === localWorkers) {
          clearTimeout(readyTimer);
          finish();
        }
      });
    }
  });

  const updatePlan = (segments: Segment[], final: boolean) => {
    const message: CoordinatorMessage = { type: 'plan', segments, final };
    for (const worker of workers) worker.postMessage(message);
  };
  return { stop, updatePlan, runTime: () => performance.now() - startedAt, done };
}

/** Merges the workers' live cells of one interval by stage × name (histograms add exactly, counters sum). */
function mergeLive(parts: readonly Omit<LiveInterval, 'afterEnd'>[], health: WorkerHealthSample[], afterEnd: boolean): LiveInterval {
  const byCell = new Map<string, { stage: number; name: string; snapshots: MetricSnapshot[] }>();
  for (const part of parts)
    for (const cell of part.cells) {
      const key = `${cell.stage}\u0000${cell.name}`;
      const entry = byCell.get(key) ?? { stage: cell.stage, name: cell.name, snapshots: [] };
      entry.snapshots.push(cell.snapshot);
      byCell.set(key, entry);
    }
  return {
    cells: [...byCell.values()].map(({ stage, name, snapshots }) => ({ stage, name, snapshot: mergeSnapshots(snapshots) })),
    inFlight: parts.reduce((sum, part) => sum + part.inFlight, 0),
    health,
    afterEnd,
  };
}
