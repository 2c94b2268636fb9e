import type { Analysis } from '../../src/analysis/types.js';
import { createRandom } from '../../src/shared/random.js';
import { createHistogram, encodeHistogram, recordUs } from '../../src/shared/histogram.js';
import { summarize, type LatencySummary } from '../../src/shared/latency-summary.js';
import {
  RESULT_SCHEMA,
  type ClientCounters,
  type EncodedHistograms,
  type ErrorCounts,
  type IntervalResult,
  type RunResult,
  type StageResult,
} from '../../src/result/types.js';

/** Seeded, so fixtures are the same on every run. */
const rng = createRandom;

/** Lognormal-ish draws in µs around a median, with a heavy tail: exp of a normal from Box-Muller. */
function draws(seed: number, count: number, medianUs: number, sigma: number): number[] {
  const next = rng(seed);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const normal = Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
    out.push(medianUs * Math.exp(sigma * normal));
  }
  return out;
}

function histogramOf(values: number[]): { encoded: string; summary: LatencySummary } {
  const histogram = createHistogram();
  for (const value of values) recordUs(histogram, value);
  return { encoded: encodeHistogram(histogram), summary: summarize(histogram) };
}

const counters = (over: Partial<ClientCounters> = {}): ClientCounters => ({
  retries: 0,
  rateLimited: 0,
  authRefreshes: 0,
  dropped: 0,
  tokensFromUsage: 0,
  hedges: 0,
  breakerRejected: 0,
  tokensFromChunks: 0,
  serverTimingRejected: 0,
  ...over,
});

export interface FixtureOptions {
  /** number of 1 s intervals */
  intervals?: number;
  /** concurrency of each stage; the intervals are split evenly among them */
  stageConcurrency?: number[];
  streaming?: boolean;
  name?: string;
  requestName?: string;
  url?: string;
  /** scale of every latency, to make a second run that is slower */
  latencyScale?: number;
  seed?: number;
}

/**
 * A RunResult built directly from seeded histograms, shaped like one from a real run: stages with their own
 * histograms, intervals, errors by kind and status. Interval histograms share one encoding (reports never
 * decode them), which keeps a one-hour fixture cheap to build.
 */
