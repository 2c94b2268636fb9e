import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** A callback as it arrived: when its body was complete (performance.now() ms), and the body. */
export interface CallbackArrival {
  atMs: number;
  body: Buffer;
}

/** One job's expected callback: the URL to hand the target, and the arrival once it comes. */
export interface ExpectedCallback {
  url: string;
  arrived: Promise<CallbackArrival>;
  /** forget the job (it expired or the run stopped): a late callback then gets 404 */
  cancel(): void;
}

const PATH_PREFIX = '/tailscope/callbacks/';

/**
 * The receiver of async jobs' callbacks: one HTTP server per worker on loopback (port 0), one unguessable URL per
 * job. It answers 204 to a callback it expects and 404 to anything else; a body past `maxBodyBytes` gets 413 and
 * the connection is closed, as a response past client.maxResponseBytes would be.
 */
export class CallbackReceiver {
  private readonly waiting = new Map<string, (arrival: CallbackArrival) => void>();
  private sequence = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly origin: string,
    private readonly prefix: string,
    private readonly maxBodyBytes: number,
  ) {
    server.on('request', (req, res) => this.receive(req, res));
  }

  static async start(maxBodyBytes: number, random: () => number): Promise<CallbackReceiver> {
    const server = http.createServer({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    // A per-worker prefix nobody can guess, so a stray or replayed request cannot complete another job.
    const prefix = Math.floor(random() * 2 ** 48).toString(36);
    return new CallbackReceiver(server, `http://127.0.0.1:${port}`, prefix, maxBodyBytes);
  }

  expect(): ExpectedCallback {
    const id = `${this.prefix}-${(this.sequence += 1).toString(36)}`;
    let resolveArrival!: (arrival: CallbackArrival) => void;
    const arrived = new Promise<CallbackArrival>((resolve) => (resolveArrival = resolve));
    this.waiting.set(id, resolveArrival);
    return { url: `${this.origin}${PATH_PREFIX}${id}`, arrived, cancel: () => void this.waiting.delete(id) };
  }

  /** jobs still waiting for their callback */
  get pending(): number {
    return this.waiting.size;
  }

  async close(): Promise<void> {
    this.waiting.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(req: http.IncomingMessage, res: http.ServerResponse): void {
    const id = req.url?.startsWith(PATH_PREFIX) ? req.url.slice(PATH_PREFIX.length) : undefined;
    const resolve = id === undefined ? undefined : this.waiting.get(id);
    if (!resolve || req.method !== 'POST') {
      res.writeHead(404).end();
      req.resume();
      return;
    }
    const parts: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > this.maxBodyBytes) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => {
      if (bytes > this.maxBodyBytes) return;
      const atMs = performance.now();
      this.waiting.delete(id!);
      res.writeHead(204).end();
      resolve({ atMs, body: Buffer.concat(parts) });
    });
    req.on('error', () => undefined);
  }
}
