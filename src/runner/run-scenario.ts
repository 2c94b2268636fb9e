import os from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Scenario } from '../scenario/types.js';
import { DEFAULTS } from '../scenario/defaults.js';
import { loadRows } from '../client/feeders.js';
import { scenarioProblem } from '../scenario/errors.js';
import { Redactor } from '../scenario/redact.js';
import { buildRunResult } from '../result/build.js';
import type { RunResult } from '../result/types.js';
import { evaluateHealth } from './health.js';
import { coordinate, type IntervalListener } from './coordinator.js';
import type { WorkerInit } from './protocol.js';
import { checkMockProfile, startTarget, type StartedTarget } from './target.js';
import { probeRtt } from './probe.js';
import { preflight } from './preflight.js';
import { createUnreachableWatch, type Unreachable } from './unreachable.js';
import { throwIfStopped } from './interrupted.js';
import { TOOL_VERSION } from '../version.js';
import { loadTlsSettings } from './tls-files.js';
import { tlsConnectionOptions, type TlsSettings } from '../engines/tls.js';
import { basePathOf, joinPath, resolveUnderBase } from '../shared/url-path.js';

/** The preflight waits at most this long for a connection (or the scenario's connect timeout, if shorter). */
const PREFLIGHT_TIMEOUT_MS = 5_000;

export interface RunOptions {
  /**
   * aborting stops the load; the result of what completed is still returned (interrupted: true). Aborted before
   * the workers were told to start, the run rejects with StoppedBeforeLoadError instead: nothing was sent.
   */
  signal?: AbortSignal;
  /** each interval once every local worker has posted it, merged: progress lines and abortOnFail watch */
  onInterval?: IntervalListener;
  /** called once the target is up, with its address (for logs) */
  onTargetReady?: (url: string) => void;
  /** called when the workers are told to start: from here on a stop returns what ran */
  onLoadStarted?: () => void;
  /** run shard `index` of `count` (0-based): this process drives its share of the curve (see coordinate) */
  shard?: { index: number; count: number };
  /** a start time shared by all shards, epoch ms */
  startAtEpochMs?: number;
  /** instead of startAtEpochMs: asked for the start time once this process's workers are ready (see coordinate) */
  startGate?: () => Promise<number>;
}

/** Runs a validated scenario end to end and returns its RunResult. Starts and stops the mock if asked. */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  // A stop during start-up is looked at after every step; the steps that can wait on the network end at once.
  const { signal } = options;
  throwIfStopped(signal);
  await checkMockProfile(scenario);
  const feeders = await loadFeeders(scenario);
  const tls = await loadTlsSettings(scenario);
  throwIfStopped(signal);
  const target: StartedTarget = await startTarget(scenario.target, scenario.file);
  try {
    throwIfStopped(signal);
    // One resolve + connect (+ TLS handshake) per origin before any load: a target that is not there fails now,
    // with its OS error, rather than as seconds of refused connections.
    const oauth2 = scenario.auth?.oauth2;
    await preflight(
      [target.url, ...(oauth2 ? [resolveUnderBase(oauth2.tokenUrl, target.url).href] : [])],
      Math.min(scenario.client.timeouts.connect, PREFLIGHT_TIMEOUT_MS),
      tls && tlsConnectionOptions(tls),
      signal,
    );
    options.onTargetReady?.(target.publicUrl === 'mock' ? target.url : target.publicUrl);
    const probe = await probeRtt(target.url, { signal });
    throwIfStopped(signal);
    const shard = options.shard ?? { index: 0, count: 1 };
    // Shards split the curve as if all their workers were one pool: shard i runs workers
    // i·W … i·W + W − 1 of count·W, so shares add up exactly across machines.
    const init = { ...workerInit(scenario, target.url, feeders, tls), workerCount: shard.count * scenario.workers };
    const startedAt = new Date().toISOString();
    const unreachableWatch = createUnreachableWatch(scenario.intervalMs);
    let unreachable: Unreachable | undefined;
    const handle = coordinate(
      init,
      {
        localWorkers: scenario.workers,
        firstWorkerIndex: shard.index * scenario.workers,
        startAtEpochMs: options.startAtEpochMs,
        startGate: options.startGate,
        onStart: options.onLoadStarted,
      },
      (index, merged) => {
        options.onInterval?.(index, merged);
        const gone = unreachable ? undefined : unreachableWatch.onInterval(merged);
        if (gone) {
          unreachable = gone;
          handle.stop();
        }
      },
    );
    let interrupted = false;
    const onAbort = () => {
      interrupted = true;
      handle.stop(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const collected = await handle.done.finally(() => signal?.removeEventListener('abort', onAbort));

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
      availableCores: os.availableParallelism(),
      targetInProcess: Boolean(target.mock),
      unreachable,
    });
    const cpus = os.cpus();
    // Secrets are scrubbed by value from everything the result carries (messages a target echoed included),
    // so every output made from it, now or later by `tailscope report`, is clean.
    return new Redactor(scenario.secretValues).scrubJson(
      buildRunResult(
        {
          scenario: {
            name: scenario.name,
            file: scenario.file,
            definition: scenario.redacted,
            ...(scenario.overrides ? { overrides: scenario.overrides } : {}),
          },
          model: scenario.load.model,
          engine: scenario.engine,
          target: { url: target.publicUrl, ...(target.mock ? { mock: target.mock } : {}) },
          ...(scenario.client.tls ? { tls: { insecure: scenario.client.tls.insecure } } : {}),
          environment: {
            node: process.version,
            platform: process.platform,
            arch: process.arch,
            cpus: cpus.length,
            cpuModel: cpus[0]?.model ?? 'unknown',
          },
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
      ),
    );
  } finally {
    await target.close();
  }
}

