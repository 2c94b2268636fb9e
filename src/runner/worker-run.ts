import { performance } from 'node:perf_hooks';
import type { Engine } from '../engines/types.js';
import type { Executed, Requester, ResponseJudge } from '../client/requester.js';
import type { RequestPreparer, Sender } from '../client/prepare.js';
import { FlowPicker, type FlowPlan } from '../client/flow-plan.js';
import { CallbackReceiver } from '../client/callback-receiver.js';
import type { PreparedRequest } from '../engines/types.js';
import { FlowSet } from '../metrics/flow-set.js';
import { FlowRunner, type FlowContext } from './flow-runner.js';
import type { WorkerInit, WorkerMessage } from './protocol.js';
import type { LoadPlan } from '../load/types.js';
import { targetAt } from '../load/curve.js';
import { WorkerRecorder } from './worker-recorder.js';
import { WarmUp, warmUpShare } from './warm-up.js';
import type { DriverContext, LoadDriver } from './drivers/types.js';
import { ClosedUsers } from './drivers/closed-users.js';
import { OpenArrivals } from './drivers/open-arrivals.js';
import { FixedLoadStretches, type FixedLoadStretch } from './drivers/fixed-load.js';

/**
 * After a stop request (Ctrl-C), in-flight requests get at most this long to finish before they are cut, so
 * that a stop answers within a couple of seconds whatever the scenario's graceful stop.
 */
const STOP_GRACE_MS = 1_000;

/**
 * One worker's share of the run: warms up, lets a load driver send its slice of the load curve (virtual users
 * in a closed model, scheduled arrivals in an open one, fixed-load stretches on an engine that runs them), hands
 * every attempt to its recorder, and stops gracefully. It never knows which engine sends the requests.
 * Time is "run time": ms since the shared start, on this thread's monotonic clock.
 */
export class WorkerRun implements DriverContext, FlowContext {
  private startAt = 0; // performance.now() value of run time 0
  private stopRequested = false;
  private readonly sleepers = new Set<() => void>();
  private readonly stopListeners = new Set<() => void>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly planWaiters = new Set<() => void>();
  private planIsOpen: boolean;
  private activeUsers = 0;
  private activeIterationCount = 0;
  private requester: Requester | undefined;
  /** flows and async jobs, per run (their requests go to the recorder like any other) */
  readonly flows: FlowSet;
  private readonly flowRunner: FlowRunner;
  private readonly flowPicker: FlowPicker;
  private receiverStarting: Promise<CallbackReceiver> | undefined;
  readonly recorder: WorkerRecorder;
  /** scrubs secrets from failure messages (set by the worker entry, which knows them) */
  redact?: (text: string) => string;
  /**
   * What the warm-up sends: the run's preparer by default; null when nothing may go out alone (every flow starts
   * with an async job: warming up would flood the target with jobs nobody follows). Connections are still opened.
   */
  warmupPreparer?: RequestPreparer | null;
  /** the warm-up's requests go through a requester of their own with these hooks (see WarmUp) */
  readonly warmup: WarmUp;

  constructor(
    private readonly init: WorkerInit,
    private readonly engine: Engine,
    private readonly preparer: RequestPreparer,
    private readonly post: (message: WorkerMessage) => void,
    readonly random: () => number,
    /** runs a fixed-concurrency stretch on the engine's own connections, when the engine can */
    private readonly fixedLoad?: FixedLoadStretch,
  ) {
    this.recorder = new WorkerRecorder(init.plan, init.intervalMs, post, () => this.runTime(), init.liveDetail ?? false);
    this.warmup = new WarmUp(this.sleep, () => this.stopRequested);
    this.planIsOpen = init.plan.search !== undefined;
    const flows: readonly FlowPlan[] = init.flows;
    this.flows = new FlowSet(
      flows.filter((f) => !f.implicit).map((f) => f.name),
      flows.flatMap((f) =>
        f.steps.flatMap((s): { name: string; mode: 'poll' | 'callback' }[] =>
          s.poll ? [{ name: s.name, mode: 'poll' }] : s.callback ? [{ name: s.name, mode: 'callback' }] : [],
        ),
      ),
    );
    this.flowRunner = new FlowRunner(this, preparer, flows);
    this.flowPicker = new FlowPicker(flows);
  }

  get plan() {
    return this.init.plan;
  }

