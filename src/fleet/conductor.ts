import { performance } from 'node:perf_hooks';
import type { Subscription } from '@nats-io/transport-node';
import type { RunResult } from '../result/types.js';
import { parseResult } from '../result/read.js';
import { ACK_WAIT_MS, COORDINATOR_CONSUMER, decodeJson, encodeJson, createRunStream, type Bus } from './bus.js';
import { FleetLedger, type CompletedInterval, type ShardRecord } from './ledger.js';
import {
  snapshotId,
  finalPartId,
  subjects,
  type CoordinatorBeat,
  type FinalPart,
  type GeneratorBeat,
  type SnapshotMessage,
} from './messages.js';
import { FleetStartError } from './generator.js';

/** Coordinator heartbeat period; it also repeats the start time and the stop to anyone who missed them. */
const COORDINATOR_BEAT_MS = 250;
/** How often the coordinator judges readiness, silence and the end. */
const TICK_MS = 100;

export interface ConductOptions {
  runId: string;
  /** runFingerprint of the scenario as the coordinator read it */
  plan: string;
  generators: number;
  /** the start time is this far ahead of the moment the last generator became ready */
  startLeadMs: number;
  /** a generator silent this long is lost */
  lostAfterMs: number;
  /** give up if not every generator is ready by then */
  readyTimeoutMs: number;
  /** from the start, the longest the run can take (schedule, warm-up, graceful stop, reports) before results are given up on */
  resultTimeoutMs: number;
}

export interface ConductEvents {
  onReady?(startAtEpochMs: number): void;
  /** an interval every live generator has sent, merged exactly */
  onInterval?(interval: CompletedInterval): void;
  onLost?(shard: number, silentMs: number): void;
  onBrokerConnection?(up: boolean): void;
  /** a message on the run's subjects that could not be read */
  onForeignMessage?(subject: string, problem: string): void;
}

/** One generator as the run saw it: what fleet.json says about it (the ledger's record, less its working state). */
export interface ShardReport extends Pick<
  ShardRecord,
  'shard' | 'phase' | 'clockOffsetMs' | 'clockRttMs' | 'startedAtCoordMs' | 'snapshots' | 'duplicates' | 'late'
> {
  /** intervals in the shard's result whose live snapshot never arrived (the result itself has them) */
  snapshotsMissing: number[];
  liveRequests: number;
  lost?: { afterStartMs: number; silentMs: number };
  result: boolean;
}

export interface FleetOutcome {
  startAtEpochMs: number;
  /** the results that arrived, in shard order */
  results: RunResult[];
  shards: ShardReport[];
  lost: number[];
  /** requests in every snapshot received live, each counted once */
  liveRequests: number;
  stoppedBy?: string;
}

const nowMs = () => performance.timeOrigin + performance.now();

/**
 * The coordinator of a live run on many machines: a ready barrier, one start time, snapshots merged as they
 * come, lost generators noticed, a stop broadcast, and every shard's result collected at the end. It sends no
 * load; its verdicts come from the CLI, which watches the merged intervals and calls stop().
 */
