import type { UslFit } from '../../analysis/types.js';

// What the charts draw, as data: built from a result and its analysis by views/run.ts, drawn by html/charts/.

export interface CapacityView {
  /** closed model: concurrency; open model: offered rate */
  loadTitle: string;
  points: { stage: string; load: number; throughput: number; p99Ms: number }[];
  /** where added load stopped buying throughput, in the load's unit */
  kneeLoad?: number;
  usl?: Pick<UslFit, 'lambda' | 'sigma' | 'kappa'>;
}

export interface StreamingStage {
  stage: string;
  /** absent when the stage has no sample of it */
  ttft?: { p50: number; p99: number };
  itl?: { p50: number; p99: number };
  /** time per output token (streams, and plain responses whose usage was read) */
  tpot?: { p50: number; p99: number };
  tokensPerSec: number;
}

export interface TimeoutCandidate {
  /** e.g. "total 250 ms (recommended)" */
  label: string;
  ms: number;
  /** share of requests that would have been cut (took longer than ms) */
  cutShare: number;
}

export interface LoadCurve {
  run: string;
  points: { stage: string; load: number; throughput: number; p99Ms: number }[];
}
