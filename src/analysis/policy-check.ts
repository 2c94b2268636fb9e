import type { RunResult } from '../result/types.js';
import { decodeDistribution, quantileMs } from './distribution.js';
import { successfulHistograms } from './timeouts.js';
import type { ReplayResult } from './types.js';

/** What a live run with a client policy measured, in the replay's terms. */
export interface LiveFigures {
  calls: number;
  /** successful calls / calls */
  successRate: number;
  /** successful calls' latency (the `call` histogram less `callFailed`), ms */
  callP50: number;
  callP99: number;
  /** attempts sent per call minus one (429s left out: the replay has no rate limiter to re-ask) */
  extraLoadShare: number;
}

/** Reads a run's calls as a replay predicts them; undefined for a result without calls. */
export function liveFigures(result: RunResult): LiveFigures | undefined {
  const calls = result.totals.calls;
  if (!calls || calls.calls === 0) return undefined;
  const successful = decodeDistribution(successfulHistograms(result.histograms).call);
  const rateLimited = result.totals.errorsByKind.byStatus['429'] ?? 0;
  return {
    calls: calls.calls,
    successRate: 1 - calls.errorRate,
    callP50: successful ? quantileMs(successful, 0.5) : 0,
    callP99: successful ? quantileMs(successful, 0.99) : 0,
    extraLoadShare: (result.totals.requests - rateLimited) / calls.calls - 1,
  };
}

/** How far a replay's prediction landed from the live run: points of success and extra load, relative p99. */
export interface PredictionGap {
  successRatePoints: number;
  callP99Relative: number;
  extraLoadPoints: number;
}

export function predictionGap(predicted: ReplayResult, live: LiveFigures): PredictionGap {
  return {
    successRatePoints: Math.abs(predicted.successRate - live.successRate) * 100,
    callP99Relative: live.callP99 > 0 ? Math.abs(predicted.effective.p99 - live.callP99) / live.callP99 : Infinity,
    extraLoadPoints: Math.abs(predicted.extraLoadShare - live.extraLoadShare) * 100,
  };
}
