/**
 * The HTTP server: wires the context, the route table, WebSocket upgrades and shutdown. Settings here are for
 * holding thousands of keep-alive connections from a load generator, not for the open internet.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TokenStore } from './auth.js';
import { nowMs } from './clock.js';
import type { MockContext, Work } from './context.js';
import { Exchange, NO_TIME_SPENT } from './http.js';
import { JobStore } from './jobs.js';
import { createRng, deriveSeed } from './prng.js';
import type { ResolvedProfile } from './profile-schema.js';
import { SlotQueue } from './queue.js';
import { compileRuntime } from './runtime.js';
import { StatsRecorder, type MockStats } from './stats.js';
import { EXACT_ROUTES, JOB_ROUTE, JOBS_PREFIX, STREAM_ROUTE } from './routes/table.js';
import { createStreamUpgrade, STREAM_PATH } from './routes/ws.js';

export interface ServerHandle {
  host: string;
  port: number;
  close(): Promise<void>;
  stats(): MockStats;
  resetStats(): void;
  applyProfile(profile: ResolvedProfile): void;
}

const DEFAULT_SEED = 1;

/** Idle keep-alive connections live this long; ≥ 5 s so a load generator's pool is not churned between requests. */
const KEEP_ALIVE_TIMEOUT_MS = 10_000;
/** Must exceed the keep-alive timeout, or Node may cut a connection that is just starting its next request. */
const HEADERS_TIMEOUT_MS = 15_000;

export async function listen(profile: ResolvedProfile, options: { host: string; port: number; seed?: number }): Promise<ServerHandle> {
  const seed = options.seed ?? profile.seed ?? DEFAULT_SEED;
  let idCounter = 0;
  const startedAtMs = nowMs();
  const ctx: MockContext = {
    runtime: compileRuntime(profile),
    tokens: new TokenStore(),
    queue: new SlotQueue<Work>(profile.capacity, dispatchBatch),
    stats: new StatsRecorder(nowMs, () => ({ inFlight: ctx.inFlight, queueLength: ctx.queue.waiting, busySlots: ctx.queue.busy })),
    jobs: new JobStore(),
    latencyRng: createRng(deriveSeed(seed, 0)),
    faultRng: createRng(deriveSeed(seed, 1)),
    textRng: createRng(deriveSeed(seed, 2)),
    startedAtMs,
    inFlight: 0,
    nextId: (prefix) => `${prefix}_${(++idCounter).toString(36)}`,
    applyProfile(next) {
      ctx.runtime = compileRuntime(next);
      ctx.queue.setCapacity(next.capacity);
    },
  };

  function dispatchBatch(batch: Work[]): void {
    const startMs = nowMs();
    if (batch.length === 1) {
      const work = batch[0]!;
      work.start(startMs - work.enqueuedAtMs, work.drawServiceMs(), () => ctx.queue.release());
      return;
    }
    // A batch takes as long as its longest member; the slot frees when every member is done.
    let serviceMs = 0;
    for (const work of batch) serviceMs = Math.max(serviceMs, work.drawServiceMs());
    let pending = batch.length;
    const memberDone = (): void => {
      if (--pending === 0) ctx.queue.release();
    };
    for (const work of batch) work.start(startMs - work.enqueuedAtMs, serviceMs, memberDone);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const startMs = nowMs();
    ctx.inFlight++;
    res.once('close', () => ctx.inFlight--);
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const route = EXACT_ROUTES.get(path) ?? (path.startsWith(JOBS_PREFIX) ? JOB_ROUTE : path === STREAM_PATH ? STREAM_ROUTE : undefined);
    if (!route) {
      new Exchange(ctx, req, res, 'unmatched', startMs).error(404, 'not_found', `no route for ${path}`);
      return;
    }
    const ex = new Exchange(ctx, req, res, route.label, startMs);
    const handler = route.methods[req.method ?? 'GET'];
    if (!handler) {
      ex.error(405, 'method_not_allowed', `${req.method} is not allowed on ${path}`, { allow: route.allow || 'GET (WebSocket upgrade)' });
      return;
    }
    handler(ex);
  };

  const server = http.createServer(
    {
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      headersTimeout: HEADERS_TIMEOUT_MS,
      // Hung requests are a feature here; the client decides when to give up, not Node's 300 s default.
      requestTimeout: 0,
      noDelay: true,
    },
    onRequest,
  );
  // Load generators open thousands of connections; Node's default 2,000 requests per socket would churn them.
  server.maxRequestsPerSocket = 0;

  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Garbage from a client: answer 400 if the socket can still take it, then drop it; the server carries on.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (socket.writable && error.code !== 'ECONNRESET') {
      const [status, body] =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? ['431 Request Header Fields Too Large', '{"error":"headers_too_large"}']
          : ['400 Bad Request', '{"error":"bad_request"}'];
      ctx.stats.countResponse('unmatched', Number(status.slice(0, 3)));
      // end(), not destroy(): destroying now could drop the answer before it is flushed.
      socket.end(
        `HTTP/1.1 ${status}\r\nconnection: close\r\n${NO_TIME_SPENT}content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    socket.destroy();
  });

  const upgrade = createStreamUpgrade(ctx);
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => upgrade.handleUpgrade(req, socket, head));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep backlog: a load test opening 5,000 connections at once should not see SYN drops at the start.
    server.listen({ host: options.host, port: options.port, backlog: 8192 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    stats: () => ctx.stats.snapshot(),
    resetStats: () => ctx.stats.reset(),
    applyProfile: (next) => ctx.applyProfile(next),
    close() {
      closing ??= new Promise<void>((resolve) => {
        ctx.queue.clear();
        upgrade.terminateAll();
        server.close(() => resolve());
        // Destroy rather than wait: hung and slow responses never finish on their own.
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
