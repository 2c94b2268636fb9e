import { decodeHistogram } from '../shared/histogram.js';
import { EMPTY_SUMMARY, summarize } from '../shared/latency-summary.js';
import { emptyCalls, emptySnapshot, mergeSnapshots, type MetricSnapshot } from '../metrics/metric-set.js';
import type { FlowsSnapshot } from '../metrics/flow-set.js';
import { meanTargetBetween, segmentIndexAt } from '../load/curve.js';
import type { Segment } from '../load/types.js';
import type {
  EncodedHistograms,
  FlowResult,
  GeneratorHealth,
  JobResult,
  IntervalResult,
  LoadSummary,
  RequestNameResult,
  RunResult,
  StageEngine,
  StageResult,
} from './types.js';
import { RESULT_SCHEMA } from './types.js';

export interface RunFacts {
  scenario: RunResult['scenario'];
  model: RunResult['model'];
  engine: string;
  target: RunResult['target'];
  tls?: RunResult['tls'];
  environment: RunResult['environment'];
  startedAt: string;
  durationMs: number;
  intervalMs: number;
  interrupted: boolean;
  abortedBy?: string;
  serverTiming: RunResult['serverTiming'];
  slo?: RunResult['slo'];
  thresholds: string[];
  toolVersion: string;
  segments: readonly Segment[];
  health: GeneratorHealth;
  probe?: RunResult['probe'];
  search?: RunResult['search'];
  shard?: RunResult['shard'];
}

export interface Collected {
  intervals: readonly { index: number; snapshot: MetricSnapshot }[];
  stages: ReadonlyMap<number, MetricSnapshot>;
  byName: ReadonlyMap<string, MetricSnapshot>;
  warmup?: { snapshot: MetricSnapshot; durationMs: number };
  /** flows and async jobs, merged across workers; absent when the scenario had neither */
  flows?: FlowsSnapshot;
}