function workerInit(
  scenario: Scenario,
  baseUrl: string,
  feeders: WorkerInit['feeders'],
  tls: TlsSettings | undefined,
): Omit<WorkerInit, 'workerIndex'> {
  const { client } = scenario;
  const oauth2 = scenario.auth?.oauth2;
  return {
    workerCount: scenario.workers,
    baseUrl,
    engine: scenario.engine,
    plan: scenario.load,
    intervalMs: scenario.intervalMs,
    gracefulStopMs: scenario.gracefulStop,
    warmupMs: scenario.warmupMs,
    seed: scenario.target.mock?.seed ?? DEFAULTS.mock.seed,
    // Paths are joined under the target's base path once, here: every engine then sends them as they are.
    requests: scenario.requests.map((r) => ({ ...r, path: joinPath(basePathOf(baseUrl), r.path) })),
    feeders,
    client: {
      keepAlive: client.keepAlive,
      poolSize: client.poolSize,
      maxResponseBytes: client.maxResponseBytes,
      ...(tls ? { tls } : {}),
      timeouts: {
        connectMs: client.timeouts.connect,
        firstByteMs: client.timeouts.firstByte,
        totalMs: client.timeouts.total,
        idleMs: client.timeouts.idle,
      },
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
    auth: authOf(scenario)
      ? {
          ...(oauth2
            ? {
                oauth2: {
                  tokenUrl: resolveUnderBase(oauth2.tokenUrl, baseUrl).href,
                  clientId: oauth2.clientId,
                  clientSecret: oauth2.clientSecret,
                  scope: oauth2.scope,
                  clientAuth: oauth2.clientAuth,
                  refreshMarginMs: oauth2.refreshMargin,
                },
              }
            : {}),
          ...(authOf(scenario)!.header ? { header: authOf(scenario)!.header } : {}),
        }
      : undefined,
    serverTiming: scenario.serverTiming,
    userAgent: `tailscope/${TOOL_VERSION}`,
    secrets: scenario.secretValues,
  };
}

/**
 * Credentials in target.url (`https://user:password@host`) are sent as HTTP Basic, as curl and browsers do,
 * rather than silently dropped; a scenario with its own auth keeps that.
 */
function authOf(scenario: Scenario): Scenario['auth'] {
  if (scenario.auth || !scenario.target.url) return scenario.auth;
  const url = new URL(scenario.target.url);
  if (url.username === '' && url.password === '') return undefined;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { header: { name: 'authorization', value: `Basic ${Buffer.from(credentials).toString('base64')}` } };
}

/**
 * Reads every feeder file (relative to the scenario file); templates naming unknown feeders were refused when
 * the scenario was read. A file that cannot be read is reported at the scenario line that names it.
 */
async function loadFeeders(scenario: Scenario): Promise<WorkerInit['feeders']> {
  const base = scenario.file ? dirname(scenario.file) : process.cwd();
  const feeders: WorkerInit['feeders'] = {};
  for (const [name, feeder] of Object.entries(scenario.data)) {
    const path = isAbsolute(feeder.file) ? feeder.file : resolve(base, feeder.file);
    try {
      feeders[name] = { rows: await loadRows(path), order: feeder.order };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EACCES') throw error;
      throw scenarioProblem(scenario, ['data', name, 'file'], `cannot read ${path} (${code})`);
    }
  }
  return feeders;
}
