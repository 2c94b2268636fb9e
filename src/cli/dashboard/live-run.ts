import os from 'node:os';
import type { MetricSnapshot } from '../../metrics/metric-set.js';
import { addErrors, emptyCalls, emptyCounters, emptyErrors, mergeSnapshots } from '../../metrics/metric-set.js';
import type { LiveInterval } from '../../runner/coordinator.js';
import { evaluateHealth } from '../../runner/health.js';
import { buildRunResult } from '../../result/build.js';
import type { IntervalResult, RunResult } from '../../result/types.js';
import type { Scenario } from '../../scenario/types.js';
import { segmentIndexAt, targetAt } from '../../load/curve.js';
import { decodeHistogram } from '../../shared/histogram.js';
import { recordedBuckets } from '../../shared/latency-summary.js';
import { TOOL_VERSION } from '../../version.js';
import { latencyBucketsSeconds, type LiveCellTotals, type LiveMetricsView } from '../../report/openmetrics/live.js';

/**
 * The run so far, from the intervals the coordinator hands the CLI: cumulative counters per stage × request name
 * for /metrics, and a provisional RunResult (the same shape the finished run writes) for the dashboard's charts
 * and verdict, so the page is drawn by the report's own code. It only reads what the runner reports; the runner
 * knows nothing of it.
 */
export class LiveRun {
  private readonly intervals: { index: number; snapshot: MetricSnapshot; health: LiveInterval['health'] }[] = [];
  /** intervals not yet in a provisional result: each is summarised once, not again on every update */
  private unbuilt: { index: number; snapshot: MetricSnapshot }[] = [];
  private readonly built: IntervalResult[] = [];
  /** per stage, the merge of its intervals so far, merged in as they arrive (two parts a time) */
  private readonly stageSoFar = new Map<number, MetricSnapshot>();
  private readonly cells = new Map<string, LiveCellTotals>();
  private readonly bucketsUs: number[];
  readonly bucketsSeconds: number[];
  private inFlight = 0;
  private latestHealth: LiveInterval['health'] = [];
  private lastIndex = -1;
  finished = false;
  targetUrl = '';

  constructor(private readonly scenario: Scenario) {
    const slo = scenario.slo;
    this.bucketsSeconds = latencyBucketsSeconds(slo ? { p50Ms: slo.p50, p95Ms: slo.p95, p99Ms: slo.p99 } : undefined);
    this.bucketsUs = this.bucketsSeconds.map((s) => Math.round(s * 1e6));
  }

  /** Adds one merged interval (runner onInterval); intervals arrive once each, in order or nearly. */
  add(index: number, merged: MetricSnapshot, live: LiveInterval | undefined): void {
    this.intervals.push({ index, snapshot: merged, health: live?.health ?? [] });
    this.unbuilt.push({ index, snapshot: merged });
    const stage = Math.max(0, segmentIndexAt(this.scenario.load.segments, (index + 0.5) * this.scenario.intervalMs));
    const prior = this.stageSoFar.get(stage);
    this.stageSoFar.set(stage, prior ? mergeSnapshots([prior, merged]) : merged);
    this.lastIndex = Math.max(this.lastIndex, index);
    if (!live) return;
    if (!live.afterEnd) {
      this.inFlight = live.inFlight;
      if (live.health.length > 0) this.latestHealth = live.health;
    }
    for (const cell of live.cells) this.addCell(cell.stage, cell.name, cell.snapshot);
  }

  private addCell(stageIndex: number, request: string, snapshot: MetricSnapshot): void {
    const stage = this.scenario.load.segments[stageIndex]?.name ?? String(stageIndex);
    const key = `${stageIndex}\u0000${request}`;
    let totals = this.cells.get(key);
    if (!totals) {
      totals = {
        stage,
        request,
        requests: 0,
        errors: emptyErrors(),
        retries: 0,
        rateLimited: 0,
        dropped: 0,
        bucketCounts: this.bucketsUs.map(() => 0),
        latencyCount: 0,
        latencySumSeconds: 0,
      };
      this.cells.set(key, totals);
    }
    totals.requests += snapshot.requests;
    addErrors(totals.errors, snapshot.errors);
    totals.retries += snapshot.counters.retries;
    totals.rateLimited += snapshot.counters.rateLimited;
    totals.dropped += snapshot.counters.dropped;
    const encoded = snapshot.histograms.total;
    if (!encoded) return;
    // Each interval's histogram is folded into bucket counts once: the counts only ever grow, as counters must.
    for (const { valueUs, count } of recordedBuckets(decodeHistogram(encoded))) {
      totals.latencyCount += count;
      totals.latencySumSeconds += (valueUs * count) / 1e6;
      for (let i = 0; i < this.bucketsUs.length; i++) if (valueUs <= this.bucketsUs[i]!) totals.bucketCounts[i]! += count;
    }
  }

