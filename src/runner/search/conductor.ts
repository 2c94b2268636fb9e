import type { Segment, SearchSettings } from '../../load/types.js';
import { nextSearchStep, type SearchConclusion, type SearchStep } from '../../load/search.js';
import type { MetricSnapshot } from '../../metrics/metric-set.js';
import type { SearchProbe, SearchRecord } from '../../result/types.js';
import type { WorkerHealthSample } from '../protocol.js';
import { HEALTH_LIMITS } from '../health.js';
import { judgeProbe, type ProbeInterval } from './probe-judge.js';

/**
 * A decided probe's successor starts at an interval boundary at least this far ahead of the decision, so every
 * worker has the new plan before it applies (a message takes well under a millisecond; a busy loop, longer).
 */
const PLAN_LEAD_MS = 150;
/**
 * A probe's stage is planned this many intervals past the longest it can be held, so that the decision (made
 * once its last interval reached the coordinator) cuts it before it runs out: no gap without load.
 */
const TENTATIVE_SLACK_INTERVALS = 3;
/** A drain is over once fewer requests than this are in flight on average over an interval. */
const DRAINED_IN_FLIGHT = 1;

/** The workers' plan after a decision: the whole segment list, and whether more will come. */
export interface PlanUpdate {
  segments: Segment[];
  final: boolean;
}

export interface SearchConductorOptions {
  settings: SearchSettings;
  model: 'open' | 'closed';
  slo: { p99Ms?: number; errorRate?: number };
  intervalMs: number;
  /** each probe as it is decided (progress lines) */
  onProbe?: (probe: SearchProbe) => void;
  /** the search concluded (the sweep, if any, follows) */
  onConclusion?: (conclusion: SearchConclusion) => void;
}

/**
 * The coordinator's side of a capacity search: reads the merged intervals as they arrive, judges the running
 * probe (probe-judge.ts), and when it is decided asks the search (load/search.ts) what comes next, then cuts the
 * probe's stage at the next interval boundary and appends the next probe, or the sweep. Every probe and sweep
 * load is a stage of its own, aligned to intervals, so the result reads like any other run.
 */
export class SearchConductor {
  private readonly segments: Segment[] = [];
  private readonly probes: SearchProbe[] = [];
  private readonly intervals = new Map<number, ProbeInterval>();
  private conclusion: SearchConclusion | undefined;
  private readonly sweepStages: number[] = [];
  private final = false;
  /** after a failed probe: what comes once its queue has drained */
  private afterDrain: SearchStep | undefined;

  constructor(private readonly options: SearchConductorOptions) {
    this.appendProbe(options.settings.from, 0);
  }

  /** The plan the workers start with: the first probe. */
  get plan(): PlanUpdate {
    return { segments: this.segments.map((s) => ({ ...s })), final: this.final };
  }

  get record(): SearchRecord {
    return {
      settings: this.options.settings,
      probes: [...this.probes],
      ...(this.conclusion ? { conclusion: this.conclusion } : {}),
      sweepStages: [...this.sweepStages],
    };
  }

