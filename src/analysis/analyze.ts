import { flowsAnalysisOf } from './flows.js';
import type { RunResult, StageResult } from '../result/types.js';
import { splitOf } from './split.js';
import {
  ANALYSIS_SCHEMA,
  type Analysis,
  type NoSplit,
  type ReplayPolicy,
  type ReplayResult,
  type SplitView,
  type StageAnalysis,
} from './types.js';
import { validityOf } from './validity.js';
import { verdictOf } from './verdict.js';
import { capacityOf } from './capacity.js';
import { loadLevels } from './levels.js';
import { timeoutAdviceOf } from './timeouts.js';
import { resilienceOf } from './resilience.js';
import { replayPolicy, type StageAttempts } from './replay.js';

export interface AnalyzeOptions {
  /** a what-if policy (quantiles already read off the run), and the stage whose distributions to replay */
  policy?: { policy: ReplayPolicy; stage?: number };
}

/** analysis.json from result.json alone: a pure function, so `tailscope analyze` never needs the target. */
export function analyze(result: RunResult, options: AnalyzeOptions = {}): Analysis {
  const stages: StageAnalysis[] = result.stages.map((stage) => {
    const split = splitOf(stage.histograms, result.serverTiming.source, result.probe);
    return {
      index: stage.index,
      name: stage.name,
      target: stage.target,
      achievedConcurrency: stage.achievedConcurrency,
      requests: stage.requests,
      throughput: stage.throughput,
      errorRate: stage.errorRate,
      latency: stage.latency,
      ...(split ? { split } : {}),
    };
  });
  const overall: SplitView | NoSplit = splitOf(result.histograms, result.serverTiming.source, result.probe) ?? {
    method: 'none',
    samples: 0,
    network: null,
    service: null,
    reason: 'no server timing and no connect round trip to bound the network by',
  };
  const validity = validityOf(result);
  const capacity = capacityOf(result);
  const timeouts = timeoutAdviceOf(result, loadLevels(capacity));
  const resilience = resilienceOf(result, capacity, timeouts);
  if (!validity.valid) {
    const warning = `this run is not a valid measurement (${validity.reasons.join('; ')}): the recommendations below rest on it`;
    timeouts.warnings.unshift(warning);
    capacity.warnings.unshift(warning);
  }
  let replay: ReplayResult | undefined;
  if (options.policy) {
    const stage = options.policy.stage !== undefined ? result.stages[options.policy.stage] : undefined;
    const calls = result.totals.calls?.calls ?? result.totals.requests;
    // One client lives through every stage: its policy state starts cold once per run, not per stage.
    const clients = Math.max(result.health.workers, 1);
    const callsPerClient = calls / clients;
    const stageAttempts = (s: StageResult): StageAttempts => ({
      name: s.name,
      histograms: s.histograms,
      requests: s.requests,
      errors: s.errorsByKind,
      calls: s.calls?.calls ?? s.requests,
      levelFrom: s.targetFrom,
      levelTo: s.target,
    });
    replay = replayPolicy(
      stage
        ? {
            histograms: stage.histograms,
            requests: stage.requests,
            errors: stage.errorsByKind,
            callsPerSec: ((stage.calls?.calls ?? stage.requests) / Math.max(stage.endMs - stage.startMs, 1) / clients) * 1000,
            callsPerClient,
            stages: [stageAttempts(stage)],
          }
        : {
            histograms: result.histograms,
            requests: result.totals.requests,
            errors: result.totals.errorsByKind,
            callsPerSec: (calls / Math.max(result.durationMs, 1) / clients) * 1000,
            callsPerClient,
            stages: result.stages.map(stageAttempts),
          },
      options.policy.policy,
    );
    if (!validity.valid) replay.warnings.unshift('replayed from an invalid run');
  }
  const flows = flowsAnalysisOf(result);
  const perStage = stages.flatMap((s) => (s.split ? [{ stage: s.index, name: s.name, ...s.split }] : []));
  return {
    schema: ANALYSIS_SCHEMA,
    run: {
      scenario: result.scenario.name,
      model: result.model,
      engine: result.engine,
      valid: result.health.valid,
      reasons: result.health.reasons,
      interrupted: result.interrupted,
      requests: result.totals.requests,
      durationMs: result.durationMs,
    },
    stages,
    split: { ...overall, perStage, growth: growthOf(stages) },
    validity,
    verdict: verdictOf(result, validity),
    timeouts,
    resilience,
    capacity,
    ...(replay ? { replay } : {}),
    ...(flows ? { flows } : {}),
  };
}

/** Compares the lightest and the heaviest loaded stage: which component's median grew the most. */
function growthOf(stages: StageAnalysis[]): Analysis['split']['growth'] {
  const withSplit = stages.filter((s) => s.split && s.requests > 0);
  if (withSplit.length < 2) return { component: 'none', networkDeltaMs: 0, serviceDeltaMs: 0, queueDeltaMs: 0 };
  const byLoad = [...withSplit].sort((a, b) => a.achievedConcurrency - b.achievedConcurrency);
  const light = byLoad[0]!.split!;
  const heavy = byLoad[byLoad.length - 1]!.split!;
  const networkDeltaMs = heavy.network.p50 - light.network.p50;
  const serviceDeltaMs = heavy.service.p50 - light.service.p50;
  const queueDeltaMs = (heavy.queue?.p50 ?? 0) - (light.queue?.p50 ?? 0);
  const largest = Math.max(networkDeltaMs, serviceDeltaMs, queueDeltaMs);
  // Below a millisecond of growth nothing meaningfully grew.
  const component = largest < 1 ? 'none' : largest === queueDeltaMs ? 'queue' : largest === serviceDeltaMs ? 'service' : 'network';
  return { component, networkDeltaMs, serviceDeltaMs, queueDeltaMs };
}
