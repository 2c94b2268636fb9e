import { describe, expect, it } from 'vitest';
import { latencyBucketsSeconds, renderLiveMetrics, type LiveMetricsView } from '../../src/report/openmetrics/live.js';
import { parsePrometheusText } from './prom-parser.js';

describe('live /metrics', () => {
  it.each([
    [undefined, [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]],
    [{ p99Ms: 800 }, [0.08, 0.2, 0.4, 0.6, 0.72, 0.8, 0.88, 1, 1.2, 1.6, 2.4, 4, 8]],
    // The tightest limit sets the scale: p50 250 ms under p99 1 s.
    [{ p50Ms: 250, p99Ms: 1000 }, [0.025, 0.0625, 0.125, 0.1875, 0.225, 0.25, 0.275, 0.3125, 0.375, 0.5, 0.75, 1.25, 2.5]],
  ])('buckets for SLO %j', (slo, expected) => {
    expect(latencyBucketsSeconds(slo)).toEqual(expected);
  });

  const view: LiveMetricsView = {
    scenario: 'a "quoted"\nname',
    model: 'closed',
    elapsedSeconds: 3,
    targetLoad: 4,
    inFlight: 2,
    finished: false,
    bucketsSeconds: [0.1, 0.2],
    cells: [
      {
        stage: 'hold 4 10s',
        request: 'generate',
        requests: 10,
        errors: { total: 3, byKind: { status: 2, timeout_total: 1 }, byStatus: { '503': 2 } },
        retries: 1,
        rateLimited: 0,
        dropped: 0,
        bucketCounts: [6, 9],
        latencyCount: 10,
        latencySumSeconds: 1.25,
      },
    ],
    health: { workers: [{ eventLoopUtilization: 0.2, threadCpuShare: null, eventLoopDelayP99Ms: 1.5 }], processCpuCores: 0.4 },
  };

  it('renders valid exposition text with counters, a cumulative histogram and generator health', () => {
    const text = renderLiveMetrics(view);
    const families = parsePrometheusText(text); // throws on anything Prometheus would reject
    const byName = new Map(families.map((f) => [f.name, f]));
    const labels = { scenario: 'a "quoted"\nname', request: 'generate', stage: 'hold 4 10s' };
    expect(byName.get('tailscope_requests_total')!.samples).toEqual([{ name: 'tailscope_requests_total', labels, value: 10 }]);
    expect(byName.get('tailscope_request_errors_total')!.samples.map((s) => [s.labels.error, s.value])).toEqual([
      ['HTTP 503', 2],
      ['timeout_total', 1],
    ]);
    const histogram = byName.get('tailscope_request_latency_seconds')!;
    expect(histogram.type).toBe('histogram');
    expect(histogram.samples.map((s) => [s.name.replace('tailscope_request_latency_seconds', ''), s.labels.le, s.value])).toEqual([
      ['_bucket', '0.1', 6],
      ['_bucket', '0.2', 9],
      ['_bucket', '+Inf', 10],
      ['_sum', undefined, 1.25],
      ['_count', undefined, 10],
    ]);
    expect(byName.get('tailscope_requests_in_flight')!.samples[0]!.value).toBe(2);
    expect(byName.get('tailscope_target_concurrency')!.samples[0]!.value).toBe(4);
    // A figure the platform could not measure is left out, not reported as 0.
    expect(byName.has('tailscope_generator_thread_cpu_ratio')).toBe(false);
    expect(byName.get('tailscope_generator_event_loop_delay_seconds')!.samples[0]).toMatchObject({
      labels: { worker: '0' },
      value: 0.0015,
    });
  });
});