  /** The counters for /metrics, cells in stage then name order. */
  metricsView(): LiveMetricsView {
    const elapsedMs = (this.lastIndex + 1) * this.scenario.intervalMs;
    const latest = this.latestHealth;
    return {
      scenario: this.scenario.name,
      model: this.scenario.load.model,
      elapsedSeconds: Math.max(0, elapsedMs) / 1000,
      targetLoad: this.finished ? 0 : targetAt(this.scenario.load.segments, elapsedMs),
      inFlight: this.finished ? 0 : this.inFlight,
      finished: this.finished,
      bucketsSeconds: this.bucketsSeconds,
      cells: [...this.cells.entries()].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true })).map(([, cell]) => cell),
      ...(latest.length > 0
        ? {
            health: {
              workers: latest.map((h) => ({
                eventLoopUtilization: h.eventLoopUtilization,
                threadCpuShare: h.threadCpuShare,
                eventLoopDelayP99Ms: h.eventLoopDelayP99Ms,
              })),
              // process.cpuUsage is process-wide: every worker reads the same figure, so take one, not the sum.
              processCpuCores: Math.max(...latest.map((h) => h.processCpuCores)),
            },
          }
        : {}),
    };
  }

  /**
   * The run so far as a RunResult: intervals as they are; each stage the merge of the intervals that mostly lie
   * in it (interval-grained, unlike the finished result's exact stages); requests per name from the live cells.
   * Work per update is bounded by what arrived since the last one, so an hour-long run updates as fast as a
   * minute-long one.
   */
  provisionalResult(): RunResult {
    const { scenario } = this;
    const segments = scenario.load.segments;
    const durationMs = (this.lastIndex + 1) * scenario.intervalMs;
    const byName = new Map<string, MetricSnapshot>();
    for (const cell of this.cells.values()) {
      const prior = byName.get(cell.request);
      const snapshot: MetricSnapshot = {
        requests: cell.requests,
        successes: cell.requests - cell.errors.total,
        sent: 0,
        errors: cell.errors,
        counters: { ...emptyCounters(), retries: cell.retries, rateLimited: cell.rateLimited, dropped: cell.dropped },
        // Live cells count attempts; calls (across retries) are in the final report.
        calls: emptyCalls(),
        inFlightMs: 0,
        histograms: {},
      };
      byName.set(cell.request, prior ? mergeSnapshots([prior, snapshot]) : snapshot);
    }
    const health = evaluateHealth({
      intervals: this.intervals,
      workers: scenario.workers,
      model: scenario.load.model,
      scheduleLag: { p50Ms: 0, p99Ms: 0, maxMs: 0 },
      dropped: this.intervals.reduce((sum, i) => sum + i.snapshot.counters.dropped, 0),
      sent: this.intervals.reduce((sum, i) => sum + i.snapshot.sent, 0),
      socketErrors: this.intervals.reduce((sum, i) => sum + (i.snapshot.errors.byKind.socket ?? 0), 0),
      workerErrors: [],
      availableCores: os.availableParallelism(),
      targetInProcess: Boolean(scenario.target.mock),
    });
    const slo = scenario.slo;
    const result = buildRunResult(
      {
        scenario: { name: scenario.name, definition: scenario.redacted },
        model: scenario.load.model,
        engine: scenario.engine,
        target: { url: this.targetUrl },
        environment: { node: process.version, platform: process.platform, arch: process.arch, cpus: os.cpus().length, cpuModel: '' },
        startedAt: '',
        durationMs,
        intervalMs: scenario.intervalMs,
        interrupted: false,
        serverTiming: {
          source: scenario.serverTiming.header.toLowerCase() === 'server-timing' ? 'server-timing' : 'header',
          header: scenario.serverTiming.header,
          metric: scenario.serverTiming.metric,
        },
        ...(slo ? { slo: { p50Ms: slo.p50, p95Ms: slo.p95, p99Ms: slo.p99, errorRate: slo.errorRate } } : {}),
        thresholds: scenario.thresholds.map((t) => t.threshold),
        toolVersion: TOOL_VERSION,
        segments,
        health,
      },
      { intervals: this.unbuilt, stages: this.stageSoFar, byName },
    );
    this.unbuilt = [];
    this.built.push(...result.intervals);
    this.built.sort((a, b) => a.index - b.index);
    return { ...result, intervals: [...this.built] };
  }
}
