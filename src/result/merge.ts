import type { MetricSnapshot } from '../metrics/metric-set.js';
import { emptyCalls, emptyCounters, mergeSnapshots } from '../metrics/metric-set.js';
import type { Segment } from '../load/types.js';
import { buildRunResult, flowsSnapshotOf } from './build.js';
import { mergeFlowSnapshots, type FlowsSnapshot } from '../metrics/flow-set.js';
import type { ErrorCounts, GeneratorHealth, LoadSummary, RequestNameResult, RunResult } from './types.js';
import { sumGcTallies } from './gc.js';
import { TailscopeError } from '../shared/errors.js';

export class MergeError extends TailscopeError {
  readonly code = 'E_MERGE';
  constructor(message: string) {
    super(message);
  }
}

/** Shards start together from --start-at; a minute covers clocks a little apart and a late-starting machine. */
const SHARD_START_TOLERANCE_SEC = 60;

/**
 * Reasons why results are not shards of one run: different scenarios or load curves, a shard missing or
 * given twice. Empty when they can be merged.
 */
export function mergeProblems(results: readonly RunResult[]): string[] {
  const problems: string[] = [];
  const first = results[0];
  if (!first) return ['no results to merge'];
  for (const [i, result] of results.entries()) {
    if (result.scenario.name !== first.scenario.name)
      problems.push(`result ${i + 1} is of scenario "${result.scenario.name}", not "${first.scenario.name}"`);
    if (JSON.stringify(curveOf(result)) !== JSON.stringify(curveOf(first))) problems.push(`result ${i + 1} has another load curve`);
    if (result.model !== first.model) problems.push(`result ${i + 1} is a ${result.model}-model run, not ${first.model}`);
    if (result.intervalMs !== first.intervalMs)
      problems.push(`result ${i + 1} has ${result.intervalMs} ms intervals, not ${first.intervalMs}`);
  }
  if (results.length > 1) {
    for (const [i, result] of results.entries()) {
      if (!result.shard) problems.push(`result ${i + 1} is not a shard (written by a run without --shard i/N)`);
    }
    // Shards of one run wait for one start time (--start-at); runs minutes apart are different runs.
    const start = Date.parse(first.startedAt);
    for (const [i, result] of results.entries()) {
      const apartSec = Math.round((Date.parse(result.startedAt) - start) / 1000);
      if (Math.abs(apartSec) > SHARD_START_TOLERANCE_SEC)
        problems.push(`result ${i + 1} started ${Math.abs(apartSec)} s ${apartSec > 0 ? 'after' : 'before'} result 1`);
    }
  }
  const count = first.shard?.count;
  if (count !== undefined) {
    const seen = results.map((r) => r.shard?.index ?? -1).sort((a, b) => a - b);
    const expected = Array.from({ length: count }, (_, i) => i);
    if (results.some((r) => r.shard?.count !== count) || JSON.stringify(seen) !== JSON.stringify(expected)) {
      problems.push(`shards given: ${seen.join(', ')}; a run of ${count} shards needs each of ${expected.join(', ')} once`);
    }
  }
  return problems;
}

/**
 * Shards of one run → one RunResult, exactly: counts add, histograms add bucket by bucket, and every summary
 * is recomputed from the merged histograms, so thresholds are judged on the whole population.
 */
export function mergeResults(results: readonly RunResult[], force = false): RunResult {
  const problems = mergeProblems(results);
  if (problems.length > 0 && !force) throw new MergeError(`cannot merge: ${problems.join('; ')} (--force merges anyway)`);
  const first = results[0]!;
  const durationMs = Math.max(...results.map((r) => r.durationMs));

  const intervalIndexes = [...new Set(results.flatMap((r) => r.intervals.map((i) => i.index)))].sort((a, b) => a - b);
  const intervals = intervalIndexes.map((index) => ({
    index,
    snapshot: mergeSnapshots(
      results.flatMap((r) =>
        r.intervals.filter((i) => i.index === index).map((i) => snapshotOf(i, i.endMs - i.startMs, i.sentPerSec, i.errorsByKind)),
      ),
    ),
  }));
  const stages = new Map(
    first.stages.map((stage) => [
      stage.index,
      mergeSnapshots(
        results
          .map((r) => r.stages[stage.index])
          .filter((s) => s !== undefined)
          .map((s) => ({
            ...snapshotOf(s, s.endMs - s.startMs, s.sentPerSec, s.errorsByKind),
            counters: s.counters,
          })),
      ),
    ]),
  );
  const names = [...new Set(results.flatMap((r) => Object.keys(r.requestsByName)))];
  const byName = new Map(
    names.map((name) => [
      name,
      mergeSnapshots(results.flatMap((r) => (r.requestsByName[name] ? [namedSnapshotOf(r.requestsByName[name], r.durationMs)] : []))),
    ]),
  );

  return buildRunResult(
    {
      scenario: first.scenario,
      model: first.model,
      engine: first.engine,
      target: first.target,
      // One unverified shard makes the merged run unverified.
      ...(results.some((r) => r.tls) ? { tls: { insecure: results.some((r) => r.tls?.insecure) } } : {}),
      environment: first.environment,
      startedAt: results.map((r) => r.startedAt).sort()[0]!,
      durationMs,
      intervalMs: first.intervalMs,
      interrupted: results.some((r) => r.interrupted),
      abortedBy: results.find((r) => r.abortedBy)?.abortedBy,
      serverTiming: first.serverTiming,
      slo: first.slo,
      thresholds: first.thresholds,
      toolVersion: first.tool.version,
      segments: curveOf(first),
      health: mergeHealth(results),
      probe: first.probe,
    },
    { intervals, stages, byName, ...warmupOf(results), ...flowsOf(results) },
  );
}

