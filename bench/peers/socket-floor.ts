/**
 * The socket-level floor: what a Node client can read on this machine when nothing stands between it and the
 * socket. Each connection is a plain `net.Socket` in a closed loop: write the request bytes (encoded once),
 * scan the response for its end (Content-Length or chunked, 1xx skipped), stamp both ends with
 * `performance.now()`, record into the same HDR histogram tailscope uses and read its percentiles the same way.
 * It has no timeouts, no phases and no per-request objects: the figure a real client can approach, not beat.
 *
 *   node --no-memory-reducer --expose-gc --import tsx bench/peers/socket-floor.ts http://127.0.0.1:8080/fixed20 \
 *     --connections 4 --duration 10 [--warmup 2] [--method POST --json '{"a":1}' --token T] [--thread]
 *
 * `--no-memory-reducer --expose-gc` are the heap settings tailscope's load threads run with. tailscope sends from a worker
 * thread running built JavaScript; with `--thread` the loop runs in a worker thread too, which needs this file
 * built to JavaScript first (bench/lib/tools.ts bundles it with esbuild, as tailscope bundles its load thread's
 * entry): the floor and tailscope then differ in their client code only.
 *
 * Prints one JSON line: { rps, requests, errors, p50Ms, p90Ms, p99Ms, p999Ms } over the measured span (after
 * the warm-up), and warmupRequests, the requests answered before it. Loopback or any plain-http target; no TLS.
 */
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { collectStartUpGarbage } from '../../src/shared/heap.js';
import { createHistogram, recordUs, type Histogram } from '../../src/shared/histogram.js';
import { summarize } from '../../src/shared/latency-summary.js';

const HEAD = 0;
const LENGTH_BODY = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const TRAILER = 4;

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** A response head past this is a protocol error here: nginx's are ~150 bytes. */
const MAX_HEAD_BYTES = 64 * 1024;

interface Clock {
  /** performance.now() at which recording starts (the end of the warm-up) */
  measureFromMs: number;
  /** performance.now() after which no new request is sent */
  stopAtMs: number;
}

interface Tally {
  histogram: Histogram;
  errors: number;
  /** requests answered in the warm-up, kept out of the figures */
  warmupRequests: number;
}

class ProtocolError extends Error {
  readonly code = 'SOCKET_FLOOR_PROTOCOL';
}

/** One keep-alive connection driving requests back to back until the clock says stop. */
class Connection {
  private socket: Socket | undefined;
  private pending: Buffer | undefined;
  private state = HEAD;
  private remaining = 0;
  private status = 0;
  private sentAtMs = 0;
  private done: () => void = () => {};

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly request: Buffer,
    private readonly clock: Clock,
    private readonly tally: Tally,
  ) {}

  run(): Promise<void> {
    return new Promise((resolve) => {
      this.done = resolve;
      this.open();
    });
  }

  private open(): void {
    this.pending = undefined;
    this.state = HEAD;
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    socket.on('connect', () => this.send());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      // A close outside the measured span (or after the last response) is the end, not an error.
      if (performance.now() >= this.clock.stopAtMs) return this.done();
      if (this.sentAtMs >= this.clock.measureFromMs) this.tally.errors++;
      // Bounded: the clock above ends the loop; the pause keeps a refusing server from spinning it.
      setTimeout(() => this.open(), 10);
    });
  }

  private send(): void {
    if (performance.now() >= this.clock.stopAtMs) {
      const socket = this.socket;
      this.socket = undefined;
      socket?.destroy();
      this.done();
      return;
    }
    this.sentAtMs = performance.now();
    this.socket!.write(this.request);
  }

  private complete(): void {
    const nowMs = performance.now();
    if (this.sentAtMs >= this.clock.measureFromMs) {
      recordUs(this.tally.histogram, (nowMs - this.sentAtMs) * 1000);
      if (this.status < 200 || this.status > 399) this.tally.errors++;
    } else this.tally.warmupRequests++;
    this.state = HEAD;
    this.send();
  }

  private fail(): void {
    if (this.sentAtMs >= this.clock.measureFromMs) this.tally.errors++;
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    if (performance.now() >= this.clock.stopAtMs) return this.done();
    setTimeout(() => this.open(), 10);
  }

  private onData(chunk: Buffer): void {
    try {
      this.parse(chunk);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.fail();
    }
  }

  private parse(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let i = 0;
    while (i < buf.length && this.socket) {
      switch (this.state) {
        case HEAD: {
          const end = buf.indexOf(HEAD_END, i);
          if (end < 0) {
            if (buf.length - i > MAX_HEAD_BYTES) throw new ProtocolError('response head too large');
            this.pending = buf.subarray(i);
            return;
          }
          const head = buf.toString('latin1', i, end);
          i = end + 4;
          this.readHead(head);
          break;
        }
        case LENGTH_BODY:
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, buf.length - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            if (this.state === LENGTH_BODY) this.complete();
            else this.state = CHUNK_SIZE;
          }
          break;
        }
        case CHUNK_SIZE: {
          const end = buf.indexOf(CRLF, i);
          if (end < 0) {
            this.pending = buf.subarray(i);
            return;
          }
          const line = buf.toString('latin1', i, end);
          const size = Number.parseInt(line, 16);
          if (!/^[0-9a-fA-F]+(;.*)?$/.test(line) || !Number.isFinite(size))
            throw new ProtocolError(`bad chunk size ${JSON.stringify(line)}`);
          i = end + 2;
          if (size === 0) this.state = TRAILER;
          else {
            this.state = CHUNK_DATA;
            this.remaining = size + 2; // the data and its CRLF
          }
          break;
        }
        case TRAILER: {
          const end = buf.indexOf(CRLF, i);
          if (end < 0) {
            this.pending = buf.subarray(i);
            return;
          }
          const empty = end === i;
          i = end + 2;
          if (empty) this.complete();
          break;
        }
      }
    }
  }

  /** Status and framing from the head; a 1xx is skipped and the real head awaited. */
  private readHead(head: string): void {
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (!status) throw new ProtocolError('bad status line');
    this.status = Number(status[1]);
    if (this.status >= 100 && this.status < 200) return;
    const lower = head.toLowerCase();
    if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) {
      this.state = CHUNK_SIZE;
      return;
    }
    const length = /\r\ncontent-length:\s*(\d+)/.exec(lower);
    if (length) {
      this.remaining = Number(length[1]);
      if (this.remaining === 0) this.complete();
      else this.state = LENGTH_BODY;
      return;
    }
    if (this.status === 204 || this.status === 304) return this.complete();
    throw new ProtocolError('close-delimited bodies are not supported');
  }
}

