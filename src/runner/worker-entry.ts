import { parentPort, workerData } from 'node:worker_threads';
import { createRandom } from '../shared/random.js';
import { OAuth2Session } from '../client/oauth2.js';
import { Requester } from '../client/requester.js';
import { rowCursor } from '../client/feeders.js';
import { createEngine } from '../engines/index.js';
import { tlsConnectionOptions } from '../engines/tls.js';
import { RequestPreparer } from '../client/prepare.js';
import { compileResponseRules } from '../client/response-rules.js';
import { Redactor } from '../scenario/redact.js';
import { collectStartUpGarbage } from '../shared/heap.js';
import { WorkerRun } from './worker-run.js';
import type { FixedLoadStretch } from './drivers/fixed-load.js';
import type { CoordinatorMessage, WorkerInit, WorkerMessage } from './protocol.js';

/** The thread side: builds the client from plain data, then waits for the coordinator's start signal. */
function main(): void {
  const port = parentPort;
  if (!port) throw new Error('worker-entry must run in a worker thread');
  const init = workerData as WorkerInit;
  const post = (message: WorkerMessage) => port.postMessage(message);
  // Distinct, reproducible streams per worker: the run's seed plus the worker index.
  const random = createRandom(init.seed * 7919 + init.workerIndex);

  const cursors = new Map<string, () => unknown>();
  for (const [name, feeder] of Object.entries(init.feeders)) {
    cursors.set(name, rowCursor(feeder.rows, feeder.order, init.workerIndex, init.workerCount, random));
  }
  const rows = (feeder: string) => cursors.get(feeder)?.();
  // Servers and their logs can tell the load apart from real traffic; a scenario's own User-Agent wins.
  const staticHeaders: Record<string, string> = { 'user-agent': init.userAgent };
  if (init.auth?.header) staticHeaders[init.auth.header.name.toLowerCase()] = init.auth.header.value;
  // A dropped arrival is named after a flow's first step drawn by the flow's weight, and the warm-up sends first
  // steps the same way: first steps never need a captured value, so they can go out alone. A first step that
  // submits an async job is left out of the warm-up: a warm-up loop would flood the target with jobs.
  const firstSteps = (flows: typeof init.flows) => flows.map((flow) => ({ ...flow.steps[0]!, weight: flow.weight }));
  const preparer = new RequestPreparer(firstSteps(init.flows), rows, random, staticHeaders);
  const warmable = init.flows.filter((flow) => !flow.steps[0]!.poll && !flow.steps[0]!.callback);
  const warmupPreparer =
    warmable.length === init.flows.length
      ? preparer
      : warmable.length > 0
        ? new RequestPreparer(firstSteps(warmable), rows, random, staticHeaders)
        : null;

  const peakConcurrency = Math.max(...init.plan.segments.map((s) => Math.max(s.from, s.to)), init.plan.search?.to ?? 1, 1);
  // A policy that hedges or cuts attempts on its own leaves abandoned attempts holding sockets (engines have no
  // per-request abort): twice the sockets, so a hedge or a retry does not queue behind them.
  const abandons =
    init.client.policy?.hedge !== undefined ||
    init.client.policy?.adaptiveTimeout !== undefined ||
    init.client.policy?.loadLevelTimeouts !== undefined;
  const poolSize =
    init.client.poolSize ??
    (init.plan.model === 'closed' ? Math.ceil(peakConcurrency / init.workerCount) : Math.ceil(init.plan.maxInFlight / init.workerCount)) *
      (abandons ? 2 : 1);
  // One secure context per worker, shared by every connection and the token endpoint.
  const tls = init.client.tls && tlsConnectionOptions(init.client.tls);
  const engine = createEngine(init.engine, {
    baseUrl: new URL(init.baseUrl),
    keepAlive: init.client.keepAlive,
    poolSize,
    maxResponseBytes: init.client.maxResponseBytes,
    timeouts: init.client.timeouts,
    serverTiming: init.serverTiming,
    ...(tls ? { tls } : {}),
  });

  // eslint-disable-next-line prefer-const -- declared before the session whose callback records into it
  let run: WorkerRun | undefined;
  const oauth2 = init.auth?.oauth2;
  const session = oauth2
    ? new OAuth2Session({ ...oauth2, tokenUrl: new URL(oauth2.tokenUrl), userAgent: init.userAgent, tls }, (latencyUs) =>
        run?.recorder.tokenRequest(latencyUs),
      )
    : undefined;
  const successStatuses = new Map(
    init.flows.flatMap((flow) =>
      flow.steps.flatMap((step) => [
        [step.name, new Set(step.expectStatus ?? [])] as const,
        ...(step.poll ? [[step.poll.request.name, new Set(step.poll.request.expectStatus ?? [])] as const] : []),
      ]),
    ),
  );
  const isSuccess = (request: { name: string }, status: number) =>
    (status >= 200 && status < 300) || (successStatuses.get(request.name)?.has(status) ?? false);

  // An engine that runs stretches of fixed concurrency on its own sends the same authorised request throughout.
  const driveFixedLoad = engine.driveFixedLoad?.bind(engine);
  const fixedLoad: FixedLoadStretch | undefined = driveFixedLoad
    ? async (connections, durationMs, hooks, stop) => {
        const prepared = preparer.next();
        const headers = { ...prepared.headers };
        if (session) headers.authorization = `Bearer ${await session.token()}`;
        const stretch = {
          request: { ...prepared, headers },
          connections,
          durationMs,
          isSuccess: (status: number) => isSuccess(prepared, status),
        };
        await driveFixedLoad(stretch, hooks, stop);
      }
    : undefined;
  run = new WorkerRun(init, engine, preparer, post, random, fixedLoad);
  run.warmupPreparer = warmupPreparer;
  // Failure messages may quote what the target echoed: scrub the run's secrets and the current token.
  const redactor = new Redactor(init.secrets);
  run.redact = (text) => redactor.scrub(text, [session?.currentToken()]);
  // Checks and usage by request name: every request is a step of some flow (a `requests:` item a one-step one).
  const responseRules = compileResponseRules(
    init.flows.flatMap((flow) => flow.steps),
    init.usagePath,
  );
  const requester = new Requester(engine, session, init.client.retries, isSuccess, run, random, init.client.policy, responseRules);
  const warmupRequester = new Requester(engine, session, init.client.retries, isSuccess, run.warmup, random, undefined, responseRules);

  port.on('message', (message: CoordinatorMessage) => {
    if (message.type === 'start') {
      run
        .run(message.startAtEpochMs, requester, warmupRequester)
        .catch((error: unknown) => post({ type: 'fatal', message: (error as Error).stack ?? String(error) }))
        .finally(() => port.close());
    } else if (message.type === 'stop') {
      run.stop();
    } else if (message.type === 'plan') {
      run.updatePlan(message.segments, message.final);
    }
  });
  // Connections opened before time zero, when the engine can (and the scenario warms up at all).
  const warmedUp = init.warmupMs > 0 && engine.warmUp ? engine.warmUp(poolSize).catch(() => undefined) : Promise.resolve();
  // A library the engine loads on first use is loaded now; a failed load surfaces where the engine uses it.
  const prepared = engine.prepare?.().catch(() => undefined) ?? Promise.resolve();
  // Ready once connected and loaded, with the start-up garbage collected while nothing is in flight.
  void Promise.all([warmedUp, prepared]).then(() => {
    collectStartUpGarbage();
    post({ type: 'ready' });
  });
}

main();