/** Assembles result.json from merged snapshots. Pure: the same inputs give the same document. */
export function buildRunResult(facts: RunFacts, collected: Collected): RunResult {
  const open = facts.model === 'open';

  const intervals: IntervalResult[] = collected.intervals.map(({ index, snapshot }) => {
    const startMs = index * facts.intervalMs;
    // The last interval ends when the run ended, not a full interval later.
    const endMs = Math.max(startMs + 1, Math.min((index + 1) * facts.intervalMs, facts.durationMs));
    const spanMs = endMs - startMs;
    const summary = loadSummary(snapshot, spanMs, open);
    const ttfb = snapshot.histograms.ttfb ? summarize(decodeHistogram(snapshot.histograms.ttfb)) : EMPTY_SUMMARY;
    return {
      index,
      startMs,
      endMs,
      stage: Math.max(0, segmentIndexAt(facts.segments, (startMs + endMs) / 2)),
      target: meanTargetBetween(facts.segments, startMs, Math.min(endMs, facts.segments.at(-1)?.endMs ?? endMs)),
      achievedConcurrency: snapshot.inFlightMs / spanMs,
      sentPerSec: (snapshot.sent / spanMs) * 1000,
      ...summary,
      ttfb: { p50: ttfb.p50, p99: ttfb.p99 },
      errorsByKind: snapshot.errors,
      histograms: pick(snapshot.histograms, ['total', 'totalUncorrected', 'ttfb', 'service', 'network', 'call', 'callFailed']),
    };
  });

  const stages: StageResult[] = facts.segments.map((segment) => {
    const snapshot = collected.stages.get(segment.index) ?? emptySnapshot();
    const isLast = segment.index === facts.segments.length - 1;
    // Requests that finish while draining after the schedule belong to the last stage, and so does the time.
    const endMs = isLast ? Math.max(segment.endMs, facts.durationMs) : segment.endMs;
    const spanMs = Math.max(endMs - segment.startMs, 1);
    return {
      index: segment.index,
      name: segment.name,
      kind: segment.kind,
      engine: facts.engine === 'autocannon' ? (segment.from === segment.to ? 'autocannon' : 'wire') : (facts.engine as StageEngine),
      startMs: segment.startMs,
      endMs,
      target: segment.to,
      targetFrom: segment.from,
      achievedConcurrency: snapshot.inFlightMs / spanMs,
      sentPerSec: (snapshot.sent / spanMs) * 1000,
      ...loadSummary(snapshot, spanMs, open),
      errorsByKind: snapshot.errors,
      counters: snapshot.counters,
      histograms: snapshot.histograms,
    };
  });

  const whole = mergeSnapshots([...collected.stages.values()]);
  const runSpanMs = Math.max(facts.durationMs, 1);
  const requestsByName: Record<string, RequestNameResult> = {};
  for (const [name, snapshot] of [...collected.byName].sort((a, b) => a[0].localeCompare(b[0]))) {
    requestsByName[name] = {
      name,
      ...loadSummary(snapshot, runSpanMs, open),
      errorsByKind: snapshot.errors,
      histograms: snapshot.histograms,
      ...(snapshot.checks ? { checks: snapshot.checks } : {}),
      ...(snapshot.counters.tokensFromUsage > 0 ? { tokens: snapshot.counters.tokensFromUsage } : {}),
    };
  }

  return {
    schema: RESULT_SCHEMA,
    tool: { name: 'tailscope', version: facts.toolVersion },
    scenario: facts.scenario,
    model: facts.model,
    engine: facts.engine,
    target: facts.target,
    ...(facts.tls ? { tls: facts.tls } : {}),
    environment: facts.environment,
    startedAt: facts.startedAt,
    durationMs: facts.durationMs,
    scheduledDurationMs: facts.segments.at(-1)?.endMs ?? 0,
    intervalMs: facts.intervalMs,
    interrupted: facts.interrupted,
    ...(facts.abortedBy ? { abortedBy: facts.abortedBy } : {}),
    serverTiming: facts.serverTiming,
    ...(facts.slo ? { slo: facts.slo } : {}),
    thresholds: facts.thresholds,
    stages,
    intervals,
    totals: {
      ...loadSummary(whole, runSpanMs, open),
      errorsByKind: whole.errors,
      counters: whole.counters,
      achievedConcurrency: whole.inFlightMs / runSpanMs,
    },
    requestsByName,
    ...(collected.flows ? flowResultsOf(collected.flows, runSpanMs) : {}),
    histograms: whole.histograms,
    ...(collected.warmup ? { warmup: warmupOf(collected.warmup, open) } : {}),
    health: facts.health,
    ...(facts.search ? { search: facts.search } : {}),
    ...(facts.probe ? { probe: facts.probe } : {}),
    ...(facts.shard ? { shard: facts.shard } : {}),
  };
}

export function loadSummary(snapshot: MetricSnapshot, spanMs: number, open: boolean): LoadSummary {
  const total = snapshot.histograms.total ? summarize(decodeHistogram(snapshot.histograms.total)) : { ...EMPTY_SUMMARY };
  const summary: LoadSummary = {
    requests: snapshot.requests,
    errors: snapshot.errors.total,
    errorRate: snapshot.requests > 0 ? snapshot.errors.total / snapshot.requests : 0,
    throughput: (snapshot.requests / spanMs) * 1000,
    successThroughput: (snapshot.successes / spanMs) * 1000,
    latency: total,
  };
  const calls = snapshot.calls ?? emptyCalls();
  summary.calls = {
    ...calls,
    outcomes: { ...calls.outcomes },
    errorRate: calls.calls > 0 ? calls.failed / calls.calls : 0,
    latency: snapshot.histograms.call ? summarize(decodeHistogram(snapshot.histograms.call)) : { ...EMPTY_SUMMARY },
  };
  if (open) {
    summary.latencyUncorrected = snapshot.histograms.totalUncorrected
      ? summarize(decodeHistogram(snapshot.histograms.totalUncorrected))
      : { ...EMPTY_SUMMARY };
  }
  return summary;
}

