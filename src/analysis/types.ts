import type { LatencySummary } from '../metrics/summary.js';

export const ANALYSIS_SCHEMA = 'tailscope.analysis/v1';

export interface Percentiles { p50: number; p90: number; p99: number }

/**
 * How the wait was divided between network and service:
 * - server-timing / header: the server reported its own time per response; network = the rest
 * - rtt-bound: no server timing; network is bounded by the unloaded round trip (connect times)
 */
export type SplitMethod = 'server-timing' | 'header' | 'rtt-bound';

export interface SplitView {
  method: SplitMethod;
  /** responses the split rests on */
  samples: number;
  network: Percentiles;
  service: Percentiles;
  queue?: Percentiles;
}

export interface StageAnalysis {
  index: number;
  name: string;
  /** target load at the stage's end: concurrency (closed) or arrivals/s (open) */
  target: number;
  achievedConcurrency: number;
  requests: number;
  throughput: number;
  errorRate: number;
  latency: LatencySummary;
  split?: SplitView;
}

export interface Analysis {
  schema: typeof ANALYSIS_SCHEMA;
  run: {
    scenario: string;
    model: 'closed' | 'open';
    engine: string;
    valid: boolean;
    reasons: string[];
    interrupted: boolean;
    requests: number;
    durationMs: number;
  };
  stages: StageAnalysis[];
  split: SplitView & {
    perStage: ({ stage: number; name: string } & SplitView)[];
    /** which component grows as load grows, from the lightest to the heaviest stage (p50, ms) */
    growth: { component: 'network' | 'service' | 'queue' | 'none'; networkDeltaMs: number; serviceDeltaMs: number; queueDeltaMs: number };
  };
}