/** A stage, interval or request-name summary back as the snapshot it was built from (time integrals included). */
function snapshotOf(
  summary: LoadSummary & { histograms: MetricSnapshot['histograms']; achievedConcurrency?: number },
  spanMs: number,
  sentPerSec: number,
  errors: ErrorCounts,
): MetricSnapshot {
  return {
    requests: summary.requests,
    successes: summary.requests - summary.errors,
    sent: (sentPerSec * spanMs) / 1000,
    errors,
    counters: emptyCounters(),
    // Call counts add like request counts; their latency travels in the `call` histograms.
    calls: summary.calls
      ? { calls: summary.calls.calls, failed: summary.calls.failed, outcomes: { ...emptyCalls().outcomes, ...summary.calls.outcomes } }
      : emptyCalls(),
    inFlightMs: (summary.achievedConcurrency ?? 0) * spanMs,
    histograms: summary.histograms,
  };
}

/** A request name's summary back as its snapshot, with the counts only names keep (checks, tokens). */
function namedSnapshotOf(named: RequestNameResult, spanMs: number): MetricSnapshot {
  const snapshot = snapshotOf(named, spanMs, 0, named.errorsByKind);
  if (named.tokens !== undefined) snapshot.counters.tokensFromUsage = named.tokens;
  return named.checks ? { ...snapshot, checks: named.checks } : snapshot;
}

/** The stages as run, as the curve segments they were compiled from. */
function curveOf(result: RunResult): Segment[] {
  return result.stages.map((s, i) => ({
    index: s.index,
    name: s.name,
    kind: s.kind,
    startMs: s.startMs,
    // A result's last stage stretches over the drain after the schedule; the curve itself ends on schedule.
    endMs: i < result.stages.length - 1 ? s.endMs : result.scheduledDurationMs,
    from: s.targetFrom,
    to: s.target,
  }));
}

function mergeHealth(results: readonly RunResult[]): GeneratorHealth {
  const healths = results.map((r) => r.health);
  const socketErrors: Record<string, number> = {};
  for (const health of healths)
    for (const [kind, count] of Object.entries(health.socketErrors)) socketErrors[kind] = (socketErrors[kind] ?? 0) + count;
  return {
    valid: healths.every((h) => h.valid),
    reasons: results.flatMap((r) => r.health.reasons.map((reason) => (r.shard ? `shard ${r.shard.index}: ${reason}` : reason))),
    workers: healths.reduce((sum, h) => sum + h.workers, 0),
    eventLoopDelayMs: {
      p50: Math.max(...healths.map((h) => h.eventLoopDelayMs.p50)),
      p99: Math.max(...healths.map((h) => h.eventLoopDelayMs.p99)),
      max: Math.max(...healths.map((h) => h.eventLoopDelayMs.max)),
    },
    eventLoopUtilization: {
      mean: healths.reduce((sum, h) => sum + h.eventLoopUtilization.mean, 0) / healths.length,
      max: Math.max(...healths.map((h) => h.eventLoopUtilization.max)),
    },
    // Per-thread CPU only when every shard measured it; process CPU is per machine, so its worst machine.
    threadCpu: healths.every((h) => h.threadCpu)
      ? {
          mean: healths.reduce((sum, h) => sum + h.threadCpu!.mean, 0) / healths.length,
          max: Math.max(...healths.map((h) => h.threadCpu!.max)),
        }
      : null,
    processCpu: {
      meanCores: Math.max(...healths.map((h) => h.processCpu.meanCores)),
      maxCores: Math.max(...healths.map((h) => h.processCpu.maxCores)),
      availableCores: Math.min(...healths.map((h) => h.processCpu.availableCores)),
    },
    scheduleLagMs: {
      p50: Math.max(...healths.map((h) => h.scheduleLagMs.p50)),
      p99: Math.max(...healths.map((h) => h.scheduleLagMs.p99)),
      max: Math.max(...healths.map((h) => h.scheduleLagMs.max)),
    },
    socketErrors,
    // Only when every shard counted its collections: a sum with a shard missing would read as fewer.
    ...(healths.every((h) => h.gc) ? { gc: sumGcTallies(healths.map((h) => h.gc!)) } : {}),
  };
}

/** The shards' flows and async jobs: iterations and jobs add, their histograms add bucket by bucket. */
function flowsOf(results: readonly RunResult[]): { flows?: FlowsSnapshot } {
  const parts = results.flatMap((r) => flowsSnapshotOf(r) ?? []);
  return parts.length > 0 ? { flows: mergeFlowSnapshots(parts) } : {};
}

/** The shards' warm-ups, added like everything else (each shard warmed up its own workers). */
function warmupOf(results: readonly RunResult[]): { warmup?: { snapshot: MetricSnapshot; durationMs: number } } {
  const warmups = results.flatMap((r) => (r.warmup ? [r.warmup] : []));
  if (warmups.length === 0) return {};
  return {
    warmup: {
      snapshot: mergeSnapshots(warmups.map((w) => snapshotOf(w, w.durationMs, 0, w.errorsByKind))),
      durationMs: Math.max(...warmups.map((w) => w.durationMs)),
    },
  };
}
