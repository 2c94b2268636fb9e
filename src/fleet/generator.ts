import { performance } from 'node:perf_hooks';
import type { Subscription } from '@nats-io/transport-node';
import type { MetricSnapshot } from '../metrics/metric-set.js';
import type { RunResult } from '../result/types.js';
import { serializeResult } from '../result/serialize.js';
import { TailscopeError } from '../shared/errors.js';
import { decodeJson, encodeJson, Outbox, type Bus } from './bus.js';
import { estimateOffset, localStartMs, type ClockOffset, type ClockSample } from './clock.js';
import {
  finalPartId,
  snapshotId,
  splitFinal,
  subjects,
  type ClockReply,
  type CoordinatorBeat,
  type GeneratorBeat,
  type GeneratorPhase,
} from './messages.js';

export class FleetStartError extends TailscopeError {
  readonly code = 'E_FLEET_START';
}

/** Generator heartbeat period: three are missed before the coordinator calls a generator lost. */
export const BEAT_MS = 500;
const CLOCK_SAMPLES = 7;

export interface GeneratorLinkOptions {
  runId: string;
  shard: { index: number; count: number };
  /** runFingerprint of the scenario as this process read it */
  plan: string;
  /** stop by ourselves when the coordinator has been silent this long (after it was heard once) */
  coordinatorSilentMs: number;
  /** give up at the barrier after this long without a start time */
  readyTimeoutMs: number;
}

/** The epoch form of this process's monotonic clock: what the workers turn back into a monotonic deadline. */
const nowMs = () => performance.timeOrigin + performance.now();

/**
 * One generator's side of a live run: heartbeats, the ready barrier and clock offset, its interval snapshots
 * out to JetStream, its result at the end, and a watch on the coordinator that stops the load if the
 * coordinator says so or falls silent. The runner sees only a start gate and a stop.
 */
export class GeneratorLink {
  private phase: GeneratorPhase = 'preparing';
  private offset: ClockOffset | undefined;
  private startedAtCoordMs: number | undefined;
  private lastCoordinatorMs: number | undefined;
  private coordinatorStartMs: number | undefined;
  private stopReason: string | undefined;
  private readonly stopListeners: ((reason: string) => void)[] = [];
  private readonly startWaiters: { resolve: (coordinatorStartMs: number) => void; reject: (error: Error) => void }[] = [];
  private readonly outbox: Outbox;
  private readonly subs: Subscription[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly subjects: ReturnType<typeof subjects>;

  constructor(
    private readonly bus: Bus,
    private readonly options: GeneratorLinkOptions,
  ) {
    this.subjects = subjects(options.runId);
    this.outbox = new Outbox(bus, 60_000);
    const sub = bus.nc.subscribe(this.subjects.coordinatorBeat, {
      callback: (error, msg) => {
        if (error) return;
        this.onCoordinatorBeat(decodeJson<CoordinatorBeat>(msg.data));
      },
    });
    this.subs.push(sub);
    this.timers.push(setInterval(() => this.beat(), BEAT_MS));
    this.timers.push(setInterval(() => this.watchCoordinator(), 250));
    this.beat();
  }

  /** The offset and round trip behind it, once measured: reported, and used for the start. */
  get clock(): ClockOffset | undefined {
    return this.offset;
  }

  /** When the load started, in the coordinator's clock, as this generator measured it. */
  get startedAt(): number | undefined {
    return this.startedAtCoordMs;
  }

  onStop(listener: (reason: string) => void): void {
    this.stopListeners.push(listener);
    if (this.stopReason !== undefined) listener(this.stopReason);
  }

  /**
   * For the runner, once this process's workers are ready: says so, measures the clock offset, waits for the
   * coordinator's start time and returns it on this machine's clock.
   */
  readonly startGate = async (): Promise<number> => {
    this.phase = 'ready';
    this.beat();
    const deadline = performance.now() + this.options.readyTimeoutMs;
    this.offset = await this.measureOffset(deadline);
    this.beat();
    const coordinatorStartMs =
      this.coordinatorStartMs ??
      (await new Promise<number>((resolve, reject) => {
        if (this.stopReason !== undefined) return reject(new FleetStartError(`stopped before the start: ${this.stopReason}`));
        const timer = setTimeout(
          () => reject(new FleetStartError(`no start time from the coordinator within ${this.options.readyTimeoutMs / 1000} s`)),
          Math.max(0, deadline - performance.now()),
        );
        this.startWaiters.push({
          resolve: (startMs) => {
            clearTimeout(timer);
            resolve(startMs);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
      }));
    const startMs = localStartMs(coordinatorStartMs, this.offset);
    // The start as this process sees it: a timer on the same clock and deadline the workers wait on.
    this.timers.push(
      setTimeout(
        () => {
          this.startedAtCoordMs = nowMs() - this.offset!.offsetMs;
          this.beat();
        },
        Math.max(0, startMs - nowMs()),
      ),
    );
    this.phase = 'running';
    return startMs;
  };

  /** Publishes one interval (merged across this process's workers); JetStream keeps it until the coordinator reads it. */
  interval(index: number, snapshot: MetricSnapshot): void {
    this.outbox.publish(
      this.subjects.snapshot(this.options.shard.index),
      { shard: this.options.shard.index, index, snapshot },
      snapshotId(this.options.runId, this.options.shard.index, index),
    );
  }

  /** Publishes this shard's result (scrubbed by the caller) and waits, within a bound, for the broker to take it. */
  async finish(result: RunResult, waitMs: number): Promise<boolean> {
    const shard = this.options.shard.index;
    const deadline = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), waitMs));
    // Every snapshot is stored before the result: the coordinator ends the run once it has every result, and a
    // snapshot still being retried after an outage would otherwise arrive after that, and be left out.
    let flushed = await Promise.race([this.outbox.flush().then(() => true), deadline]);
    if (flushed) {
      for (const part of splitFinal(shard, serializeResult(result), this.bus.maxPayloadBytes))
        this.outbox.publish(this.subjects.final(shard), part, finalPartId(this.options.runId, shard, part.part));
      flushed = await Promise.race([this.outbox.flush().then(() => true), deadline]);
    }
    this.phase = 'done';
    this.beat();
    return flushed && this.outbox.failed === 0;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const sub of this.subs) sub.unsubscribe();
    await this.bus.close();
  }

