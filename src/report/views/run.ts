import type { Analysis } from '../../analysis/types.js';
import { decodeHistogram } from '../../shared/histogram.js';
import { summarize } from '../../shared/latency-summary.js';
import { distributionOf, shareAboveMs } from '../../analysis/distribution.js';
import { basisHistograms, successfulHistograms } from '../../analysis/timeouts.js';
import type { RunResult } from '../../result/types.js';
import type { CapacityView, LoadCurve, StreamingStage, TimeoutCandidate } from './charts.js';
import { cdfPoints, spectrumOfEncoded, type CdfPoint, type SpectrumPoint } from './distribution.js';

/**
 * Adapters from result.json + analysis.json to the plain views the charts draw. The charts stay pure
 * functions of small shapes; what each analysis section means for a chart is decided here, once.
 */

export function loadTitle(result: RunResult): string {
  return result.model === 'open' ? 'offered rate (req/s)' : 'achieved concurrency';
}

/** Per-stage points from the result itself: what every run has, with or without a capacity analysis. */
export function stagePoints(result: RunResult): LoadCurve['points'] {
  return result.stages
    .filter((stage) => stage.requests > 0)
    .map((stage) => ({
      stage: stage.name,
      load: result.model === 'open' ? stage.sentPerSec : stage.achievedConcurrency,
      throughput: stage.throughput,
      p99Ms: stage.latency.p99,
    }));
}

export function capacityView(result: RunResult, analysis: Analysis): CapacityView {
  const capacity = analysis.capacity;
  // One x axis for the points, the knee and the USL curve: the fit is made on requests in flight, so in an
  // open model the chart is drawn against in-flight requests too, not against the offered rate.
  const open = result.model === 'open';
  const x = (p: { load: number; concurrency: number }) => (open ? p.concurrency : p.load);
  // The analysis may leave stages out of its fit (ramps, too few samples); with fewer than two left, the
  // stages themselves still draw the throughput and p99 curve, without a knee or a fit.
  const points =
    capacity.points.length >= 2
      ? capacity.points.map((p) => ({ stage: p.name, load: x(p), throughput: p.throughput, p99Ms: p.p99Ms }))
      : open
        ? result.stages
            .filter((s) => s.requests > 0)
            .map((s) => ({ stage: s.name, load: s.achievedConcurrency, throughput: s.throughput, p99Ms: s.latency.p99 }))
        : stagePoints(result);
  const kneePoint = capacity.knee ? capacity.points.find((p) => p.stage === capacity.knee!.stage) : undefined;
  return {
    loadTitle: open ? 'requests in flight (time-averaged; the axis the USL is fitted on)' : loadTitle(result),
    points,
    ...(kneePoint ? { kneeLoad: x(kneePoint) } : {}),
    ...(capacity.usl ? { usl: { lambda: capacity.usl.lambda, sigma: capacity.usl.sigma, kappa: capacity.usl.kappa } } : {}),
  };
}

/** Which histogram a timeout phase is judged on, as the analysis names it. */
const PHASE_LABEL: Record<string, string> = {
  connect: 'connect',
  firstByte: 'first byte',
  total: 'total',
  firstToken: 'first token',
  idle: 'stream idle',
};

export interface TimeoutView {
  metric: string;
  cdf: CdfPoint[];
  candidates: TimeoutCandidate[];
  /** true when the candidates are reference percentiles, not the analysis's recommendations */
  reference: boolean;
}

/**
 * The CDF of the metric the headline timeout is read from (total, else the first recommended), with every
 * recommendation on that metric as a candidate, and the mean+2σ alternative beside it. Without
 * recommendations, p99 / p99.9 / max of `total` stand in as reference lines, and the page says so.
 */
export function timeoutView(result: RunResult, analysis: Analysis): TimeoutView | undefined {
  const recommended = analysis.timeouts.recommended;
  const headline = recommended.find((c) => c.phase === 'total') ?? recommended[0];
  const metric = (headline?.metric ?? 'total') as keyof RunResult['histograms'];
  // The curve of the very population the cut shares were read from: the recommendation's load level,
  // successful requests only. Another population would show candidates cutting other shares than stated.
  const encoded = successfulHistograms(basisHistograms(result, analysis.timeouts.basis))[metric];
  if (!encoded) return undefined;
  const histogram = decodeHistogram(encoded);
  const cdf = cdfPoints(histogram);
  if (headline) {
    const candidates = recommended
      .filter((c) => c.metric === headline.metric)
      .flatMap((c): TimeoutCandidate[] => [
        { label: `${PHASE_LABEL[c.phase] ?? c.phase} ${c.timeoutMs.toFixed(0)} ms (recommended)`, ms: c.timeoutMs, cutShare: c.cutShare },
        { label: `mean+2σ ${c.meanPlus2Sd.timeoutMs.toFixed(0)} ms`, ms: c.meanPlus2Sd.timeoutMs, cutShare: c.meanPlus2Sd.cutShare },
      ]);
    return { metric: headline.metric, cdf, candidates, reference: false };
  }
  const summary = summarize(histogram);
  const distribution = distributionOf(histogram);
  const reference = (label: string, ms: number): TimeoutCandidate => ({ label, ms, cutShare: shareAboveMs(distribution, ms) });
  return {
    metric: 'total',
    cdf,
    candidates: [
      reference(`p99 ${summary.p99.toFixed(1)} ms`, summary.p99),
      reference(`p99.9 ${summary.p999.toFixed(1)} ms`, summary.p999),
    ],
    reference: true,
  };
}

/**
 * Tokens per stage, from the stage histograms and counters: streams, and plain responses whose usage was read;
 * empty for runs that counted no token. A histogram with no
 * sample (one-token streams have no inter-token gap) gives no percentiles rather than zeros.
 */
export function streamingStages(result: RunResult): StreamingStage[] {
  return result.stages.flatMap((stage) => {
    const pct = (encoded: string | undefined) => {
      if (!encoded) return undefined;
      const histogram = decodeHistogram(encoded);
      if (histogram.totalCount === 0) return undefined;
      const s = summarize(histogram);
      return { p50: s.p50, p99: s.p99 };
    };
    const ttft = pct(stage.histograms.ttft);
    const itl = pct(stage.histograms.itl);
    const tpot = pct(stage.histograms.tpot);
    // Usage reports are what the server billed; chunk counts stand in only when no usage came back.
    const tokens = stage.counters.tokensFromUsage > 0 ? stage.counters.tokensFromUsage : stage.counters.tokensFromChunks;
    // Plain responses whose usage was read have tokens and a time per token, but no stream timings.
    if (!ttft && !itl && !tpot && tokens <= 0) return [];
    const seconds = Math.max(stage.endMs - stage.startMs, 1) / 1000;
    return [
      { stage: stage.name, ...(ttft ? { ttft } : {}), ...(itl ? { itl } : {}), ...(tpot ? { tpot } : {}), tokensPerSec: tokens / seconds },
    ];
  });
}

export function spectrum(result: RunResult, metric: 'total' | 'ttfb' = 'total'): SpectrumPoint[] {
  return spectrumOfEncoded(result.histograms[metric]);
}
