import type { ErrorCounts } from '../../result/types.js';
import { errorCategories } from '../views/errors.js';
import { renderFamilies, type Family, type Labels, type Sample } from './render.js';

/**
 * `GET /metrics` while a run is going: the counters so far in the Prometheus text exposition format (0.0.4), for
 * a Prometheus server to scrape and a team's Grafana to set beside its own service's panels. Counters end in
 * `_total` and only grow; latency is a histogram in seconds whose buckets are placed around the scenario's SLO,
 * so `le="<slo>"` answers "what share met it" exactly rather than by interpolation between far-apart bounds.
 */

/** What has completed so far in one stage for one request name. */
export interface LiveCellTotals {
  stage: string;
  request: string;
  requests: number;
  errors: ErrorCounts;
  retries: number;
  rateLimited: number;
  dropped: number;
  /** cumulative count of latencies at or under each bound of `LiveMetricsView.bucketsSeconds`, same order */
  bucketCounts: number[];
  /** latencies recorded (the +Inf bucket) and their sum in seconds */
  latencyCount: number;
  latencySumSeconds: number;
}

/** The generator's own health in the latest interval (per worker thread where the figure is per thread). */
export interface LiveGeneratorHealth {
  workers: { eventLoopUtilization: number; threadCpuShare: number | null; eventLoopDelayP99Ms: number }[];
  processCpuCores: number;
}

export interface LiveMetricsView {
  scenario: string;
  /** closed: concurrency; open: arrivals per second */
  model: 'closed' | 'open';
  elapsedSeconds: number;
  targetLoad: number;
  inFlight: number;
  finished: boolean;
  bucketsSeconds: readonly number[];
  cells: readonly LiveCellTotals[];
  health?: LiveGeneratorHealth;
}

/** Multiples of the latency SLO that become bucket bounds: dense around it, sparse in the tails. */
const SLO_MULTIPLES = [0.1, 0.25, 0.5, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 5, 10];
/** Without a latency SLO: 1 ms to 30 s in roughly 1-2.5-5 steps, Prometheus client libraries' spirit. */
const DEFAULT_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Histogram bounds for a scenario: with a latency SLO, multiples of its tightest percentile limit (so the SLO is
 * itself a bound); without one, a general 1 ms – 30 s ladder. Seconds, ascending, without +Inf.
 */
export function latencyBucketsSeconds(slo: { p50Ms?: number; p95Ms?: number; p99Ms?: number } | undefined): number[] {
  const limits = [slo?.p99Ms, slo?.p95Ms, slo?.p50Ms].filter((ms): ms is number => ms !== undefined && ms > 0);
  if (limits.length === 0) return [...DEFAULT_BUCKETS_SECONDS];
  const sloSeconds = Math.min(...limits) / 1000;
  // Rounded to a microsecond: what the histograms resolve, and no float noise such as 0.30000000000000004.
  return SLO_MULTIPLES.map((m) => Math.round(sloSeconds * m * 1e6) / 1e6);
}

/** Renders the live view; families without samples are left out, as in metrics.prom. */
export function renderLiveMetrics(view: LiveMetricsView): string {
  const run: Labels = { scenario: view.scenario };
  const cellLabels = (cell: LiveCellTotals): Labels => ({ ...run, request: cell.request, stage: cell.stage });
  const counter = (name: string, help: string, value: (cell: LiveCellTotals) => number): Family => ({
    name,
    type: 'counter',
    help,
    samples: view.cells.map((cell) => ({ labels: cellLabels(cell), value: value(cell) })),
  });
  const gauge = (name: string, help: string, value: number): Family => ({ name, type: 'gauge', help, samples: [{ labels: run, value }] });
  const families: Family[] = [
    gauge('tailscope_run_elapsed_seconds', 'Run time since the load started.', view.elapsedSeconds),
    gauge('tailscope_run_finished', '1 once the run has ended (the counters are then final), else 0.', view.finished ? 1 : 0),
    gauge(
      view.model === 'closed' ? 'tailscope_target_concurrency' : 'tailscope_target_arrival_rate_per_second',
      view.model === 'closed' ? 'Concurrency the schedule asks for now.' : 'Arrival rate the schedule asks for now.',
      view.targetLoad,
    ),
    gauge('tailscope_requests_in_flight', 'Requests sent and not yet completed, at the latest interval.', view.inFlight),
    counter('tailscope_requests_total', 'Completed requests, successes and failures.', (cell) => cell.requests),
    {
      name: 'tailscope_request_errors_total',
      type: 'counter',
      help: 'Failed requests by HTTP status or failure kind.',
      samples: view.cells.flatMap((cell) =>
        errorCategories(cell.errors).map(([error, n]) => ({ labels: { ...cellLabels(cell), error }, value: n })),
      ),
    },
    counter('tailscope_retries_total', 'Attempts beyond the first.', (cell) => cell.retries),
    counter('tailscope_rate_limited_total', 'HTTP 429 responses the client waited out.', (cell) => cell.rateLimited),
    counter('tailscope_dropped_total', 'Open model: arrivals not sent on time for lack of a free slot.', (cell) => cell.dropped),
    {
      name: 'tailscope_request_latency_seconds',
      type: 'histogram',
      help: 'Whole-request latency (from the intended send time in an open model), failed attempts included.',
      samples: view.cells.flatMap((cell) => histogramSamples(cell, view.bucketsSeconds, cellLabels(cell))),
    },
  ];
  const health = view.health;
  if (health) {
    const perWorker = (value: (w: LiveGeneratorHealth['workers'][number]) => number | null): Sample[] =>
      health.workers.flatMap((w, index) => {
        const v = value(w);
        return v === null ? [] : [{ labels: { ...run, worker: String(index) }, value: v }];
      });
    families.push(
      {
        name: 'tailscope_generator_event_loop_utilization_ratio',
        type: 'gauge',
        help: 'Load generator worker event-loop utilization in the latest interval (busy share of the loop, not CPU).',
        samples: perWorker((w) => w.eventLoopUtilization),
      },
      {
        name: 'tailscope_generator_event_loop_delay_seconds',
        type: 'gauge',
        help: 'Load generator worker event-loop delay, p99 in the latest interval.',
        samples: perWorker((w) => w.eventLoopDelayP99Ms / 1000),
      },
      {
        name: 'tailscope_generator_thread_cpu_ratio',
        type: 'gauge',
        help: 'Load generator worker thread CPU in the latest interval, share of one core (absent where unmeasured).',
        samples: perWorker((w) => w.threadCpuShare),
      },
      gauge(
        'tailscope_generator_process_cpu_cores',
        'tailscope process CPU (all threads) in the latest interval, in cores.',
        health.processCpuCores,
      ),
    );
  }
  return renderFamilies(families);
}

function histogramSamples(cell: LiveCellTotals, bounds: readonly number[], labels: Labels): Sample[] {
  return [
    ...bounds.map((le, i) => ({ suffix: '_bucket', labels: { ...labels, le: String(le) }, value: cell.bucketCounts[i] ?? 0 })),
    { suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: cell.latencyCount },
    { suffix: '_sum', labels, value: cell.latencySumSeconds },
    { suffix: '_count', labels, value: cell.latencyCount },
  ];
}
