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
import { loadLivePolicy } from './policy-files.js';
import type { LivePolicy } from '../scenario/policy-file.js';
import { tlsConnectionOptions, type TlsSettings } from '../engines/tls.js';
import { resolveUnderBase } from '../shared/url-path.js';
import type { GeneratorHealth, SearchProbe, SearchRecord } from '../result/types.js';
import type { SearchConclusion } from '../load/search.js';
import type { Segment } from '../load/types.js';
import { SearchConductor } from './search/conductor.js';
import { flowPlansOf } from './flow-plans.js';

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
  /** called before any load with each TLS problem the preflight met (the run goes on and counts them) */
  onTlsProblem?: (reason: string) => void;
  /** called when the workers are told to start: from here on a stop returns what ran */
  onLoadStarted?: () => void;
  /** run shard `index` of `count` (0-based): this process drives its share of the curve (see coordinate) */
  shard?: { index: number; count: number };
  /** a start time shared by all shards, epoch ms */
  startAtEpochMs?: number;
  /** a capacity search (load.search): each probe as it is decided */
  onProbe?: (probe: SearchProbe) => void;
  /** a capacity search changed its curve (and at the start): the stages as now planned, for progress lines */
  onPlan?: (segments: readonly Segment[]) => void;
  /** a capacity search concluded; the sweep, if any, runs next */
  onSearchConclusion?: (conclusion: SearchConclusion) => void;
  /** hand onInterval each interval's live detail too (per stage × request name, in flight, generator health) */
  liveDetail?: boolean;
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
  const policy = await loadLivePolicy(scenario);
  throwIfStopped(signal);
  const target: StartedTarget = await startTarget(scenario.target, scenario.file);
  try {
    throwIfStopped(signal);
    // One resolve + connect (+ TLS handshake) per origin before any load: a target that is not there fails now,
    // with its OS error, rather than as seconds of refused connections.
    const oauth2 = scenario.auth?.oauth2;
    const tlsProblems = await preflight(
      [target.url, ...(oauth2 ? [resolveUnderBase(oauth2.tokenUrl, target.url).href] : [])],
      Math.min(scenario.client.timeouts.connect, PREFLIGHT_TIMEOUT_MS),
      tls && tlsConnectionOptions(tls),
      signal,
    );
    options.onTargetReady?.(target.publicUrl === 'mock' ? target.url : target.publicUrl);
    for (const problem of tlsProblems) options.onTlsProblem?.(problem);
    const probe = await probeRtt(target.url, { signal });
    throwIfStopped(signal);
    const shard = options.shard ?? { index: 0, count: 1 };
    // Shards split the curve as if all their workers were one pool: shard i runs workers
    // i·W … i·W + W − 1 of count·W, so shares add up exactly across machines.
    const init = {
      ...workerInit(scenario, target.url, feeders, tls, policy),
      workerCount: shard.count * scenario.workers,
      ...(options.liveDetail ? { liveDetail: true } : {}),
    };
    // A capacity search plans one probe at a time from the numbers of the one before: the workers start with
    // the first probe and are sent the rest as the coordinator decides.
    const conductor = scenario.load.search
      ? new SearchConductor({
          settings: scenario.load.search,
          model: scenario.load.model,
          slo: { p99Ms: scenario.slo?.p99, errorRate: scenario.slo?.errorRate },
          intervalMs: scenario.intervalMs,
          onProbe: options.onProbe,
          onConclusion: options.onSearchConclusion,
        })
      : undefined;
    if (conductor) {
      const { segments } = conductor.plan;
      init.plan = { ...init.plan, segments, durationMs: segments.at(-1)!.endMs };
      options.onPlan?.(segments);
    }
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
      (index, merged, health, live) => {
        options.onInterval?.(index, merged, health, live);
        // An interval reported after the workers exited cannot stop or steer anything any more.
        if (live?.afterEnd) return;
        const update = conductor?.onInterval(index, merged, health, handle.runTime());
        if (update) {
          handle.updatePlan(update.segments, update.final);
          options.onPlan?.(update.segments);
        }
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
    const segments = conductor ? stagesRun(conductor.plan.segments, collected.durationMs) : scenario.load.segments;
    const search = conductor?.record;
    const judged = evaluateHealth({
      intervals: collected.intervals,
      workers: scenario.workers,
      model: scenario.load.model,
      scheduleLag: collected.scheduleLag,
      gc: collected.gc,
      dropped: whole.reduce((sum, s) => sum + s.counters.dropped, 0),
      sent: whole.reduce((sum, s) => sum + s.sent, 0),
      socketErrors: whole.reduce((sum, s) => sum + (s.errors.byKind.socket ?? 0), 0),
      workerErrors: collected.workerErrors,
      availableCores: os.availableParallelism(),
      targetInProcess: Boolean(target.mock),
      unreachable,
    });
    const health = generatorBoundSearch(judged, conductor?.record);
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
          segments,
          health,
          ...(search ? { search: { ...search, sweepStages: search.sweepStages.filter((i) => i < segments.length) } } : {}),
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

/**
 * A search that stopped because the generator could not drive a probe measured the generator's ceiling, not the
 * target's: the run is not a valid capacity measurement, whatever the other health rules saw.
 */
function generatorBoundSearch(health: GeneratorHealth, search: SearchRecord | undefined): GeneratorHealth {
  const conclusion = search?.conclusion;
  if (conclusion?.kind !== 'generator') return health;
  const probe = search!.probes[search!.probes.length - 1];
  const reason = `the capacity search stopped at load ${conclusion.load}: the generator could not drive it (${probe?.reason ?? 'generator-bound'}); the ceiling found is the generator's, not the target's`;
  return { ...health, valid: false, reasons: [...health.reasons, reason] };
}

/**
 * The stages a search actually ran: a stop (Ctrl-C) leaves the running probe at its planned length and the sweep
 * unstarted, so stages that never began are dropped and the last one ends with the run.
 */
function stagesRun(planned: readonly Segment[], durationMs: number): Segment[] {
  const ran = planned.filter((s, i) => i === 0 || s.startMs < durationMs).map((s) => ({ ...s }));
  const last = ran[ran.length - 1]!;
  last.endMs = Math.max(last.startMs + 1, Math.min(last.endMs, durationMs));
  return ran;
}

function workerInit(
  scenario: Scenario,
  baseUrl: string,
  feeders: WorkerInit['feeders'],
  tls: TlsSettings | undefined,
  policy: LivePolicy | undefined,
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
    flows: flowPlansOf(scenario, baseUrl),
    usagePath: DEFAULTS.usagePath,
    feeders,
    client: {
      keepAlive: client.keepAlive,
      poolSize: client.poolSize,
      maxResponseBytes: client.maxResponseBytes,
      ...(tls ? { tls } : {}),
      // A client policy's static timeouts and retries replace the scenario's; Retry-After handling stays.
      timeouts: {
        connectMs: client.timeouts.connect,
        firstByteMs: client.timeouts.firstByte,
        totalMs: client.timeouts.total,
        idleMs: client.timeouts.idle,
        ...policy?.timeouts,
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
        ...policy?.retries,
      },
      ...(policy && { policy: policy.callPolicy }),
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
