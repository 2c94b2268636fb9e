import { mergeSnapshots, type MetricSnapshot } from '../metrics/metric-set.js';
import type { FinalPart, GeneratorBeat, GeneratorPhase, SnapshotMessage } from './messages.js';

/** What the coordinator knows of one generator. */
export interface ShardRecord {
  shard: number;
  phase: GeneratorPhase | 'unseen';
  /** coordinator monotonic ms of the last heartbeat or message */
  lastSeenMs: number;
  /** the run fingerprint it reported (see runFingerprint) */
  plan?: string;
  lost?: { atMs: number; silentMs: number };
  clockOffsetMs?: number;
  clockRttMs?: number;
  startedAtCoordMs?: number;
  snapshots: number;
  duplicates: number;
  /** snapshots that came after their interval had been judged without them: kept in the counts, not re-judged */
  late: number;
  requests: number;
  /** the highest interval this shard has sent */
  lastIndex: number;
  finalText?: string;
}

export interface CompletedInterval {
  index: number;
  merged: MetricSnapshot;
  /** shards whose part was missing when the interval was judged (lost ones) */
  missing: number[];
}

/**
 * The coordinator's book of a live run, with no clock or socket of its own: heartbeats, snapshots and result
 * pieces come in with the time they arrived, and it says which intervals are complete (every shard still
 * alive has sent its part), which shards are lost, and when the run is over. Keyed by message id, so a
 * message delivered twice is counted once.
 */
export class FleetLedger {
  readonly shards: ShardRecord[];
  private readonly seen = new Set<string>();
  private readonly intervals = new Map<number, Map<number, MetricSnapshot>>();
  private readonly finalParts = new Map<number, Map<number, string>>();
  private nextIndex = 0;

  constructor(
    readonly count: number,
    readonly lostAfterMs: number,
    nowMs: number,
  ) {
    this.shards = Array.from({ length: count }, (_, shard) => ({
      shard,
      phase: 'unseen' as const,
      lastSeenMs: nowMs,
      snapshots: 0,
      duplicates: 0,
      late: 0,
      requests: 0,
      lastIndex: -1,
    }));
  }

  beat(beat: GeneratorBeat, nowMs: number): void {
    const record = this.shards[beat.shard];
    if (!record || beat.count !== this.count) return;
    record.lastSeenMs = nowMs;
    record.phase = beat.phase;
    record.plan = beat.plan;
    if (beat.clockOffsetMs !== undefined) record.clockOffsetMs = beat.clockOffsetMs;
    if (beat.clockRttMs !== undefined) record.clockRttMs = beat.clockRttMs;
    if (beat.startedAtCoordMs !== undefined) record.startedAtCoordMs = beat.startedAtCoordMs;
  }

  allReady(): boolean {
    return this.shards.every((s) => s.phase === 'ready' || s.phase === 'running');
  }

  /** Adds one snapshot (unless its id was seen) and returns the intervals it completed, in order. */
  addSnapshot(id: string, message: SnapshotMessage, nowMs: number): { duplicate: boolean; completed: CompletedInterval[] } {
    const record = this.shards[message.shard];
    if (!record) return { duplicate: false, completed: [] };
    record.lastSeenMs = Math.max(record.lastSeenMs, nowMs);
    if (this.seen.has(id)) {
      record.duplicates += 1;
      return { duplicate: true, completed: [] };
    }
    this.seen.add(id);
    record.snapshots += 1;
    record.requests += message.snapshot.requests;
    record.lastIndex = Math.max(record.lastIndex, message.index);
    if (message.index < this.nextIndex) record.late += 1;
    const parts = this.intervals.get(message.index) ?? new Map<number, MetricSnapshot>();
    parts.set(message.shard, message.snapshot);
    this.intervals.set(message.index, parts);
    return { duplicate: false, completed: this.complete() };
  }

  /** Adds one piece of a shard's result; returns true when that shard's result is whole. */
  addFinalPart(id: string, part: FinalPart, nowMs: number): boolean {
    const record = this.shards[part.shard];
    if (!record || this.seen.has(id)) return false;
    this.seen.add(id);
    record.lastSeenMs = Math.max(record.lastSeenMs, nowMs);
    const pieces = this.finalParts.get(part.shard) ?? new Map<number, string>();
    pieces.set(part.part, part.text);
    this.finalParts.set(part.shard, pieces);
    if (pieces.size < part.parts) return false;
    record.finalText = Array.from({ length: part.parts }, (_, i) => pieces.get(i) ?? '').join('');
    record.phase = 'done';
    return true;
  }

  /** Shards silent for lostAfterMs become lost (once); returns them and the intervals no longer waiting on them. */
  checkLost(nowMs: number): { lost: number[]; completed: CompletedInterval[] } {
    const lost: number[] = [];
    for (const record of this.shards) {
      if (record.lost || record.finalText !== undefined) continue;
      const silentMs = nowMs - record.lastSeenMs;
      if (silentMs >= this.lostAfterMs) {
        record.lost = { atMs: nowMs, silentMs };
        lost.push(record.shard);
      }
    }
    return { lost, completed: lost.length > 0 ? this.complete() : [] };
  }

  /** While the coordinator itself cannot hear the broker, nobody's silence is theirs: start counting afresh. */
  forgiveSilence(nowMs: number): void {
    for (const record of this.shards) if (!record.lost) record.lastSeenMs = Math.max(record.lastSeenMs, nowMs);
  }

  /** Whether this shard's snapshot of this interval has arrived. */
  hasSnapshot(shard: number, index: number): boolean {
    return this.intervals.get(index)?.has(shard) ?? false;
  }

  /** Every generator has either delivered its result or been lost. */
  finished(): boolean {
    return this.shards.every((s) => s.finalText !== undefined || s.lost);
  }

  /** Every interval the shards have sent, merged (lost shards' parts included): the live total. */
  liveRequests(): number {
    return this.shards.reduce((sum, s) => sum + s.requests, 0);
  }

  /** The intervals from nextIndex on that every live shard has sent (a finished shard owes none past its last). */
  private complete(): CompletedInterval[] {
    const completed: CompletedInterval[] = [];
    for (;;) {
      const parts = this.intervals.get(this.nextIndex);
      if (!parts) break;
      const owed = this.shards.filter((s) => !s.lost && !(s.finalText !== undefined && s.lastIndex < this.nextIndex));
      if (owed.some((s) => !parts.has(s.shard))) break;
      const missing = this.shards.filter((s) => !parts.has(s.shard)).map((s) => s.shard);
      completed.push({ index: this.nextIndex, merged: mergeSnapshots([...parts.values()]), missing });
      this.nextIndex += 1;
    }
    return completed;
  }

  /** Called when a shard's result arrives: intervals it will never send no longer wait on it. */
  completeAfterFinal(): CompletedInterval[] {
    return this.complete();
  }
}
