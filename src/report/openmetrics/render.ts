import { checkRows } from '../views/checks.js';
import { displayUrl } from '../views/format.js';
import type { Analysis } from '../../analysis/types.js';
import { decodeHistogram } from '../../shared/histogram.js';
import { summarize, type LatencySummary } from '../../shared/latency-summary.js';
import type { RunResult } from '../../result/types.js';
import { errorCategories } from '../views/errors.js';
import type { Verdict } from '../../analysis/types.js';

/**
 * metrics.prom: the run's summary in the Prometheus text exposition format (0.0.4), which both the
 * Pushgateway and node-exporter's textfile collector read. Not OpenMetrics: that format names counter
 * families without `_total` in `# TYPE`, which the textfile collector would reject, so there is no `# EOF`.
 * Latencies are summaries in seconds (Prometheus base units); counters end in `_total`.
 */

export type Labels = Record<string, string>;
export interface Sample {
  suffix?: string;
  labels: Labels;
  value: number;
}
export interface Family {
  name: string;
  type: 'gauge' | 'counter' | 'summary' | 'histogram';
  help: string;
  samples: Sample[];
}

/** Label values escape backslash, double quote and line feed, as the format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}` : '';
}

const QUANTILES: [string, keyof LatencySummary][] = [
  ['0.5', 'p50'],
  ['0.9', 'p90'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
  ['0.999', 'p999'],
];

/** Summary samples of one latency distribution (ms in, seconds out). */
function summarySamples(summary: LatencySummary, labels: Labels): Sample[] {
  return [
    ...QUANTILES.map(([quantile, key]) => ({ labels: { ...labels, quantile }, value: summary[key] / 1000 })),
    { suffix: '_sum', labels, value: (summary.mean * summary.count) / 1000 },
    { suffix: '_count', labels, value: summary.count },
  ];
}