  private beat(): void {
    const beat: GeneratorBeat = {
      shard: this.options.shard.index,
      count: this.options.shard.count,
      phase: this.phase,
      plan: this.options.plan,
      ...(this.offset ? { clockOffsetMs: this.offset.offsetMs, clockRttMs: this.offset.rttMs } : {}),
      ...(this.startedAtCoordMs !== undefined ? { startedAtCoordMs: this.startedAtCoordMs } : {}),
    };
    if (!this.bus.nc.isClosed()) this.bus.nc.publish(this.subjects.generatorBeat(this.options.shard.index), encodeJson(beat));
  }

  private onCoordinatorBeat(beat: CoordinatorBeat): void {
    this.lastCoordinatorMs = performance.now();
    if (beat.startAtEpochMs !== undefined && this.coordinatorStartMs === undefined) {
      this.coordinatorStartMs = beat.startAtEpochMs;
      for (const waiter of this.startWaiters.splice(0)) waiter.resolve(beat.startAtEpochMs);
    }
    if (beat.stop !== undefined) this.stop(`the coordinator stopped the run: ${beat.stop}`);
  }

  private watchCoordinator(): void {
    if (this.lastCoordinatorMs === undefined || this.phase === 'done') return;
    const silentMs = performance.now() - this.lastCoordinatorMs;
    if (silentMs >= this.options.coordinatorSilentMs)
      this.stop(`the coordinator has been silent for ${(silentMs / 1000).toFixed(1)} s: stopping, this shard keeps its own result`);
  }

  private stop(reason: string): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    // Still at the barrier: there will be no start, and nothing waits for one.
    for (const waiter of this.startWaiters.splice(0)) waiter.reject(new FleetStartError(`stopped before the start: ${reason}`));
    for (const listener of this.stopListeners) listener(reason);
  }

  /** Several request/reply exchanges with the coordinator; the one with the shortest round trip gives the offset. */
  private async measureOffset(deadline: number): Promise<ClockOffset> {
    const samples: ClockSample[] = [];
    while (samples.length < CLOCK_SAMPLES) {
      if (performance.now() > deadline)
        throw new FleetStartError(`the coordinator did not answer within ${this.options.readyTimeoutMs / 1000} s`);
      if (this.stopReason !== undefined) break;
      const sentMs = nowMs();
      try {
        const reply = await this.bus.nc.request(this.subjects.clock, undefined, { timeout: 1_000 });
        samples.push({ sentMs, remoteMs: decodeJson<ClockReply>(reply.data).nowMs, receivedMs: nowMs() });
      } catch {
        // No coordinator yet (no responders) or a slow answer: ask again shortly.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return estimateOffset(samples) ?? { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY };
  }
}
