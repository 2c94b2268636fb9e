import { createHash } from 'node:crypto';
import type { MetricSnapshot } from '../metrics/metric-set.js';
import type { LoadPlan } from '../load/types.js';

/**
 * What a live multi-machine run says on the bus, as plain JSON. Nothing here carries a scenario secret: the
 * scenario travels with each process (a ConfigMap and a Secret on Kubernetes), and snapshots and results are
 * scrubbed by the generator before they are published.
 */

/** Subjects of one run. The run id keeps concurrent runs on one broker apart. */
export function subjects(runId: string) {
  const base = `tailscope.${runId}`;
  return {
    /** generator heartbeats (core NATS: a missed one is replaced by the next) */
    generatorBeat: (shard: number) => `${base}.gen.${shard}`,
    generatorBeats: `${base}.gen.*`,
    /** coordinator heartbeat: carries the start time and the stop, so a missed broadcast is repeated by the next */
    coordinatorBeat: `${base}.coord`,
    /** request/reply with the coordinator's clock, for the offset estimate */
    clock: `${base}.clock`,
    /** JetStream: interval snapshots and final results, kept until the coordinator has them */
    snapshot: (shard: number) => `${base}.snap.${shard}`,
    final: (shard: number) => `${base}.final.${shard}`,
    stored: [`${base}.snap.*`, `${base}.final.*`],
  };
}

/**
 * What must be the same on every process for their shards to add up to one run: the scenario's name, the load
 * curve and the interval. A generator given other overrides (-e, --set) than the coordinator differs here, and
 * the run is refused at the barrier rather than found unmergeable at the end. A hash: nothing of the scenario
 * itself goes on the bus.
 */
export function runFingerprint(name: string, plan: Pick<LoadPlan, 'model' | 'segments'>, intervalMs: number): string {
  return createHash('sha256')
    .update(JSON.stringify({ name, model: plan.model, segments: plan.segments, intervalMs }))
    .digest('hex')
    .slice(0, 16);
}

/** A run id becomes part of subjects and of the stream's name: letters, digits, - and _ only. */
export function checkRunId(runId: string): string | undefined {
  return /^[A-Za-z0-9_-]{1,64}$/.test(runId) ? undefined : `a run id is 1–64 letters, digits, - or _; got "${runId}"`;
}

export function streamName(runId: string): string {
  return `TAILSCOPE_${runId.replace(/-/g, '_')}`;
}

export type GeneratorPhase = 'preparing' | 'ready' | 'running' | 'done';

export interface GeneratorBeat {
  shard: number;
  count: number;
  phase: GeneratorPhase;
  /** fingerprint of the run this generator will drive (see runFingerprint): all must match the coordinator's */
  plan: string;
  /** set once the load started: when, in the coordinator's clock (epoch ms), as this generator measured it */
  startedAtCoordMs?: number;
  /** this generator's clock minus the coordinator's, ms (positive: the generator is ahead) */
  clockOffsetMs?: number;
  /** round trip of the clock exchange the offset came from: the offset is good to about half of it */
  clockRttMs?: number;
}

export interface CoordinatorBeat {
  /** run time zero, in the coordinator's clock (epoch ms); absent until every generator is ready */
  startAtEpochMs?: number;
  /** set once the run must end: every generator stops sending and reports what ran */
  stop?: string;
}

export interface ClockReply {
  /** the coordinator's clock when it answered, epoch ms */
  nowMs: number;
}

/** One interval of one shard, merged across that shard's worker threads. */
export interface SnapshotMessage {
  shard: number;
  index: number;
  snapshot: MetricSnapshot;
}

/** One piece of a shard's result.json (a result can exceed the broker's largest message). */
export interface FinalPart {
  shard: number;
  part: number;
  parts: number;
  text: string;
}

/**
 * The JetStream message id: the broker drops a second publish of the same id within its duplicate window, and
 * the coordinator keys what it keeps by the same id, so a redelivery never counts twice.
 */
export function snapshotId(runId: string, shard: number, index: number): string {
  return `${runId}/${shard}/interval/${index}`;
}

export function finalPartId(runId: string, shard: number, part: number): string {
  return `${runId}/${shard}/final/${part}`;
}

/** Splits a result's text into pieces that fit under the broker's payload limit (with room for the envelope). */
export function splitFinal(shard: number, text: string, maxPayloadBytes: number): FinalPart[] {
  // JSON escaping can double a character; keep each piece well under the limit.
  const size = Math.max(1024, Math.floor((maxPayloadBytes - 512) / 2));
  const count = Math.max(1, Math.ceil(text.length / size));
  return Array.from({ length: count }, (_, part) => ({ shard, part, parts: count, text: text.slice(part * size, (part + 1) * size) }));
}
