import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TailscopeError } from '../../shared/errors.js';
import { isLoopbackAddress, isLoopbackHost, urlHost, type DashboardAddress } from './address.js';

/** The dashboard could not listen where it was asked to (port taken, address not on this machine). */
export class DashboardListenError extends TailscopeError {
  readonly code = 'E_DASHBOARD_LISTEN';
}

/**
 * The dashboard's HTTP server: the page, its event stream, `/metrics` for Prometheus, `/stop`, and once the run
 * has ended the final report. A thin shell: what it serves is handed to it (page, metrics text, updates).
 *
 * Guards, because a page on any site can make the browser send requests to 127.0.0.1:
 * - on a loopback address every request must name this server in Host (a loopback name): a DNS-rebinding page,
 *   whose Host is its own domain, gets 403 and so never reads the page or its token;
 * - `/stop` also needs a loopback peer, an Origin (when the browser sends one) that is this server, and the
 *   per-run token in a custom header, which a cross-origin page cannot add without a CORS preflight that is
 *   never granted.
 */

export interface DashboardServerOptions {
  address: DashboardAddress;
  page: string;
  token: string;
  metrics: () => string;
  /** the Stop button (or any allowed POST /stop): ends the run as Ctrl-C does */
  onStop: () => void;
}

export interface DashboardDone {
  interrupted: boolean;
  /** where the report was written, shown on the page */
  reportPath: string;
}

export interface DashboardServer {
  /** `http://host:port/`, with the port actually bound */
  url: string;
  /** sends an `update` event to every open page (and to pages that connect later) */
  publish(update: unknown): void;
  /** the run ended: serves the report at /report and tells the pages where it is */
  finish(done: DashboardDone, reportHtml: string): void;
  close(): Promise<void>;
}

/** A comment line now and then keeps idle proxies and the browser from dropping a quiet stream. */
const HEARTBEAT_MS = 15_000;

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const clients = new Set<ServerResponse>();
  let lastUpdate: string | undefined;
  let doneEvent: string | undefined;
  let report: string | undefined;
  let allowedHosts = new Set<string>();
  const loopbackOnly = isLoopbackHost(options.address.host);

  const send = (response: ServerResponse, event: string, data: string) => void response.write(`event: ${event}\ndata: ${data}\n\n`);

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const host = request.headers.host ?? '';
    // Bound to loopback, only loopback names reach it (DNS rebinding); bound to the network on purpose, it answers
    // whatever name it was reached by, and Stop still wants a loopback peer and Host.
    if (loopbackOnly && !allowedHosts.has(host.toLowerCase())) return plain(response, 403, 'unknown Host\n');
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const method = request.method ?? 'GET';
    if (path === '/stop') {
      if (method !== 'POST') return plain(response, 405, 'POST only\n', { allow: 'POST' });
      if (!stopAllowed(request, host, options.token))
        return plain(response, 403, 'stop refused: not from this page on the loopback origin\n');
      options.onStop();
      return plain(response, 202, 'stopping\n');
    }
    if (method !== 'GET' && method !== 'HEAD') return plain(response, 405, 'GET only\n', { allow: 'GET, HEAD' });
    switch (path) {
      case '/':
        return body(response, 200, 'text/html; charset=utf-8', options.page);
      case '/metrics':
        return body(response, 200, 'text/plain; version=0.0.4; charset=utf-8', options.metrics());
      case '/report':
        return report === undefined
          ? plain(response, 404, 'the report is written when the run ends\n')
          : body(response, 200, 'text/html; charset=utf-8', report);
      case '/events': {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        response.write(': tailscope\n\n');
        if (lastUpdate !== undefined) send(response, 'update', lastUpdate);
        if (doneEvent !== undefined) send(response, 'done', doneEvent);
        clients.add(response);
        request.on('close', () => clients.delete(response));
        return;
      }
      default:
        return plain(response, 404, 'not found\n');
    }
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    const refuse = (error: NodeJS.ErrnoException) => {
      const where = `${urlHost(options.address.host)}:${options.address.port}`;
      reject(new DashboardListenError(`--dashboard cannot listen on ${where} (${error.code ?? error.message}): pick another [host:]port`));
    };
    server.once('error', refuse);
    server.listen(options.address.port, options.address.host, () => {
      server.off('error', refuse);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const bound = `${urlHost(options.address.host)}:${port}`.toLowerCase();
  allowedHosts = new Set([bound, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
  const heartbeat = setInterval(() => {
    for (const client of clients) client.write(': heartbeat\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    url: `http://${urlHost(options.address.host)}:${port}/`,
    publish(update) {
      lastUpdate = JSON.stringify(update);
      for (const client of clients) send(client, 'update', lastUpdate);
    },
    finish(done, reportHtml) {
      report = reportHtml;
      doneEvent = JSON.stringify({ ...done, reportUrl: '/report' });
      for (const client of clients) send(client, 'done', doneEvent);
    },
    async close() {
      clearInterval(heartbeat);
      for (const client of clients) client.end();
      clients.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function stopAllowed(request: IncomingMessage, host: string, token: string): boolean {
  if (!isLoopbackAddress(request.socket.remoteAddress)) return false;
  if (!isLoopbackHost(host.replace(/:\d+$/, ''))) return false;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return false;
  const sent = request.headers['x-tailscope-token'];
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function body(response: ServerResponse, status: number, type: string, text: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(text);
}

function plain(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(text);
}