export function conductRun(bus: Bus, options: ConductOptions, events: ConductEvents = {}) {
  const names = subjects(options.runId);
  const ledger = new FleetLedger(options.generators, options.lostAfterMs, performance.now());
  let startAtEpochMs: number | undefined;
  let stopReason: string | undefined;
  const subs: Subscription[] = [];
  const timers: NodeJS.Timeout[] = [];
  let stopConsumer: (() => void) | undefined;

  const beat = () => {
    const message: CoordinatorBeat = {
      ...(startAtEpochMs !== undefined ? { startAtEpochMs } : {}),
      ...(stopReason !== undefined ? { stop: stopReason } : {}),
    };
    if (!bus.nc.isClosed()) bus.nc.publish(names.coordinatorBeat, encodeJson(message));
  };
  const results = new Map<number, RunResult>();
  const resultOf = (shard: number): RunResult | undefined => {
    const text = ledger.shards[shard]!.finalText;
    if (text === undefined) return undefined;
    if (!results.has(shard)) results.set(shard, parseResult(text, `shard ${shard}`));
    return results.get(shard);
  };
  /** Per shard: the intervals its result has and whose live snapshot has not arrived. */
  const missingSnapshots = (): number[][] =>
    ledger.shards.map((s) =>
      (resultOf(s.shard)?.intervals ?? []).map((i) => i.index).filter((index) => !ledger.hasSnapshot(s.shard, index)),
    );
  const emit = (completed: CompletedInterval[]) => {
    for (const interval of completed) events.onInterval?.(interval);
  };

  const done = (async (): Promise<FleetOutcome> => {
    const stream = await createRunStream(bus, options.runId);
    subs.push(
      bus.nc.subscribe(names.clock, {
        callback: (error, msg) => {
          if (!error) msg.respond(encodeJson({ nowMs: nowMs() }));
        },
      }),
      bus.nc.subscribe(names.generatorBeats, {
        callback: (error, msg) => {
          if (!error) ledger.beat(decodeJson<GeneratorBeat>(msg.data), performance.now());
        },
      }),
    );
    bus.onConnection((up) => {
      // While the coordinator cannot hear the broker, a generator's silence says nothing about the generator.
      if (up) ledger.forgiveSilence(performance.now());
      events.onBrokerConnection?.(up);
    });

    // At least once: a message is acknowledged after the ledger has it, and one delivered again (its ack lost
    // in an outage) is keyed by its id in the ledger and dropped there. Short pulls, so that a broker restart is
    // noticed (missed heartbeats) within a couple of seconds.
    const consumer = await bus.js.consumers.get(stream, COORDINATOR_CONSUMER);
    const messages = await consumer.consume({ expires: 2_000 });
    stopConsumer = () => void messages.stop();
    void (async () => {
      for await (const msg of messages) {
        const at = performance.now();
        try {
          if (msg.subject.includes('.snap.')) {
            const snapshot = msg.json<SnapshotMessage>();
            emit(ledger.addSnapshot(snapshotId(options.runId, snapshot.shard, snapshot.index), snapshot, at).completed);
          } else {
            const part = msg.json<FinalPart>();
            if (ledger.addFinalPart(finalPartId(options.runId, part.shard, part.part), part, at)) emit(ledger.completeAfterFinal());
          }
        } catch (error) {
          // Not ours (someone else publishing on the run's subjects): said once, then left behind, so that one
          // bad message cannot stop the run's consumer.
          events.onForeignMessage?.(msg.subject, (error as Error).message);
        }
        msg.ack();
      }
    })();

    timers.push(setInterval(beat, COORDINATOR_BEAT_MS));
    beat();

    await new Promise<void>((resolve, reject) => {
      const readyBy = performance.now() + options.readyTimeoutMs;
      let resultsBy = Number.POSITIVE_INFINITY;
      let finishedAt: number | undefined;
      /**
       * Silence is judged after this turn's reads, never before them. A timer runs before the loop polls the
       * sockets, so after a stall of this process (a long task, a GC, a starved CPU) the beats that came
       * meanwhile are still unread when the tick runs: judged then, a stall reads as every generator's silence.
       * setImmediate runs right after the poll that reads them. Seen in a test whose generators share the
       * coordinator's process: under a CPU hog it called all three lost, two of which had delivered; and an
       * earlier fix, a grace after each late tick, put off the judgement as long as late ticks kept coming.
       */
      const judgeSilence = () => {
        if (!bus.connected()) return;
        const { lost, completed } = ledger.checkLost(performance.now());
        for (const shard of lost) events.onLost?.(shard, ledger.shards[shard]!.lost!.silentMs);
        emit(completed);
      };
      const tick = setInterval(() => {
        const now = performance.now();
        if (startAtEpochMs === undefined) {
          if (stopReason !== undefined) {
            clearInterval(tick);
            return resolve();
          }
          const foreign = ledger.shards.filter((s) => s.plan !== undefined && s.plan !== options.plan).map((s) => s.shard);
          if (foreign.length > 0) {
            clearInterval(tick);
            stopReason = `generators ${foreign.join(', ')} run another scenario, load curve or interval than the coordinator`;
            beat();
            return reject(new FleetStartError(`${stopReason} (the same file, -e and --set on every process); nothing was sent`));
          }
          if (ledger.allReady()) {
            startAtEpochMs = nowMs() + options.startLeadMs;
            resultsBy = now + options.startLeadMs + options.resultTimeoutMs;
            beat();
            events.onReady?.(startAtEpochMs);
          } else if (now > readyBy) {
            clearInterval(tick);
            const waiting = ledger.shards.filter((s) => s.phase !== 'ready' && s.phase !== 'running').map((s) => s.shard);
            return reject(
              new FleetStartError(
                `generators ${waiting.join(', ')} of ${options.generators} were not ready within ${options.readyTimeoutMs / 1000} s`,
              ),
            );
          }
          return;
        }
        setImmediate(judgeSilence);
        if (ledger.finished()) {
          // A snapshot whose delivery an outage cut is redelivered after the ack wait, possibly after the
          // results: wait for it (bounded), so that the live counts are whole.
          finishedAt ??= now;
          if (missingSnapshots().every((m) => m.length === 0) || now - finishedAt > 2 * ACK_WAIT_MS + 1_000) {
            clearInterval(tick);
            resolve();
          }
        } else if (now > resultsBy) {
          // Still heard, yet no result in time: treated as lost, so the run ends with what did arrive.
          for (const record of ledger.shards) if (!record.lost && record.finalText === undefined) record.lost = { atMs: now, silentMs: 0 };
          clearInterval(tick);
          resolve();
        }
      }, TICK_MS);
      timers.push(tick);
    });

    const missing = missingSnapshots();
    const startMonotonic = startAtEpochMs === undefined ? 0 : startAtEpochMs - performance.timeOrigin;
    return {
      startAtEpochMs: startAtEpochMs ?? 0,
      results: ledger.shards.flatMap((s) => {
        const result = resultOf(s.shard);
        return result ? [result] : [];
      }),
      shards: ledger.shards.map((s) => ({
        shard: s.shard,
        phase: s.phase,
        ...(s.clockOffsetMs !== undefined ? { clockOffsetMs: s.clockOffsetMs, clockRttMs: s.clockRttMs } : {}),
        ...(s.startedAtCoordMs !== undefined ? { startedAtCoordMs: s.startedAtCoordMs } : {}),
        snapshots: s.snapshots,
        snapshotsMissing: missing[s.shard]!,
        duplicates: s.duplicates,
        late: s.late,
        liveRequests: s.requests,
        ...(s.lost ? { lost: { afterStartMs: s.lost.atMs - startMonotonic, silentMs: s.lost.silentMs } } : {}),
        result: s.finalText !== undefined,
      })),
      lost: ledger.shards.filter((s) => s.lost && s.finalText === undefined).map((s) => s.shard),
      liveRequests: ledger.liveRequests(),
      ...(stopReason !== undefined ? { stoppedBy: stopReason } : {}),
    };
  })().finally(async () => {
    // One last beat so that a generator still running hears the stop (or the end) at once.
    beat();
    for (const timer of timers) clearInterval(timer);
    stopConsumer?.();
    for (const sub of subs) sub.unsubscribe();
  });

  return {
    /** broadcasts a stop: every generator stops sending and reports what ran */
    stop(reason: string): void {
      if (stopReason !== undefined) return;
      stopReason = reason;
      beat();
    },
    done,
  };
}
