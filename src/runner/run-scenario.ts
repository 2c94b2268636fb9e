import os from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Scenario } from '../scenario/types.js';
import { DEFAULTS } from '../scenario/defaults.js';
import { loadRows } from '../client/feeders.js';
import { feedersUsed } from '../client/template.js';
import { ScenarioError } from '../scenario/errors.js';
import { buildRunResult } from '../result/build.js';
import type { RunResult } from '../result/types.js';
import { evaluateHealth } from './health.js';
import { coordinate, type IntervalListener } from './coordinator.js';
import type { WorkerInit } from './protocol.js';
import { startTarget, type StartedTarget } from './target.js';
import { probeRtt } from './probe.js';
import { TOOL_VERSION } from '../version.js';

export interface RunOptions {
  /** aborting stops the load; the result of what completed is still returned (interrupted: true) */
  signal?: AbortSignal;
  /** each interval once every local worker has posted it, merged: progress lines and abortOnFail watch */
  onInterval?: IntervalListener;
  /** called once the target is up, with its address (for logs) */
  onTargetReady?: (url: string) => void;
  /** run shard `index` of `count` (0-based): this process drives its share of the curve (see coordinate) */
  shard?: { index: number; count: number };
  /** a start time shared by all shards, epoch ms */
  startAtEpochMs?: number;
}

/** Runs a validated scenario end to end and returns its RunResult. Starts and stops the mock if asked. */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const feeders = await loadFeeders(scenario);
  const target: StartedTarget = await startTarget(scenario.target, scenario.file);
  try {
    options.onTargetReady?.(target.publicUrl === 'mock' ? target.url : target.publicUrl);
    const probe = await probeRtt(target.url);
    const shard = options.shard ?? { index: 0, count: 1 };
    // Shards split the curve as if all their workers were one pool: shard i runs workers
    // i·W … i·W + W − 1 of count·W, so shares add up exactly across machines.
    const init = { ...workerInit(scenario, target.url, feeders), workerCount: shard.count * scenario.workers };
    const startedAt = new Date().toISOString();
    const handle = coordinate(
      init,
      { localWorkers: scenario.workers, firstWorkerIndex: shard.index * scenario.workers, startAtEpochMs: options.startAtEpochMs },
      options.onInterval,
    );
    let interrupted = false;
    const onAbort = () => {
      interrupted = true;
      handle.stop();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const collected = await handle.done.finally(() => options.signal?.removeEventListener('abort', onAbort));

    const whole = [...collected.stages.values()];
    const health = evaluateHealth({
      intervals: collected.intervals,
      workers: scenario.workers,
      model: scenario.load.model,
      scheduleLag: collected.scheduleLag,
      dropped: whole.reduce((sum, s) => sum + s.counters.dropped, 0),
      sent: whole.reduce((sum, s) => sum + s.sent, 0),
      socketErrors: whole.reduce((sum, s) => sum + (s.errors.byKind.socket ?? 0), 0),
      workerErrors: collected.workerErrors,
    });
    const cpus = os.cpus();
    return buildRunResult(
      {
        scenario: { name: scenario.name, file: scenario.file, definition: scenario.redacted },
        model: scenario.load.model,
        engine: scenario.engine,
        target: { url: target.publicUrl, ...(target.mock ? { mock: target.mock } : {}) },
        environment: { node: process.version, platform: process.platform, arch: process.arch, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown' },
        startedAt,
        durationMs: collected.durationMs,
        intervalMs: scenario.intervalMs,
        interrupted,
        serverTiming: {
          source: scenario.serverTiming.header.toLowerCase() === 'server-timing' ? 'server-timing' : 'header',
          header: scenario.serverTiming.header,
          metric: scenario.serverTiming.metric,
        },
        slo: scenario.slo
          ? { p50Ms: scenario.slo.p50, p95Ms: scenario.slo.p95, p99Ms: scenario.slo.p99, errorRate: scenario.slo.errorRate }
          : undefined,
        thresholds: scenario.thresholds.map((t) => t.threshold),
        toolVersion: TOOL_VERSION,
        segments: scenario.load.segments,
        health,
        probe,
        ...(shard.count > 1 ? { shard } : {}),
      },
      collected,
    );
  } finally {
    await target.close();
  }
}

function workerInit(scenario: Scenario, baseUrl: string, feeders: WorkerInit['feeders']): Omit<WorkerInit, 'workerIndex'> {
  const { client } = scenario;
  const oauth2 = scenario.auth?.oauth2;
  return {
    workerCount: scenario.workers,
    baseUrl,
    engine: scenario.engine,
    plan: scenario.load,
    intervalMs: scenario.intervalMs,
    gracefulStopMs: scenario.gracefulStop,
    seed: scenario.target.mock?.seed ?? DEFAULTS.mock.seed,
    requests: scenario.requests.map((r) => ({ ...r })),
    feeders,
    client: {
      keepAlive: client.keepAlive,
      poolSize: client.poolSize,
      maxResponseBytes: client.maxResponseBytes,
      timeouts: { connectMs: client.timeouts.connect, firstByteMs: client.timeouts.firstByte, totalMs: client.timeouts.total, idleMs: client.timeouts.idle },
      retries: {
        max: client.retries.max,
        backoff: client.retries.backoff,
        baseMs: client.retries.base,
        maxBackoffMs: client.retries.maxBackoff,
        jitter: client.retries.jitter,
        respectRetryAfter: client.retries.respectRetryAfter,
        maxRetryAfterMs: client.retries.maxRetryAfter,
        on: client.retries.on,
      },
    },
    auth: scenario.auth
      ? {
          ...(oauth2
            ? {
                oauth2: {
                  tokenUrl: new URL(oauth2.tokenUrl, baseUrl).href,
                  clientId: oauth2.clientId,
                  clientSecret: oauth2.clientSecret,
                  scope: oauth2.scope,
                  clientAuth: oauth2.clientAuth,
                  refreshMarginMs: oauth2.refreshMargin,
                },
              }
            : {}),
          ...(scenario.auth.header ? { header: scenario.auth.header } : {}),
        }
      : undefined,
    serverTiming: scenario.serverTiming,
  };
}

/** Reads every feeder file (relative to the scenario file) and checks that templates name only known ones. */
async function loadFeeders(scenario: Scenario): Promise<WorkerInit['feeders']> {
  const base = scenario.file ? dirname(scenario.file) : process.cwd();
  const problems: { field: string; message: string }[] = [];
  scenario.requests.forEach((request, index) => {
    for (const name of feedersUsed([request.path, request.json ?? null, request.body ?? null])) {
      if (!(name in scenario.data)) problems.push({ field: `requests[${index}]`, message: `uses feeder "${name}", which data does not define` });
    }
  });
  if (problems.length > 0) throw new ScenarioError(scenario.file ?? '<scenario>', problems);
  const feeders: WorkerInit['feeders'] = {};
  for (const [name, feeder] of Object.entries(scenario.data)) {
    const path = isAbsolute(feeder.file) ? feeder.file : resolve(base, feeder.file);
    feeders[name] = { rows: await loadRows(path), order: feeder.order };
  }
  return feeders;
}