export function syntheticResult(options: FixtureOptions = {}): RunResult {
  const intervalCount = options.intervals ?? 30;
  const stageConcurrency = options.stageConcurrency ?? [2, 4, 8, 16];
  const scale = options.latencyScale ?? 1;
  const seed = options.seed ?? 7;
  const name = options.name ?? 'synthetic';
  const requestName = options.requestName ?? 'generate';
  const perStage = Math.max(1, Math.floor(intervalCount / stageConcurrency.length));

  const stages: StageResult[] = stageConcurrency.map((concurrency, index) => {
    // Latency grows with load past 4 in flight, like a server whose slots fill.
    const medianUs = 20_000 * scale * Math.max(1, concurrency / 4);
    const total = histogramOf(draws(seed + index, 400, medianUs, 0.35));
    const service = histogramOf(draws(seed + 100 + index, 400, medianUs * 0.8, 0.3));
    const queue = histogramOf(draws(seed + 200 + index, 400, medianUs * 0.15, 0.5));
    const network = histogramOf(draws(seed + 300 + index, 400, 600, 0.2));
    const ttfb = histogramOf(draws(seed + 400 + index, 400, medianUs * 0.97, 0.35));
    const histograms: EncodedHistograms = {
      total: total.encoded,
      service: service.encoded,
      queue: queue.encoded,
      network: network.encoded,
      ttfb: ttfb.encoded,
    };
    if (options.streaming) {
      histograms.ttft = histogramOf(draws(seed + 500 + index, 400, 150_000 * scale, 0.4)).encoded;
      histograms.itl = histogramOf(draws(seed + 600 + index, 2000, 25_000 * scale, 0.3)).encoded;
    }
    const startMs = index * perStage * 1000;
    const endMs = (index + 1) * perStage * 1000;
    const throughput = (concurrency / (medianUs / 1e6)) * Math.min(1, 8 / concurrency);
    const requests = Math.round(throughput * perStage);
    const errors = index === stageConcurrency.length - 1 ? Math.round(requests * 0.02) : 0;
    const errorsByKind: ErrorCounts =
      errors > 0
        ? { total: errors, byKind: { status: errors - 1, timeout_total: 1 }, byStatus: { '503': errors - 1 } }
        : { total: 0, byKind: {}, byStatus: {} };
    return {
      index,
      name: `c${concurrency}`,
      kind: 'hold',
      engine: 'http',
      startMs,
      endMs,
      target: concurrency,
      targetFrom: concurrency,
      achievedConcurrency: concurrency * 0.98,
      sentPerSec: throughput,
      requests,
      errors,
      errorRate: errors / requests,
      throughput,
      successThroughput: throughput * (1 - errors / requests),
      latency: total.summary,
      errorsByKind,
      counters: counters(options.streaming ? { tokensFromUsage: requests * 64, tokensFromChunks: requests * 64 } : {}),
      histograms,
    };
  });

  const whole = histogramOf(stages.flatMap((_, i) => draws(seed + i, 400, 20_000 * scale * Math.max(1, stageConcurrency[i]! / 4), 0.35)));
  const sharedInterval = stages[0]!.histograms.total!;
  const intervals: IntervalResult[] = Array.from({ length: intervalCount }, (_, index) => {
    const stage = Math.min(stages.length - 1, Math.floor(index / perStage));
    const s = stages[stage]!;
    const wobble = 1 + 0.1 * Math.sin(index / 5);
    const latency = {
      ...s.latency,
      p50: s.latency.p50 * wobble,
      p90: s.latency.p90 * wobble,
      p99: s.latency.p99 * wobble,
      max: s.latency.max * wobble,
    };
    const errors = index % 17 === 3 ? 2 : 0;
    const requests = Math.round(s.throughput);
    const errorsByKind: ErrorCounts = errors
      ? { total: errors, byKind: { status: 1, timeout_first_byte: 1 }, byStatus: { '503': 1 } }
      : { total: 0, byKind: {}, byStatus: {} };
    return {
      index,
      startMs: index * 1000,
      endMs: (index + 1) * 1000,
      stage,
      target: s.target,
      achievedConcurrency: s.achievedConcurrency * wobble,
      sentPerSec: s.throughput,
      requests,
      errors,
      errorRate: errors / requests,
      throughput: s.throughput,
      successThroughput: s.throughput - errors,
      latency,
      ttfb: { p50: latency.p50 * 0.97, p99: latency.p99 * 0.97 },
      errorsByKind,
      histograms: { total: sharedInterval },
    };
  });

  const sum = (f: (s: StageResult) => number) => stages.reduce((acc, s) => acc + f(s), 0);
  const requests = sum((s) => s.requests);
  const errors = sum((s) => s.errors);
  const durationMs = intervalCount * 1000;
  const histograms: EncodedHistograms = { ...stages.at(-1)!.histograms, total: whole.encoded };
  return {
    schema: RESULT_SCHEMA,
    tool: { name: 'tailscope', version: '0.1.0' },
    scenario: {
      name,
      definition: {
        name,
        target: { url: options.url ?? 'http://127.0.0.1:8080' },
        auth: { oauth2: { tokenUrl: '/oauth/token', clientId: 'demo', clientSecret: '[redacted]' } },
        requests: [{ name: requestName, method: 'POST', path: '/v1/generate', json: { prompt: 'hi' } }],
      },
    },
    model: 'closed',
    engine: 'http',
    target: { url: options.url ?? 'http://127.0.0.1:8080' },
    environment: { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'test cpu' },
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs,
    scheduledDurationMs: durationMs,
    intervalMs: 1000,
    interrupted: false,
    serverTiming: { source: 'server-timing', header: 'Server-Timing', metric: 'app' },
    slo: { p99Ms: 200, errorRate: 0.01 },
    thresholds: ['p99 < 200ms', 'error_rate < 1%'],
    stages,
    intervals,
    totals: {
      requests,
      errors,
      errorRate: errors / requests,
      throughput: (requests / durationMs) * 1000,
      successThroughput: ((requests - errors) / durationMs) * 1000,
      latency: whole.summary,
      errorsByKind: { total: errors, byKind: { status: errors - 1, timeout_total: 1 }, byStatus: { '503': errors - 1 } },
      counters: counters({
        retries: 3,
        rateLimited: 2,
        ...(options.streaming ? { tokensFromUsage: requests * 64, tokensFromChunks: requests * 64 } : {}),
      }),
      achievedConcurrency: 7.5,
    },
    requestsByName: {
      [requestName]: {
        name: requestName,
        requests,
        errors,
        errorRate: errors / requests,
        throughput: (requests / durationMs) * 1000,
        successThroughput: ((requests - errors) / durationMs) * 1000,
        latency: whole.summary,
        errorsByKind: { total: errors, byKind: { status: errors }, byStatus: { '503': errors } },
        histograms: { total: whole.encoded },
      },
    },
    histograms,
    health: {
      valid: true,
      reasons: [],
      workers: 2,
      eventLoopDelayMs: { p50: 1, p99: 5, max: 9 },
      eventLoopUtilization: { mean: 0.2, max: 0.4 },
      threadCpu: null,
      processCpu: { meanCores: 0.5, maxCores: 0.8, availableCores: 2 },
      scheduleLagMs: { p50: 0, p99: 1, max: 2 },
      socketErrors: {},
    },
  };
}