export function renderOpenMetrics(result: RunResult, analysis: Analysis, verdict: Verdict): string {
  const run: Labels = { scenario: result.scenario.name };
  const t = result.totals;
  const families: Family[] = [
    {
      name: 'tailscope_run_info',
      type: 'gauge',
      help: 'Run metadata; the value is always 1.',
      samples: [
        {
          labels: {
            ...run,
            target: displayUrl(result.target.url),
            model: result.model,
            engine: result.engine,
            version: result.tool.version,
          },
          value: 1,
        },
      ],
    },
    {
      name: 'tailscope_run_valid',
      type: 'gauge',
      help: '1 when the run measured the target (generator healthy, not interrupted), else 0.',
      samples: [{ labels: run, value: verdict.validity.valid && !verdict.validity.interrupted ? 1 : 0 }],
    },
    {
      name: 'tailscope_run_passed',
      type: 'gauge',
      help: '1 when every evaluated threshold and SLO passed on a valid run, else 0.',
      samples: [{ labels: run, value: verdict.status === 'pass' ? 1 : 0 }],
    },
    {
      name: 'tailscope_run_duration_seconds',
      type: 'gauge',
      help: 'Wall time of the run.',
      samples: [{ labels: run, value: result.durationMs / 1000 }],
    },
    {
      name: 'tailscope_requests_total',
      type: 'counter',
      help: 'Completed requests, successes and failures.',
      samples: [{ labels: run, value: t.requests }],
    },
    {
      name: 'tailscope_request_errors_total',
      type: 'counter',
      help: 'Failed requests by HTTP status or failure kind.',
      samples: errorCategories(t.errorsByKind).map(([category, n]) => ({ labels: { ...run, error: category }, value: n })),
    },
    {
      name: 'tailscope_retries_total',
      type: 'counter',
      help: 'Attempts beyond the first.',
      samples: [{ labels: run, value: t.counters.retries }],
    },
    {
      name: 'tailscope_rate_limited_total',
      type: 'counter',
      help: 'HTTP 429 responses the client waited out.',
      samples: [{ labels: run, value: t.counters.rateLimited }],
    },
    {
      name: 'tailscope_dropped_total',
      type: 'counter',
      help: 'Open model: arrivals not sent on time for lack of a free slot.',
      samples: [{ labels: run, value: t.counters.dropped }],
    },
    {
      name: 'tailscope_throughput_requests_per_second',
      type: 'gauge',
      help: 'Completed requests per second over the run.',
      samples: [{ labels: run, value: t.throughput }],
    },
    {
      name: 'tailscope_error_ratio',
      type: 'gauge',
      help: 'Failed share of completed requests (0..1).',
      samples: [{ labels: run, value: t.errorRate }],
    },
    {
      name: 'tailscope_request_duration_seconds',
      type: 'summary',
      help: 'Request latency over the whole run.',
      samples: summarySamples(t.latency, run),
    },
    {
      name: 'tailscope_request_by_name_duration_seconds',
      type: 'summary',
      help: 'Request latency per request name.',
      samples: Object.values(result.requestsByName).flatMap((r) => summarySamples(r.latency, { ...run, request: r.name })),
    },
  ];
  for (const [metric, help] of [
    ['ttfb', 'Time to first response byte.'],
    ['ttft', 'Stream time to first token.'],
    ['itl', 'Stream inter-token latency.'],
    ['tpot', 'Time per output token.'],
  ] as const) {
    const encoded = result.histograms[metric];
    if (encoded)
      families.push({
        name: `tailscope_${metric}_seconds`,
        type: 'summary',
        help,
        samples: summarySamples(summarize(decodeHistogram(encoded)), run),
      });
  }
  const responseChecks = checkRows(result);
  if (responseChecks.length > 0)
    families.push({
      name: 'tailscope_checks_total',
      type: 'counter',
      help: 'Response checks evaluated, by request, check and result.',
      samples: responseChecks.flatMap((row) =>
        (['pass', 'fail'] as const).map((outcome) => ({
          labels: { ...run, request: row.request, check: row.label, result: outcome },
          value: outcome === 'pass' ? row.passes : row.fails,
        })),
      ),
    });
  const flows = Object.values(result.flows ?? {});
  const jobs = Object.values(result.jobs ?? {});
  families.push(
    {
      name: 'tailscope_flow_iterations_total',
      type: 'counter',
      help: 'Flow iterations by how they ended: completed, failed (at a step) or interrupted (by the run).',
      samples: flows.flatMap((f) =>
        (['completed', 'failed', 'interrupted'] as const).map((outcome) => ({
          labels: { ...run, flow: f.name, outcome },
          value: f[outcome],
        })),
      ),
    },
    {
      name: 'tailscope_flow_duration_seconds',
      type: 'summary',
      help: "Completed flow iterations, first step's send to the end of the last step (think time between steps included).",
      samples: flows.flatMap((f) => summarySamples(f.latency, { ...run, flow: f.name })),
    },
    {
      name: 'tailscope_jobs_total',
      type: 'counter',
      help: 'Async jobs by how they ended: done, failed, expired, lost or interrupted.',
      samples: jobs.flatMap((j) =>
        (['done', 'failed', 'expired', 'lost', 'interrupted'] as const).map((outcome) => ({
          labels: { ...run, step: j.name, outcome },
          value: j[outcome],
        })),
      ),
    },
    {
      name: 'tailscope_job_polls_total',
      type: 'counter',
      help: 'Poll requests sent for async jobs.',
      samples: jobs.filter((j) => j.mode === 'poll').map((j) => ({ labels: { ...run, step: j.name }, value: j.polls })),
    },
    {
      name: 'tailscope_job_completion_seconds',
      type: 'summary',
      help: "Done async jobs, the submitting step's send to the poll that saw them final (or the callback).",
      samples: jobs.flatMap((j) => summarySamples(j.completion, { ...run, step: j.name })),
    },
  );
  const split = analysis.split;
  families.push({
    name: 'tailscope_latency_component_seconds',
    type: 'gauge',
    help: `Network, queue and service time percentiles (split by ${split.method}).`,
    samples: (['network', 'queue', 'service'] as const).flatMap((component) => {
      const part = split[component];
      return part
        ? (['p50', 'p90', 'p99'] as const).map((p) => ({ labels: { ...run, component, percentile: p }, value: part[p] / 1000 }))
        : [];
    }),
  });
  const checks = verdict.checks.filter((c) => c.pass !== null);
  families.push({
    name: 'tailscope_check_passed',
    type: 'gauge',
    help: '1 when a threshold or SLO check passed, 0 when it failed.',
    samples: checks.map((c) => ({ labels: { ...run, check: c.name }, value: c.pass ? 1 : 0 })),
  });
  families.push({
    name: 'tailscope_generator_event_loop_delay_seconds',
    type: 'gauge',
    help: 'Load generator event-loop delay, p99 over the run.',
    samples: [{ labels: run, value: result.health.eventLoopDelayMs.p99 / 1000 }],
  });
  const h = result.health;
  // Each figure under the name of what it measures; one the platform could not measure is left out, not 0.
  if (h.eventLoopUtilization)
    families.push({
      name: 'tailscope_generator_event_loop_utilization_ratio',
      type: 'gauge',
      help: 'Load generator worker event-loop utilization (busy share of the loop, not CPU), max over intervals.',
      samples: [{ labels: run, value: h.eventLoopUtilization.max }],
    });
  if (h.threadCpu)
    families.push({
      name: 'tailscope_generator_thread_cpu_ratio',
      type: 'gauge',
      help: 'Load generator worker thread CPU, max over intervals, share of one core.',
      samples: [{ labels: run, value: h.threadCpu.max }],
    });
  if (h.processCpu) {
    families.push({
      name: 'tailscope_generator_process_cpu_cores',
      type: 'gauge',
      help: `tailscope process CPU (all threads${result.target.mock ? ', the in-process mock included' : ''}), max over intervals, in cores.`,
      samples: [{ labels: run, value: h.processCpu.maxCores }],
    });
    families.push({
      name: 'tailscope_generator_available_cores',
      type: 'gauge',
      help: 'Cores the machine offered the run.',
      samples: [{ labels: run, value: h.processCpu.availableCores }],
    });
  }

  return renderFamilies(families);
}

/** The text exposition of metric families, in order. */
export function renderFamilies(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const family of families) {
    // A family with no samples is left out: HELP/TYPE without a sample confuses some readers.
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples)
      lines.push(`${family.name}${sample.suffix ?? ''}${labelText(sample.labels)} ${formatValue(sample.value)}`);
  }
  return `${lines.join('\n')}\n`;
}