function encodeRequest(url: URL, method: string, json: string | undefined, token: string | undefined): Buffer {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'User-Agent: socket-floor', 'Accept: */*'];
  if (token) lines.push(`Authorization: Bearer ${token}`);
  const body = json === undefined ? undefined : Buffer.from(json);
  if (body) lines.push('Content-Type: application/json', `Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      method: { type: 'string', default: 'GET' },
      connections: { type: 'string', default: '4' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '0' },
      json: { type: 'string' },
      token: { type: 'string' },
      thread: { type: 'boolean', default: false },
    },
  });
  if (values.thread && isMainThread) return inWorkerThread();
  const url = new URL(positionals[0] ?? 'http://127.0.0.1:8080/');
  if (url.protocol !== 'http:') throw new Error('socket-floor speaks plain http only');
  const connections = Number(values.connections);
  const durationSec = Number(values.duration);
  const warmupSec = Number(values.warmup);
  const request = encodeRequest(url, values.method, values.json, values.token);
  // As a tailscope load thread does before its first request (it runs with --expose-gc, as this loop does).
  collectStartUpGarbage();
  const startMs = performance.now();
  const clock: Clock = { measureFromMs: startMs + warmupSec * 1000, stopAtMs: startMs + (warmupSec + durationSec) * 1000 };
  const tally: Tally = { histogram: createHistogram(), errors: 0, warmupRequests: 0 };
  const port = Number(url.port || 80);
  // Bounded even against a server that stops answering: past the end plus a grace, report what was measured.
  const graceMs = clock.stopAtMs - startMs + 5_000;
  await Promise.race([
    Promise.all(Array.from({ length: connections }, () => new Connection(url.hostname, port, request, clock, tally).run())),
    new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
  ]);
  const measuredSec = (Math.max(performance.now(), clock.stopAtMs) - clock.measureFromMs) / 1000;
  const summary = summarize(tally.histogram);
  report(
    `${JSON.stringify({
      rps: summary.count / measuredSec,
      requests: summary.count,
      errors: tally.errors,
      warmupRequests: tally.warmupRequests,
      p50Ms: summary.p50,
      p90Ms: summary.p90,
      p99Ms: summary.p99,
      p999Ms: summary.p999,
    })}\n`,
  );
  // A worker thread ends itself once its line is posted, its sockets with it (one may still wait on a stalled
  // server): its exit handlers run (bench/garbage.ts reads its collections from one), and the main thread
  // waits for that end.
  if (!isMainThread) process.exit(0);
}

/** The result line goes to stdout, from a worker thread by way of the main one. */
function report(line: string): void {
  if (parentPort) parentPort.postMessage(line);
  else process.stdout.write(line);
}

/** Runs the same loop, with the same arguments, in a worker thread; the main thread only waits and prints. */
async function inWorkerThread(): Promise<void> {
  if (!import.meta.url.endsWith('.js') && !import.meta.url.endsWith('.mjs'))
    throw new Error('--thread needs this file built to JavaScript (a worker thread on Node 20 does not get tsx)');
  const worker = new Worker(new URL(import.meta.url), { argv: process.argv.slice(2) });
  await new Promise<void>((resolve, reject) => {
    let printed = Promise.resolve();
    worker.on('message', (line: string) => {
      printed = new Promise((written) => process.stdout.write(line, () => written()));
    });
    worker.on('error', reject);
    worker.on('exit', () => void printed.then(resolve));
  });
}

await main();
// Sockets still waiting on a stalled server must not keep the process alive. A worker thread's end is its
// result line: the main thread ends the process once it has printed it.
if (isMainThread) process.exit(0);