  /**
   * One interval, merged across every local worker; `nowRunMs` is the coordinator's run time. Returns the new
   * plan when the running probe was decided.
   */
  onInterval(index: number, merged: MetricSnapshot, health: readonly WorkerHealthSample[], nowRunMs: number): PlanUpdate | undefined {
    const { intervalMs } = this.options;
    this.intervals.set(index, {
      requests: merged.requests,
      errors: merged.errors.total,
      sent: merged.sent,
      dropped: merged.counters.dropped,
      socketErrors: merged.errors.byKind.socket ?? 0,
      meanInFlight: merged.inFlightMs / intervalMs,
      ...(merged.histograms.total ? { total: merged.histograms.total } : {}),
      generatorBusy: health.some(
        (h) =>
          (h.threadCpuShare ?? h.eventLoopUtilization) > HEALTH_LIMITS.busyUtilization ||
          h.eventLoopDelayP99Ms > HEALTH_LIMITS.loopDelayP99Ms,
      ),
    });
    if (this.final) return undefined;
    const current = this.segments[this.segments.length - 1]!;
    const firstIndex = Math.round(current.startMs / intervalMs);
    if (index < firstIndex) return undefined;
    if (this.afterDrain) return this.onDrainInterval(index, current, nowRunMs);
    const probeIntervals: ProbeInterval[] = [];
    for (let i = firstIndex; i <= index; i++) {
      const interval = this.intervals.get(i);
      if (!interval) return undefined; // an earlier interval is still on its way
      probeIntervals.push(interval);
    }
    const { settings, model, slo } = this.options;
    const decision = judgeProbe({
      model,
      load: current.to,
      slo,
      holdMs: settings.holdMs,
      settleMs: settings.settleMs,
      intervalMs,
      intervals: probeIntervals,
      seed: this.probes.length + 1,
    });
    if (decision.kind === 'continue') return undefined;

    const { kind: _kind, ...judgement } = decision;
    void _kind;
    const probe: SearchProbe = {
      ...judgement,
      probe: this.probes.length + 1,
      stage: current.index,
      load: current.to,
      startMs: current.startMs,
      decidedAtMs: (index + 1) * intervalMs,
    };
    this.probes.push(probe);
    this.options.onProbe?.(probe);

    const cutMs = this.cut(current, index, nowRunMs);
    const step = nextSearchStep(settings, model, this.probes);
    if (step.kind === 'done') {
      this.conclusion = step.conclusion;
      this.options.onConclusion?.(step.conclusion);
    }
    if (probe.verdict === 'fail' && !(step.kind === 'done' && step.sweep.length === 0)) {
      // A failed probe leaves a queue behind (at the target and in flight): measured under it, the next probe
      // would fail for the last one's load. Nothing is sent until it has drained.
      this.afterDrain = step;
      const longestMs = settings.settleMs + 2 * settings.holdMs;
      this.segments.push(this.segment('drain', `drain after probe ${probe.probe}`, 0, cutMs, cutMs + longestMs));
    } else {
      this.apply(step, cutMs);
    }
    return this.plan;
  }

  /** While draining: once (nearly) nothing is in flight, or the drain has taken as long as a probe may, go on. */
  private onDrainInterval(index: number, drain: Segment, nowRunMs: number): PlanUpdate | undefined {
    const { settings, intervalMs } = this.options;
    const inFlight = this.intervals.get(index)!.meanInFlight;
    const elapsedMs = (index + 1) * intervalMs - drain.startMs;
    if (inFlight >= DRAINED_IN_FLIGHT && elapsedMs < settings.settleMs + 2 * settings.holdMs) return undefined;
    const step = this.afterDrain!;
    this.afterDrain = undefined;
    this.apply(step, this.cut(drain, index, nowRunMs));
    return this.plan;
  }

  /** Ends a stage at the next interval boundary the workers can still be told about in time; returns that time. */
  private cut(segment: Segment, index: number, nowRunMs: number): number {
    const { intervalMs } = this.options;
    segment.endMs = Math.max((index + 1) * intervalMs, Math.ceil((nowRunMs + PLAN_LEAD_MS) / intervalMs) * intervalMs);
    return segment.endMs;
  }

  private apply(step: SearchStep, startMs: number): void {
    const { settings, intervalMs } = this.options;
    if (step.kind === 'probe') {
      this.appendProbe(step.load, startMs);
      return;
    }
    const stageMs = Math.ceil((settings.settleMs + settings.holdMs) / intervalMs) * intervalMs;
    step.sweep.forEach((load, i) => {
      this.sweepStages.push(this.segments.length);
      this.segments.push(this.segment('sweep', `sweep ${i + 1}: ${this.label(load)}`, load, startMs, startMs + stageMs));
      startMs += stageMs;
    });
    this.final = true;
  }

  private appendProbe(load: number, startMs: number): void {
    const { settings, intervalMs } = this.options;
    const settleMs = Math.ceil(settings.settleMs / intervalMs) * intervalMs;
    const longestMs = settleMs + 2 * settings.holdMs + TENTATIVE_SLACK_INTERVALS * intervalMs;
    const probe = this.segments.filter((s) => s.kind === 'probe').length + 1;
    this.segments.push(this.segment('probe', `probe ${probe}: ${this.label(load)}`, load, startMs, startMs + longestMs));
  }

  private segment(kind: 'probe' | 'sweep' | 'drain', name: string, load: number, startMs: number, endMs: number): Segment {
    return { index: this.segments.length, name, kind, startMs, endMs, from: load, to: load };
  }

  private label(load: number): string {
    return this.options.model === 'closed' ? `${load} users` : `${load}/s`;
  }
}