  get workerIndex() {
    return this.init.workerIndex;
  }

  get workerCount() {
    return this.init.workerCount;
  }

  get gracefulStopMs() {
    return this.init.gracefulStopMs;
  }

  get stopping() {
    return this.stopRequested;
  }

  get inFlight() {
    return this.recorder.inFlight;
  }

  get planOpen() {
    return this.planIsOpen;
  }

  readonly planChanged = (): Promise<void> => {
    if (this.stopRequested) return Promise.resolve();
    return new Promise((resolve) => this.planWaiters.add(resolve));
  };

  /**
   * The coordinator of a capacity search changed the curve. The plan is updated in place: the drivers and the
   * recorder (which files attempts under stages) read the same object.
   */
  updatePlan(segments: LoadPlan['segments'], final: boolean): void {
    const { plan } = this.init;
    plan.segments.splice(0, plan.segments.length, ...segments);
    plan.durationMs = segments.at(-1)?.endMs ?? 0;
    if (final) this.planIsOpen = false;
    this.wakePlanWaiters();
  }

  private wakePlanWaiters(): void {
    const waiters = [...this.planWaiters];
    this.planWaiters.clear();
    for (const wake of waiters) wake();
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

  get onCall() {
    return this.recorder.call;
  }

  /** Requester hook: the curve's whole target now (not this worker's share), the level a per-load-level timeout reads. */
  readonly loadLevel = (): number => targetAt(this.init.plan.segments, this.runTime());

  /** Counts a request sent by an engine that keeps its own connections (one in flight per connection). */
  get onSent() {
    return this.recorder.sent;
  }

  /** Resolves true after ms (or as soon as `wakeOn` settles), false when the run stops first. */
  readonly sleep = (ms: number, wakeOn?: Promise<unknown>): Promise<boolean> => {
    if (this.stopRequested) return Promise.resolve(false);
    return new Promise((resolve) => {
      let awake = false;
      const wake = () => {
        if (awake) return;
        awake = true;
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve(!this.stopRequested);
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
      wakeOn?.then(wake, wake);
    });
  };

  stop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    for (const wake of [...this.sleepers]) wake();
    for (const listener of [...this.stopListeners]) listener();
    this.wakePlanWaiters();
  }

  async run(startAtEpochMs: number, requester: Requester, warmupRequester?: Requester): Promise<void> {
    // Each thread has its own performance.timeOrigin; the epoch form of the start time aligns them.
    this.startAt = startAtEpochMs - performance.timeOrigin;
    this.requester = requester;
    const { warmupMs, plan, workerIndex, workerCount } = this.init;
    // The warm-up runs in the time before time zero (the coordinator leaves warmupMs for it) and is awaited
    // only at the end, so a slow last warm-up request never delays the start.
    const warmupPreparer = this.warmupPreparer === undefined ? this.preparer : this.warmupPreparer;
    const warming =
      warmupMs > 0 && warmupRequester && warmupPreparer
        ? this.warmup.drive(warmUpShare(plan, workerIndex, workerCount), this.startAt, async () => {
            await warmupRequester.execute(warmupPreparer.next());
          })
        : undefined;
    const untilStart = this.startAt - performance.now();
    if (untilStart > 0) await new Promise((resolve) => setTimeout(resolve, untilStart));
    this.recorder.start();

    const flushTimer = setInterval(() => this.recorder.flushIntervals(false), Math.min(this.init.intervalMs, 250));
    try {
      await this.driver().drive();
      const { gracefulStopMs } = this.init;
      await this.drain(this.stopRequested ? Math.min(STOP_GRACE_MS, gracefulStopMs) : gracefulStopMs);
    } finally {
      clearInterval(flushTimer);
      // Flows still thinking or polling after the graceful stop end here as interrupted, like requests in flight.
      this.stop();
      // Requests still in flight are cut here and settle as interrupted; engines settle them within close(),
      // and the turn below lets their requesters record them before the last flush: never dropped.
      await this.engine.close();
      await new Promise((resolve) => setImmediate(resolve));
      if (this.receiverStarting) await (await this.receiverStarting.catch(() => undefined))?.close();
      if (this.init.flows.some((f) => !f.implicit || f.steps.some((s) => s.poll || s.callback)))
        this.post({ type: 'flows', snapshot: this.flows.snapshot() });
      if (warming) {
        await warming;
        this.post({ type: 'warmup', snapshot: this.warmup.snapshot(), durationMs: this.warmup.durationMs });
      }
      this.recorder.finish();
    }
  }

  /** The load shape picks the driver; an engine that runs fixed-load stretches on its own takes the holds. */
  private driver(): LoadDriver {
    if (this.init.plan.model === 'open') return new OpenArrivals(this);
    const users = new ClosedUsers(this);
    return this.fixedLoad && !this.init.plan.search ? new FixedLoadStretches(this, users, this.fixedLoad) : users;
  }

  // ---- what the drivers use (DriverContext)

  // send and execute run once per request each: they count around the promise with handlers made once, rather
  // than as async functions, each of which would allocate its own frame and promise per request.

  /** Runs one iteration of a flow drawn by weight; returns the pause before the user's next (see FlowRunner). */
  send(intendedRunMs?: number, sender: Sender = { vu: 0, iteration: 0 }): Promise<number> {
    const flow = this.flowPicker.pick(this.random);
    this.activeIterationCount += 1;
    let running: Promise<number>;
    try {
      running = this.flowRunner.runIteration(flow, sender, intendedRunMs === undefined ? undefined : this.startAt + intendedRunMs);
    } catch (error) {
      this.iterationEnded(0);
      return rejected(error);
    }
    return running.then(this.iterationEnded, this.iterationFailed);
  }

  private readonly iterationEnded = (pauseMs: number): number => {
    this.activeIterationCount -= 1;
    if (this.activeIterationCount === 0) this.wakeIdleWaiters();
    return pauseMs;
  };

  private readonly iterationFailed = (error: unknown): never => {
    this.iterationEnded(0);
    throw error;
  };

  get activeIterations(): number {
    return this.activeIterationCount;
  }

  // ---- what the flows use (FlowContext)

  execute(request: PreparedRequest, intendedAtMs: number | undefined, judge?: ResponseJudge): Promise<Executed> {
    this.recorder.changeInFlight(1);
    this.recorder.sent();
    let executing: Promise<Executed>;
    try {
      executing = this.requester!.execute(request, intendedAtMs, judge);
    } catch (error) {
      this.callLeft();
      return rejected(error);
    }
    return executing.then(this.executed, this.executeFailed);
  }

  private callLeft(): void {
    this.recorder.changeInFlight(-1);
    if (this.recorder.inFlight === 0) this.wakeIdleWaiters();
  }

  private readonly executed = (executed: Executed): Executed => {
    this.callLeft();
    return executed;
  };

  private readonly executeFailed = (error: unknown): never => {
    this.callLeft();
    throw error;
  };

  receiver(): Promise<CallbackReceiver> {
    this.receiverStarting ??= CallbackReceiver.start(this.init.client.maxResponseBytes, this.random);
    return this.receiverStarting;
  }

  drop(): void {
    this.recorder.counter(this.preparer.next().name, 'dropped');
  }

  scheduleLag(lagMs: number): void {
    this.recorder.scheduleLag(lagMs);
  }

  changeInFlight(by: number): void {
    this.recorder.changeInFlight(by);
  }

  userStarted(): void {
    this.activeUsers += 1;
  }

  userLeft(): void {
    this.activeUsers -= 1;
    if (this.activeUsers === 0) this.wakeIdleWaiters();
  }

  /** Resolves when nothing is in flight any more, or after limitMs. */
  async drain(limitMs: number): Promise<void> {
    const idle = () => this.recorder.inFlight === 0 && this.activeIterationCount === 0;
    if (idle() && this.activeUsers === 0) return;
    await new Promise<void>((resolve) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        resolve();
      }, limitMs);
      const waiter = () => {
        if (timedOut) return;
        if (idle()) {
          clearTimeout(timer);
          resolve();
        } else this.idleWaiters.push(waiter);
      };
      this.idleWaiters.push(waiter);
    });
  }

  private wakeIdleWaiters(): void {
    this.idleWaiters.splice(0).forEach((wake) => wake());
  }

  runTime(): number {
    return performance.now() - this.startAt;
  }
}

/** A synchronous throw handed on as the rejection an async function would have returned. */
function rejected(error: unknown): Promise<never> {
  return Promise.reject(error instanceof Error ? error : new Error(String(error)));
}
