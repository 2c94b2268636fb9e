/** How a stage of the load curve moves its target. */
/**
 * probe / sweep / drain: stages of a capacity search (load/search.ts); a drain sends nothing, so that the queue a
 * failed probe left behind empties before the next probe is measured
 */
export type StageKind = 'hold' | 'ramp' | 'step' | 'spike' | 'probe' | 'sweep' | 'drain';

/**
 * One stretch of the load curve: the target (concurrency, or arrivals/s in an open model) moves linearly
 * from `from` to `to` between startMs and endMs (equal on holds, steps and spikes).
 */
export interface Segment {
  index: number;
  name: string;
  kind: StageKind;
  startMs: number;
  endMs: number;
  from: number;
  to: number;
}

export interface LoadPlan {
  model: 'closed' | 'open';
  segments: Segment[];
  durationMs: number;
  /** open model only */
  arrivals: 'constant' | 'poisson';
  /** open model: the cap on requests in flight across all workers */
  maxInFlight: number;
  /**
   * a capacity search: the segments are not known ahead; the coordinator appends one probe at a time, then the
   * sweep (see load/search.ts). Absent on a fixed curve.
   */
  search?: SearchSettings;
}

/** `load.search`, with units parsed: what the search needs to choose its next probe. */
export interface SearchSettings {
  /** first probe's load: arrivals/s (open) or concurrency (closed) */
  from: number;
  /** no probe goes above this */
  to: number;
  /** how long each probe is judged on, after its settle */
  holdMs: number;
  /** the start of each probe left out of its verdict: the queue of the previous load drains or fills */
  settleMs: number;
  /** stop when (lowest fail − highest pass) / highest pass is at most this (0.05 = 5%) */
  precision: number;
  /** loads run after the search, spread from 20% to 100% of the capacity found (0: none) */
  sweep: number;
}
