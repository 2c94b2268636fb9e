/**
 * A TCP proxy that delays every chunk in each direction by a one-way delay (plus seeded jitter), to put a
 * network between a client and the mock on a machine without `tc netem`. It never touches the bytes and never
 * reorders them: a chunk leaves at max(previous chunk's release, arrival + delay), as on one TCP stream.
 *
 * What it does not emulate: the TCP handshake completes at the proxy without delay (the client's connect time
 * stays ~0), and there is no bandwidth limit or loss. A request/response exchange gains 2 × the one-way delay.
 */
import net, { type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createRng } from './prng.js';

export interface DelayProxyOptions {
  targetHost: string;
  targetPort: number;
  oneWayDelayMs: number;
  /** Each chunk's delay is oneWayDelayMs + uniform(−jitterMs, +jitterMs), at least 0. */
  jitterMs?: number;
  seed?: number;
  port?: number;
  host?: string;
}

export interface RunningDelayProxy {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Stop reading from a side once this much is waiting on its way, so a fast sender cannot fill the heap. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const LOW_WATER_BYTES = 1024 * 1024;

export async function startDelayProxy(options: DelayProxyOptions): Promise<RunningDelayProxy> {
  const rng = createRng(options.seed ?? 1);
  const jitterMs = options.jitterMs ?? 0;
  const drawDelayMs = (): number =>
    jitterMs > 0 ? Math.max(0, options.oneWayDelayMs + (rng.next() * 2 - 1) * jitterMs) : options.oneWayDelayMs;

  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = net.connect({ host: options.targetHost, port: options.targetPort, allowHalfOpen: true, noDelay: true });
    track(client);
    track(upstream);
    // An error on either side ends the whole connection; without a listener the error would crash the process.
    const destroyBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', destroyBoth);
    upstream.on('error', destroyBoth);
    delayedPipe(client, upstream, drawDelayMs);
    delayedPipe(upstream, client, drawDelayMs);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

interface Pending {
  releaseAtMs: number;
  /** null stands for the sender's FIN, forwarded in order after its data. */
  chunk: Buffer | null;
}

/** Forwards src → dst with each chunk held until its release time. */
function delayedPipe(src: Socket, dst: Socket, drawDelayMs: () => number): void {
  const queue: Pending[] = [];
  let head = 0;
  let lastReleaseMs = 0;
  let queuedBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;

  const enqueue = (chunk: Buffer | null): void => {
    const releaseAtMs = Math.max(lastReleaseMs, performance.now() + drawDelayMs());
    lastReleaseMs = releaseAtMs;
    queue.push({ releaseAtMs, chunk });
    if (chunk) {
      queuedBytes += chunk.length;
      if (queuedBytes + dst.writableLength > HIGH_WATER_BYTES) src.pause();
    }
    schedule();
  };

  const flush = (): void => {
    timer = undefined;
    immediate = undefined;
    const now = performance.now();
    while (head < queue.length && queue[head]!.releaseAtMs <= now) {
      const { chunk } = queue[head++]!;
      if (dst.destroyed) continue;
      if (chunk === null) dst.end();
      else {
        queuedBytes -= chunk.length;
        dst.write(chunk);
      }
    }
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    }
    if (src.isPaused() && queuedBytes + dst.writableLength < LOW_WATER_BYTES) src.resume();
    schedule();
  };

  const schedule = (): void => {
    if (timer || immediate || head >= queue.length) return;
    const waitMs = queue[head]!.releaseAtMs - performance.now();
    // setTimeout has whole-ms resolution against a cached loop time: finish sub-ms waits with setImmediate.
    if (waitMs >= 1) timer = setTimeout(flush, waitMs);
    else immediate = setImmediate(flush);
  };

  src.on('data', (chunk: Buffer) => enqueue(chunk));
  src.on('end', () => enqueue(null));
  dst.on('drain', () => {
    if (src.isPaused() && queuedBytes + dst.writableLength < LOW_WATER_BYTES) src.resume();
  });
}