/**
 * The analysis of a synthetic result with the sections a full analyzer fills in (knee, USL fit, timeout
 * recommendations), so every chart layer has something to draw. Values are plausible, not computed.
 */
export function withAdvice(analysis: Analysis, result: RunResult): Analysis {
  const total = result.totals.latency;
  const points = result.stages.map((s) => ({
    stage: s.index,
    name: s.name,
    load: s.achievedConcurrency,
    concurrency: s.achievedConcurrency,
    throughput: s.throughput,
    meanLatencyMs: s.latency.mean,
    p99Ms: s.latency.p99,
    errorRate: s.errorRate,
    goodput: s.successThroughput,
    withinSlo: s.latency.p99 < 200,
  }));
  const knee = points[Math.min(2, points.length - 1)]!;
  const cut = (timeoutMs: number, cutShare: number) => ({ timeoutMs, cutShare });
  return {
    ...analysis,
    capacity: {
      ...analysis.capacity,
      points,
      knee: {
        stage: knee.stage,
        name: knee.name,
        load: knee.load,
        throughput: knee.throughput,
        rule: 'throughput gain below 10% per doubling',
      },
      usl: {
        sigma: 0.05,
        kappa: 0.002,
        lambda: 50,
        peakConcurrency: 21.8,
        peakThroughput: 400,
        saturationConcurrency: 8,
        r2: 0.97,
        points: points.length,
        method: 'least squares',
      },
      goodput: { bestPerSec: knee.throughput, stage: knee.stage },
    },
    timeouts: {
      ...analysis.timeouts,
      rule: 'p99.9 × 1.5',
      recommended: [
        {
          ...cut(total.p999 * 1.5, 0.0004),
          phase: 'total',
          metric: 'total',
          samples: total.count,
          method: 'p99.9 × 1.5',
          quantile: 0.999,
          quantileMs: total.p999,
          meanPlus2Sd: { ...cut(total.mean * 2.2, 0.03), meanMs: total.mean, sdMs: total.mean * 0.6 },
          warnings: [],
        },
      ],
    },
  };
}

/**
 * A run that completed no request, shaped as one stopped the moment its load began: `intervals` empty
 * intervals (0 = stopped before the first one ended), zero counts, no histograms. With `stream`, its stage
 * carries an empty time-to-first-token histogram, as a stream request that never got a token would.
 */
export function zeroRequestResult(options: { intervals?: number; stream?: boolean } = {}): RunResult {
  const base = syntheticResult({ intervals: 1, stageConcurrency: [2] });
  const latency = { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  const none: ErrorCounts = { total: 0, byKind: {}, byStatus: {} };
  const zero = { requests: 0, errors: 0, errorRate: 0, throughput: 0, successThroughput: 0, latency, errorsByKind: none };
  const empty = encodeHistogram(createHistogram());
  const intervals: IntervalResult[] = Array.from({ length: options.intervals ?? 1 }, (_, index) => ({
    index,
    startMs: index * 1000,
    endMs: (index + 1) * 1000,
    stage: 0,
    target: 2,
    achievedConcurrency: 0,
    sentPerSec: 0,
    ...zero,
    ttfb: { p50: 0, p99: 0 },
    histograms: {},
  }));
  return {
    ...base,
    durationMs: intervals.length * 1000,
    interrupted: true,
    stages: [
      {
        ...base.stages[0]!,
        ...zero,
        achievedConcurrency: 0,
        sentPerSec: 0,
        counters: counters(),
        histograms: options.stream ? { ttft: empty } : {},
      },
    ],
    intervals,
    totals: { ...zero, counters: counters(), achievedConcurrency: 0 },
    requestsByName: {},
    histograms: {},
  };
}
