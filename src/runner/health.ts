import type { GcTally, GeneratorHealth } from '../result/types.js';
import type { WorkerHealthSample } from './protocol.js';
import type { Unreachable } from './unreachable.js';

/**
 * Limits past which the generator, not the target, is the bottleneck. A busy event loop delays both sending
 * and reading responses, which inflates latency and caps throughput at the generator's ceiling.
 */
export const HEALTH_LIMITS = {
  /**
   * a worker busier than this in an interval counts as saturated: its thread CPU share where the platform
   * measures it, else its event-loop utilization (the nearest Node 20 offers)
   */
  busyUtilization: 0.95,
  /**
   * the process using this share of the machine's cores in an interval counts as saturated: the workers
   * cannot get more CPU. Not applied when the target is the in-process mock, whose CPU is in the same count.
   */
  processCpuShareOfCores: 0.95,
  /** event-loop delay p99 above this in an interval delays timestamps by that much */
  loopDelayP99Ms: 50,
  /** the run is invalid when this share of intervals was saturated or delayed */
  unhealthyIntervalShare: 0.2,
  /** open model: arrivals sent later than this at p99 were not sent on schedule */
  scheduleLagP99Ms: 50,
  /** open model: dropped arrivals above this share of those planned */
  droppedShare: 0.01,
} as const;

export interface HealthInputs {
  intervals: readonly { health: readonly WorkerHealthSample[] }[];
  workers: number;
  model: 'closed' | 'open';
  scheduleLag: { p50Ms: number; p99Ms: number; maxMs: number };
  dropped: number;
  sent: number;
  socketErrors: number;
  workerErrors: readonly string[];
  /** cores the machine offers (os.availableParallelism) */
  availableCores: number;
  /** the bundled mock runs in this process: its CPU is in the process's count */
  targetInProcess: boolean;
  /** set when the run was stopped because every attempt failed to connect */
  unreachable?: Unreachable;
  /** the load threads' garbage collections over the measured run */
  gc?: GcTally;
}

/** Judges a run's validity from what the generator saw of itself. Pure: tested with tables. */
export function evaluateHealth(input: HealthInputs): GeneratorHealth {
  const reasons: string[] = [];
  const samples = input.intervals.flatMap((i) => i.health);
  // The last interval is usually partial and includes teardown (a few busy milliseconds read as 100%
  // utilisation): leave it out of the judgement whenever there is another to judge.
  const judged = input.intervals.length > 1 ? input.intervals.slice(0, -1) : input.intervals;
  if (input.unreachable) {
    const u = input.unreachable;
    reasons.push(
      `target unreachable: all ${u.attempts} attempts of the last ${(u.forMs / 1000).toFixed(0)} s failed to connect (${u.errors}); the run was stopped`,
    );
  }
  const cpuBound = input.availableCores * HEALTH_LIMITS.processCpuShareOfCores;
  const measure = samples.some((s) => s.threadCpuShare !== null) ? 'worker thread CPU' : 'event loop busy';
  // Each rule counted on its own, so the reason says which one tripped.
  const rules: [string, (h: WorkerHealthSample) => boolean][] = [
    [
      `${measure} > ${HEALTH_LIMITS.busyUtilization * 100}%`,
      (h) => (h.threadCpuShare ?? h.eventLoopUtilization) > HEALTH_LIMITS.busyUtilization,
    ],
    [`event loop delayed > ${HEALTH_LIMITS.loopDelayP99Ms} ms`, (h) => h.eventLoopDelayP99Ms > HEALTH_LIMITS.loopDelayP99Ms],
    ...(input.targetInProcess
      ? []
      : [
          [
            `process CPU ≥ ${(HEALTH_LIMITS.processCpuShareOfCores * 100).toFixed(0)}% of ${input.availableCores} cores`,
            (h: WorkerHealthSample) => h.processCpuCores >= cpuBound,
          ] as [string, (h: WorkerHealthSample) => boolean],
        ]),
  ];
  const tripped = (interval: (typeof judged)[number]) => rules.filter(([, rule]) => interval.health.some(rule)).map(([name]) => name);
  const unhealthyIntervals = judged.map(tripped).filter((names) => names.length > 0);
  const unhealthy = unhealthyIntervals.length;
  // Failing connections return at once and keep the loop spinning: that is the target's absence, not saturation.
  // One stalled interval among several is a GC pause or the OS running something else, not a generator that
  // cannot keep up: a short run is not condemned by the single blip a long one would be forgiven.
  const tolerated = Math.max(HEALTH_LIMITS.unhealthyIntervalShare * judged.length, Math.min(1, judged.length - 1));
  if (!input.unreachable && judged.length > 0 && unhealthy > tolerated) {
    const byRule = rules
      .map(([name]) => [name, unhealthyIntervals.filter((names) => names.includes(name)).length] as const)
      .filter(([, n]) => n > 0);
    reasons.push(
      `generator saturated in ${unhealthy} of ${judged.length} intervals (${byRule.map(([name, n]) => `${name}: ${n}`).join('; ')}): add workers or lower the load`,
    );
  }
  if (input.model === 'open' && input.scheduleLag.p99Ms > HEALTH_LIMITS.scheduleLagP99Ms) {
    reasons.push(
      `requests left ${input.scheduleLag.p99Ms.toFixed(1)} ms late at p99 (limit ${HEALTH_LIMITS.scheduleLagP99Ms} ms): the generator could not keep the schedule`,
    );
  }
  const planned = input.sent + input.dropped;
  if (input.model === 'open' && planned > 0 && input.dropped / planned > HEALTH_LIMITS.droppedShare) {
    reasons.push(
      `${input.dropped} of ${planned} arrivals dropped (${((input.dropped / planned) * 100).toFixed(1)}%): raise load.maxInFlight or add workers`,
    );
  }
  if (input.socketErrors > 0) {
    reasons.push(`${input.socketErrors} generator-side socket errors (ports or file descriptors ran out)`);
  }
  for (const error of input.workerErrors) reasons.push(`worker failed: ${error.split('\n')[0]}`);

  const utilizations = samples.map((s) => s.eventLoopUtilization);
  const threadShares = samples.flatMap((s) => (s.threadCpuShare === null ? [] : [s.threadCpuShare]));
  const processCores = input.intervals.map((i) => Math.max(0, ...i.health.map((h) => h.processCpuCores)));
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
  const delays = samples.map((s) => s.eventLoopDelayP99Ms).sort((a, b) => a - b);
  return {
    valid: reasons.length === 0,
    reasons,
    workers: input.workers,
    eventLoopDelayMs: {
      p50: delays[Math.floor((delays.length - 1) / 2)] ?? 0,
      p99: delays[Math.floor((delays.length - 1) * 0.99)] ?? 0,
      max: Math.max(0, ...samples.map((s) => s.eventLoopDelayMaxMs)),
    },
    eventLoopUtilization: { mean: mean(utilizations), max: Math.max(0, ...utilizations) },
    threadCpu: threadShares.length ? { mean: mean(threadShares), max: Math.max(...threadShares) } : null,
    processCpu: { meanCores: mean(processCores), maxCores: Math.max(0, ...processCores), availableCores: input.availableCores },
    scheduleLagMs: { p50: input.scheduleLag.p50Ms, p99: input.scheduleLag.p99Ms, max: input.scheduleLag.maxMs },
    socketErrors: input.socketErrors > 0 ? { generator: input.socketErrors } : {},
    ...(input.gc ? { gc: input.gc } : {}),
  };
}
