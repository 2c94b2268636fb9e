/** How a stage of the load curve moves its target. */
export type StageKind = 'hold' | 'ramp' | 'step' | 'spike';

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
}
