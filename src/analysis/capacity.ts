import type { RunResult, StageResult } from '../result/types.js';
import { decodeDistribution, shareAboveMs } from './distribution.js';
import { fitUsl } from './usl.js';
import type { CapacityAnalysis, CapacityPoint, LittleCheck } from './types.js';
import { capacityAtSloOf } from './capacity-search.js';

/** Every rule of the capacity analysis, in one place, so the method strings quote what ran. */
export const CAPACITY_RULES = {
  /** without a latency climb, the knee is the lightest load that reaches this share of the best SLO-meeting throughput */
  kneeThroughputShare: 0.9,
  /** latency "starts to climb" at the first load whose mean latency exceeds the lightest load's by this factor */
  latencyClimbFactor: 1.5,
  /** Little's law L = X·W must hold within this relative error, or the stage's measurements disagree */
  littleTolerance: 0.1,
  /** a stage with fewer completed requests says too little about its load level to be a point */
  minStageRequests: 20,
} as const;

/**
 * Throughput against load per stage, the knee, a Universal Scalability Law fit, a Little's-law check of each
 * stage's own figures, and SLO goodput. Ramps mix loads within one stage, so they are left out of the curve
 * when enough steady stages exist.
 */
export function capacityOf(result: RunResult): CapacityAnalysis {
  const slo = result.slo;
  const warnings: string[] = [];
  // A stage where nothing succeeded measured how fast the target refuses, not what it can serve: failures at
  // the speed of a refused connection would read as a huge throughput and a knee that was never there.
  // A search's drains send nothing: what completes there is the queue of the probe before, not a load level.
  const answered = result.stages.filter((s) => s.requests - s.errors > 0 && s.kind !== 'drain');
  const silent = result.stages.filter((s) => s.requests > 0 && s.requests === s.errors);
  if (silent.length > 0)
    warnings.push(
      `stage(s) ${silent.map((s) => s.index).join(', ')} had no successful response: left out of the capacity curve, knee and USL fit`,
    );
  const measured = answered.filter((s) => s.requests >= CAPACITY_RULES.minStageRequests);
  const steady = measured.filter((s) => s.kind !== 'ramp');
  const curveStages = steady.length >= 3 ? steady : measured;
  const points = curveStages.map((stage) => pointOf(stage, result)).sort((a, b) => a.load - b.load);

  const checks = result.stages.filter((s) => s.requests > 0).map(littleCheckOf);
  const broken = checks.filter((c) => !c.ok).map((c) => c.stage);
  if (broken.length > 0) {
    warnings.push(
      `Little's law fails by more than ${CAPACITY_RULES.littleTolerance * 100}% in stage(s) ${broken.join(', ')}: in-flight time, throughput and latency disagree (retry backoff and 429 waits count as in flight but not as latency; a stalled generator distorts all three)`,
    );
  }

  const analysis: CapacityAnalysis = {
    model: result.model,
    loadAxis: result.model === 'closed' ? 'concurrency' : 'arrival-rate',
    points,
    ...(slo
      ? { slo: { ...(slo.p99Ms !== undefined && { p99Ms: slo.p99Ms }), ...(slo.errorRate !== undefined && { errorRate: slo.errorRate }) } }
      : {}),
    littlesLaw: { tolerance: CAPACITY_RULES.littleTolerance, checks, broken },
    goodput: bestGoodput(points),
    warnings,
  };

  const atSlo = capacityAtSloOf(
    result,
    result.stages.filter((s) => s.requests > 0).map((stage) => pointOf(stage, result)),
  );
  if (atSlo) analysis.atSlo = atSlo;

  const knee = kneeOf(points);
  if (knee) analysis.knee = knee;
  if (points.length < 2) warnings.push('fewer than two load levels with enough requests: no knee or scalability curve can be read');

  const usl = fitUsl(points.map((p) => ({ concurrency: p.concurrency, throughput: p.throughput })));
  if (usl) {
    analysis.usl = usl;
    if (usl.r2 < 0.8)
      warnings.push(`the USL fits poorly (R² ${usl.r2.toFixed(2)}): its predictions beyond the tested loads are not to be trusted`);
  } else if (points.length > 0) {
    warnings.push('a USL fit needs at least three load levels');
  }
  return analysis;
}

