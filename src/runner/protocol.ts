import type { LoadPlan, Segment } from '../load/types.js';
import type { MetricSnapshot } from '../metrics/metric-set.js';
import type { AttemptTimeouts } from '../engines/types.js';
import type { RetryPolicy } from '../client/requester.js';
import type { FlowPlan } from '../client/flow-plan.js';
import type { FlowsSnapshot } from '../metrics/flow-set.js';
import type { TlsSettings } from '../engines/tls.js';
import type { CallPolicy } from '../shared/call-policy.js';
import type { GcTally } from '../result/types.js';

/** Everything a worker needs, as plain data (it crosses a thread boundary by structured clone). */
export interface WorkerInit {
  workerIndex: number;
  workerCount: number;
  baseUrl: string;
  /** the HTTP client throughout, or autocannon for fixed-concurrency stretches (and the wire client for ramps) */
  engine: 'wire' | 'node' | 'autocannon';
  plan: LoadPlan;
  intervalMs: number;
  /** in-flight requests may finish this long after the schedule ends; then they are cut as interrupted */
  gracefulStopMs: number;
  /** load sent before time zero at the first stage's level, recorded apart from the run (0: none) */
  warmupMs: number;
  seed: number;
  /** what each user or arrival runs: the scenario's flows, and each of its `requests:` as a one-step flow */
  flows: FlowPlan[];
  /** where `usage: true` reads completion tokens in a plain JSON response */
  usagePath: string;
  feeders: Record<string, { rows: unknown[]; order: 'random' | 'sequential' }>;
  client: {
    keepAlive: boolean;
    poolSize?: number;
    maxResponseBytes: number;
    tls?: TlsSettings;
    timeouts: AttemptTimeouts;
    retries: RetryPolicy;
    /** the live client policy (`client.policy`), when the scenario names one */
    policy?: CallPolicy;
  };
  auth?: {
    oauth2?: {
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string;
      clientAuth: 'body' | 'basic';
      refreshMarginMs: number;
    };
    header?: { name: string; value: string };
  };
  serverTiming: { header: string; metric: string; queueMetric: string };
  /**
   * `tailscope/<version>`, sent unless a request sets its own. Worked out on the main thread: the worker runs
   * from a bundle that cannot find package.json.
   */
  userAgent: string;
  /** secret values to scrub from failure messages (a target may echo them back); tokens are added as issued */
  secrets: string[];
  /**
   * post each interval's attempts also per stage × request name, with requests in flight at its close: what a
   * live view (dashboard, /metrics) labels by. Off by default: it costs a second histogram record per attempt.
   */
  liveDetail?: boolean;
}

/** One stage × request name's share of an interval (WorkerInit.liveDetail); its histograms hold `total` only. */
export interface LiveCell {
  stage: number;
  name: string;
  snapshot: MetricSnapshot;
}

/** What an interval carries for live views besides its merged snapshot. */
export interface LiveIntervalDetail {
  cells: LiveCell[];
  /** requests in flight when the interval was posted */
  inFlight: number;
}

/** Per-interval view of the generator itself, to tell a saturated generator from a slow target. */
export interface WorkerHealthSample {
  /** share of the interval the worker's event loop was busy (0..1) */
  eventLoopUtilization: number;
  /** this thread's CPU over the interval, share of one core; null without a per-thread clock (Node < 23.9) */
  threadCpuShare: number | null;
  /** the whole process's CPU over the interval, in cores (process.cpuUsage is process-wide, from any thread) */
  processCpuCores: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

export type CoordinatorMessage =
  | { type: 'start'; startAtEpochMs: number }
  | { type: 'stop' }
  /**
   * a capacity search decided a probe: the whole curve as it now stands (the running probe cut at an interval
   * boundary ahead, the next probe or the sweep appended); `final`: nothing more will be added
   */
  | { type: 'plan'; segments: Segment[]; final: boolean };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'interval'; index: number; snapshot: MetricSnapshot; health: WorkerHealthSample; live?: LiveIntervalDetail }
  | { type: 'stage'; index: number; snapshot: MetricSnapshot }
  | { type: 'names'; byName: Record<string, MetricSnapshot> }
  /** flows' iterations and async jobs, once at the end (only when the scenario has flows or async steps) */
  | { type: 'flows'; snapshot: FlowsSnapshot }
  /** the warm-up's requests, sent before time zero and kept out of every interval, stage and name */
  | { type: 'warmup'; snapshot: MetricSnapshot; durationMs: number }
  /** gc: this thread's collections from run time 0 to its end */
  | { type: 'done'; scheduleLag: { p50Ms: number; p99Ms: number; maxMs: number }; gc: GcTally }
  | { type: 'fatal'; message: string };
