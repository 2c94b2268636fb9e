import type { RequestPlan } from './prepare.js';

/**
 * Flows as plain data (they cross to the workers by structured clone), and the pure decisions made on them:
 * which flow an iteration runs, how long a think pause lasts, whether an async job is over. Every `requests:`
 * item is a one-step flow of its own (`implicit`), so one code path sends both forms; implicit flows record no
 * flow metrics, so a scenario of plain requests reads as it always did.
 */

/** A pause: uniform in [minMs, maxMs] (both equal for a fixed pause). */
export interface ThinkRange {
  minMs: number;
  maxMs: number;
}

/** When an async job is over: the value at `json` is one of `in`; the ones in `failed` are failures. */
export interface FinalState {
  json: string;
  in: readonly (string | number | boolean)[];
  failed?: readonly (string | number | boolean)[];
}

export interface PollPlan {
  /** the poll requests, named (default `<step>.poll`) so their latency stays apart from the submit's */
  request: RequestPlan;
  everyMs: number;
  timeoutMs: number;
  until: FinalState;
}

export interface CallbackPlan {
  /** the JSON body field the receiver's URL goes in */
  field: string;
  timeoutMs: number;
  /** callback bodies in one of these states are failed jobs */
  failed?: { json: string; in: readonly (string | number | boolean)[] };
}

export interface StepPlan extends RequestPlan {
  /** name → JSONPath into the JSON response body */
  capture?: Record<string, string>;
  think?: ThinkRange;
  poll?: PollPlan;
  callback?: CallbackPlan;
}

export interface FlowPlan {
  name: string;
  weight: number;
  /** pause after each iteration, before the same user's next one (closed model) */
  think?: ThinkRange;
  steps: StepPlan[];
  /** a `requests:` item run as a one-step flow: no flow metrics of its own */
  implicit: boolean;
}

/** A think pause drawn from its range with the worker's seeded PRNG; exact when min equals max. */
export function sampleThinkMs(range: ThinkRange, random: () => number): number {
  if (range.maxMs <= range.minMs) return range.minMs;
  return range.minMs + random() * (range.maxMs - range.minMs);
}

/** Weighted choice among flows, as requests are drawn by weight: one uniform draw per iteration. */
export class FlowPicker {
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(private readonly flows: readonly FlowPlan[]) {
    let sum = 0;
    this.cumulative = flows.map((flow) => (sum += flow.weight));
    this.total = sum;
  }

  pick(random: () => number): FlowPlan {
    if (this.flows.length === 1) return this.flows[0]!;
    const draw = random() * this.total;
    let index = 0;
    while (index < this.cumulative.length - 1 && draw >= this.cumulative[index]!) index++;
    return this.flows[index]!;
  }
}

/**
 * What a value read from a job's answer says: `pending` (not final yet), `done`, `failed`, or `unknown` when the
 * answer does not hold the value at all (a renamed field, an error body): the job's state cannot be told.
 */
export type JobState = 'pending' | 'done' | 'failed' | 'unknown';

export function jobStateOf(value: unknown, final: FinalState): JobState {
  if (value === undefined) return 'unknown';
  if (!final.in.some((candidate) => sameScalar(candidate, value))) return 'pending';
  return final.failed?.some((candidate) => sameScalar(candidate, value)) ? 'failed' : 'done';
}

/** A final value as written in YAML against the value in a JSON body: `done` matches "done", `3` matches 3. */
function sameScalar(written: string | number | boolean, value: unknown): boolean {
  return written === value;
}

/**
 * When the next poll goes: on a fixed cadence from the submitting send (submit + k·every), the first tick after
 * `nowMs`, so a slow poll skips the ticks it overran instead of drifting. Completion is then known to within one
 * interval plus one poll's round trip.
 */
export function nextPollAtMs(submittedAtMs: number, everyMs: number, nowMs: number): number {
  const ticks = Math.floor((nowMs - submittedAtMs) / everyMs) + 1;
  return submittedAtMs + Math.max(1, ticks) * everyMs;
}