function pointOf(stage: StageResult, result: RunResult): CapacityPoint {
  const slo = result.slo;
  const total = decodeDistribution(stage.histograms.total);
  // Requests that met the latency bound and succeeded. The histogram holds failures too, so subtracting every
  // slow request from the successes is a lower bound, exact when failures are fast or absent.
  const slowShare = total && slo?.p99Ms !== undefined ? shareAboveMs(total, slo.p99Ms) : 0;
  const goodput = Math.max(0, stage.successThroughput - stage.throughput * slowShare);
  const withinSlo =
    (slo?.p99Ms === undefined || stage.latency.p99 <= slo.p99Ms) &&
    (slo?.p95Ms === undefined || stage.latency.p95 <= slo.p95Ms) &&
    (slo?.p50Ms === undefined || stage.latency.p50 <= slo.p50Ms) &&
    (slo?.errorRate === undefined || stage.errorRate <= slo.errorRate);
  return {
    stage: stage.index,
    name: stage.name,
    load: result.model === 'closed' ? stage.achievedConcurrency : stage.target,
    concurrency: stage.achievedConcurrency,
    throughput: stage.throughput,
    meanLatencyMs: stage.latency.mean,
    p99Ms: stage.latency.p99,
    errorRate: stage.errorRate,
    goodput,
    withinSlo,
  };
}

/** L (time-averaged in flight, measured directly) against X·W (completions/s × mean latency). */
export function littleCheckOf(stage: Pick<StageResult, 'index' | 'name' | 'achievedConcurrency' | 'throughput' | 'latency'>): LittleCheck {
  const product = (stage.throughput * stage.latency.mean) / 1000;
  const scale = Math.max(stage.achievedConcurrency, product, 1e-9);
  const relativeError = Math.abs(stage.achievedConcurrency - product) / scale;
  return {
    stage: stage.index,
    name: stage.name,
    concurrency: stage.achievedConcurrency,
    throughputTimesLatency: product,
    relativeError,
    ok: relativeError <= CAPACITY_RULES.littleTolerance,
  };
}

/**
 * The knee: the heaviest load within the SLO before latency starts to climb (the mean exceeding the lightest
 * load's by the climb factor) — past it, more load buys queueing rather than throughput. When latency never
 * climbs, the lightest load within the SLO that reaches 90% of the best SLO-meeting throughput.
 */
export function kneeOf(points: readonly CapacityPoint[]): CapacityAnalysis['knee'] {
  // A knee is where more load stops buying throughput: one load level cannot show that (the warning says so).
  if (points.length < 2) return undefined;
  const candidates = points.filter((p) => p.withinSlo);
  if (candidates.length === 0) return undefined;
  const best = Math.max(...candidates.map((p) => p.throughput));
  const baseline = points[0]!;
  const climb = points.find((p) => p.meanLatencyMs > CAPACITY_RULES.latencyClimbFactor * baseline.meanLatencyMs);
  const beforeClimb = climb ? candidates.filter((p) => p.load < climb.load) : [];
  let knee: CapacityPoint;
  let rule: string;
  if (beforeClimb.length > 0) {
    knee = beforeClimb.reduce((a, b) => (b.throughput > a.throughput ? b : a));
    rule = `the highest-throughput load within the SLO before mean latency climbs past ${CAPACITY_RULES.latencyClimbFactor}× that of the lightest load (it does at stage ${climb!.stage}); best throughput within the SLO anywhere: ${best.toFixed(1)}/s`;
  } else {
    knee = candidates.find((p) => p.throughput >= CAPACITY_RULES.kneeThroughputShare * best)!;
    rule = `latency never climbed past ${CAPACITY_RULES.latencyClimbFactor}× the lightest load's within the SLO: the lightest load reaching ${CAPACITY_RULES.kneeThroughputShare * 100}% of the best throughput within the SLO (${best.toFixed(1)}/s)`;
  }
  return {
    stage: knee.stage,
    name: knee.name,
    load: knee.load,
    throughput: knee.throughput,
    rule,
    ...(climb
      ? { latencyClimb: { stage: climb.stage, name: climb.name, load: climb.load, factor: climb.meanLatencyMs / baseline.meanLatencyMs } }
      : {}),
  };
}

function bestGoodput(points: readonly CapacityPoint[]): CapacityAnalysis['goodput'] {
  let best: CapacityPoint | undefined;
  for (const p of points) if (!best || p.goodput > best.goodput) best = p;
  return best ? { bestPerSec: best.goodput, stage: best.stage } : { bestPerSec: 0 };
}
