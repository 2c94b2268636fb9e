/**
 * What the server actually did: responses by route and status, and HDR histograms of the service and queue
 * times it injected (recorded in µs, summarised in fractional ms, as everywhere in tailscope). Service and
 * queue cover /v1/generate in all its forms (plain, SSE, WebSocket, async): the API under test, not the
 * token endpoint or the admin routes.
 */
// The same histograms and percentile readings as tailscope's own, so truth and measurement compare like for like.
import { createHistogram, recordUs, type Histogram } from '../src/shared/histogram.js';
import { summarize } from '../src/shared/latency-summary.js';

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

export interface MockStats {
  /** Responses counted in byRoute (admin routes excluded, so reading stats never changes them). */
  requests: number;
  /** route pattern → status → count; unknown paths count under "unmatched". */
  byRoute: Record<string, Record<string, number>>;
  /** HTTP requests and WebSocket streams in progress. */
  inFlight: number;
  /** Requests waiting for a service slot. */
  queueLength: number;
  /** Service slots in use. */
  busySlots: number;
  service: LatencySummary;
  queue: LatencySummary;
  /** Since the last reset. */
  elapsedMs: number;
}

export interface Gauges {
  inFlight: number;
  queueLength: number;
  busySlots: number;
}

/** Prometheus histogram bounds, in seconds (Prometheus' base unit). */
const BUCKET_BOUNDS_SEC = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

class BucketCounter {
  readonly counts = new Array<number>(BUCKET_BOUNDS_SEC.length + 1).fill(0);
  sumSec = 0;
  count = 0;

  record(ms: number): void {
    const sec = ms / 1000;
    let i = 0;
    while (i < BUCKET_BOUNDS_SEC.length && sec > BUCKET_BOUNDS_SEC[i]!) i++;
    this.counts[i]!++;
    this.sumSec += sec;
    this.count++;
  }
}

export class StatsRecorder {
  private byRoute: Record<string, Record<string, number>> = {};
  private requests = 0;
  private serviceUs = createHistogram();
  private queueUs = createHistogram();
  private serviceBuckets = new BucketCounter();
  private queueBuckets = new BucketCounter();
  private resetAtMs: number;

  constructor(
    private readonly now: () => number,
    private readonly gauges: () => Gauges,
  ) {
    this.resetAtMs = now();
  }

  countResponse(route: string, status: number | string): void {
    this.requests++;
    const statuses = (this.byRoute[route] ??= {});
    statuses[status] = (statuses[status] ?? 0) + 1;
  }

  /** What one generate request was given: its service time and its wait (queue, batch window, stall hold). */
  recordInjected(serviceMs: number, queueMs: number): void {
    recordUs(this.serviceUs, serviceMs * 1000);
    recordUs(this.queueUs, queueMs * 1000);
    this.serviceBuckets.record(serviceMs);
    this.queueBuckets.record(queueMs);
  }

  reset(): void {
    this.byRoute = {};
    this.requests = 0;
    this.serviceUs.reset();
    this.queueUs.reset();
    this.serviceBuckets = new BucketCounter();
    this.queueBuckets = new BucketCounter();
    this.resetAtMs = this.now();
  }

  snapshot(): MockStats {
    const byRoute: MockStats['byRoute'] = {};
    for (const [route, statuses] of Object.entries(this.byRoute)) byRoute[route] = { ...statuses };
    return {
      requests: this.requests,
      byRoute,
      ...this.gauges(),
      service: summarise(this.serviceUs),
      queue: summarise(this.queueUs),
      elapsedMs: this.now() - this.resetAtMs,
    };
  }

  /** Prometheus text exposition format 0.0.4. */
  prometheus(): string {
    const lines: string[] = [];
    lines.push('# HELP tailscope_mock_requests_total Responses sent, by route and status.');
    lines.push('# TYPE tailscope_mock_requests_total counter');
    for (const [route, statuses] of Object.entries(this.byRoute)) {
      for (const [status, count] of Object.entries(statuses)) {
        lines.push(`tailscope_mock_requests_total{route="${route}",status="${status}"} ${count}`);
      }
    }
    const gauges = this.gauges();
    lines.push('# HELP tailscope_mock_in_flight Requests and streams in progress.');
    lines.push('# TYPE tailscope_mock_in_flight gauge');
    lines.push(`tailscope_mock_in_flight ${gauges.inFlight}`);
    lines.push('# HELP tailscope_mock_queue_length Requests waiting for a service slot.');
    lines.push('# TYPE tailscope_mock_queue_length gauge');
    lines.push(`tailscope_mock_queue_length ${gauges.queueLength}`);
    lines.push('# HELP tailscope_mock_busy_slots Service slots in use.');
    lines.push('# TYPE tailscope_mock_busy_slots gauge');
    lines.push(`tailscope_mock_busy_slots ${gauges.busySlots}`);
    histogramLines(lines, 'tailscope_mock_service_seconds', 'Injected service time of /v1/generate.', this.serviceBuckets);
    histogramLines(lines, 'tailscope_mock_queue_seconds', 'Queue wait (and stall hold) of /v1/generate.', this.queueBuckets);
    return lines.join('\n') + '\n';
  }
}

function histogramLines(lines: string[], name: string, help: string, buckets: BucketCounter): void {
  lines.push(`# HELP ${name} ${help}`);
  lines.push(`# TYPE ${name} histogram`);
  let cumulative = 0;
  BUCKET_BOUNDS_SEC.forEach((bound, i) => {
    cumulative += buckets.counts[i]!;
    lines.push(`${name}_bucket{le="${bound}"} ${cumulative}`);
  });
  lines.push(`${name}_bucket{le="+Inf"} ${buckets.count}`);
  lines.push(`${name}_sum ${buckets.sumSec}`);
  lines.push(`${name}_count ${buckets.count}`);
}

function summarise(histogramUs: Histogram): LatencySummary {
  const s = summarize(histogramUs);
  return { count: s.count, p50Ms: s.p50, p90Ms: s.p90, p99Ms: s.p99, p999Ms: s.p999, maxMs: s.max, meanMs: s.mean };
}
