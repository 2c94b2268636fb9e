import type { RunResult } from '../result/types.js';
import { splitOf } from './split.js';
import { ANALYSIS_SCHEMA, type Analysis, type StageAnalysis } from './types.js';

/** analysis.json from result.json alone: a pure function, so `tailscope analyze` never needs the target. */
export function analyze(result: RunResult): Analysis {
  const stages: StageAnalysis[] = result.stages.map((stage) => {
    const split = splitOf(stage.histograms, result.serverTiming.source);
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
  const overall = splitOf(result.histograms, result.serverTiming.source) ?? {
    method: 'rtt-bound' as const,
    samples: 0,
    network: { p50: 0, p90: 0, p99: 0 },
    service: { p50: 0, p90: 0, p99: 0 },
  };
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
    // Filled in by the modules that compute them; the shape is fixed here so that reports can render it.
    validity: { valid: result.health.valid && !result.interrupted, reasons: [...result.health.reasons], warnings: [], samples: result.totals.requests },
    timeouts: { targetCutShare: 0.001, headroom: 1, rule: '', basis: { level: 'whole-run' }, recommended: [], byLoadLevel: [], warnings: [] },
    resilience: {
      maxRetries: { value: 0, rule: '', failureShare: 0 },
      backoff: { kind: 'exponential', baseMs: 0, maxBackoffMs: 0, jitter: 'full', rule: '' },
      retryBudget: { ratio: 0, minRetriesPerSec: 0, minRetryConcurrency: 0, rule: '' },
      hedging: { delayMs: 0, quantile: 0.95, extraLoadShare: 0, p99WithoutMs: 0, p99WithMs: 0, method: '' },
      concurrencyLimit: { value: 0, rule: '' },
      circuitBreaker: { failureRateThreshold: 0, maxConcurrent: 0, maxPending: 0, rule: '' },
      snippets: { fetch: '', envoy: '' },
      warnings: [],
    },
    capacity: { model: result.model, loadAxis: result.model === 'closed' ? 'concurrency' : 'arrival-rate', points: [], littlesLaw: { tolerance: 0.1, checks: [], broken: [] }, goodput: { bestPerSec: 0 }, warnings: [] },
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