function flowResultsOf(snapshot: FlowsSnapshot, spanMs: number): Pick<RunResult, 'flows' | 'jobs'> {
  const summaryOf = (encoded: string | undefined) => (encoded ? summarize(decodeHistogram(encoded)) : { ...EMPTY_SUMMARY });
  const byName = <T>(record: Record<string, T>) => Object.entries(record).sort((a, b) => a[0].localeCompare(b[0]));
  const flows: Record<string, FlowResult> = {};
  for (const [name, flow] of byName(snapshot.flows)) {
    flows[name] = {
      name,
      iterations: flow.iterations,
      completed: flow.completed,
      failed: flow.failed,
      interrupted: flow.interrupted,
      failedAt: flow.failedAt,
      throughput: (flow.completed / spanMs) * 1000,
      latency: summaryOf(flow.histograms.flow),
      histograms: flow.histograms,
    };
  }
  const jobs: Record<string, JobResult> = {};
  for (const [name, job] of byName(snapshot.jobs)) {
    // Polls per job are counts recorded as they are (not µs): read them back unscaled.
    const polls = job.histograms.polls ? decodeHistogram(job.histograms.polls) : undefined;
    jobs[name] = {
      name,
      mode: job.mode,
      submitted: job.submitted,
      done: job.done,
      failed: job.failed,
      expired: job.expired,
      lost: job.lost,
      interrupted: job.interrupted,
      polls: job.polls,
      pollsPerJob:
        job.mode === 'poll' && polls && polls.totalCount > 0
          ? { mean: polls.mean, p50: polls.getValueAtPercentile(50), p99: polls.getValueAtPercentile(99), max: polls.maxValue }
          : null,
      completion: summaryOf(job.histograms.completion),
      histograms: job.histograms,
    };
  }
  return {
    ...(Object.keys(flows).length > 0 ? { flows } : {}),
    ...(Object.keys(jobs).length > 0 ? { jobs } : {}),
  };
}

/** A result's flows and jobs back as the snapshot they were built from (for merging shards). */
export function flowsSnapshotOf(result: Pick<RunResult, 'flows' | 'jobs'>): FlowsSnapshot | undefined {
  if (!result.flows && !result.jobs) return undefined;
  const flows: FlowsSnapshot['flows'] = {};
  for (const [name, f] of Object.entries(result.flows ?? {})) {
    flows[name] = {
      iterations: f.iterations,
      completed: f.completed,
      failed: f.failed,
      interrupted: f.interrupted,
      failedAt: { ...f.failedAt },
      histograms: { ...f.histograms },
    };
  }
  const jobs: FlowsSnapshot['jobs'] = {};
  for (const [name, j] of Object.entries(result.jobs ?? {})) {
    jobs[name] = {
      mode: j.mode,
      submitted: j.submitted,
      done: j.done,
      failed: j.failed,
      expired: j.expired,
      lost: j.lost,
      interrupted: j.interrupted,
      polls: j.polls,
      histograms: { ...j.histograms },
    };
  }
  return { flows, jobs };
}

function warmupOf(warmup: { snapshot: MetricSnapshot; durationMs: number }, open: boolean): RunResult['warmup'] {
  const { snapshot, durationMs } = warmup;
  // Warm-up latency is measured from the actual send: it has no schedule to be late against.
  const { latencyUncorrected: _uncorrected, ...summary } = loadSummary(snapshot, Math.max(durationMs, 1), open);
  void _uncorrected;
  return { durationMs, ...summary, errorsByKind: snapshot.errors, histograms: snapshot.histograms };
}

function pick(histograms: EncodedHistograms, names: (keyof EncodedHistograms)[]): EncodedHistograms {
  const out: EncodedHistograms = {};
  for (const name of names) if (histograms[name]) out[name] = histograms[name];
  return out;
}
