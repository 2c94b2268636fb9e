import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const TLS_DIR = new URL('../fixtures/tls/', import.meta.url);
export const TEST_CERT_FILE = new URL('localhost-cert.pem', TLS_DIR).pathname;
export const TEST_KEY_FILE = new URL('localhost-key.pem', TLS_DIR).pathname;

/**
 * A stand-in for a real API behind a reverse proxy: answers everything under `basePath` (an OAuth2 token at
 * `<basePath>/oauth/token`, JSON elsewhere, a one-token stream over WebSocket), 404 outside it, and records every
 * request as it arrived (path, headers, body). Over HTTPS with the self-signed test certificate when `tls`.
 */
export async function startRecordingServer(options: { basePath: string; tls?: boolean }) {
  const seen: Seen[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      const path = (req.url ?? '').split('?')[0]!;
      if (!path.startsWith(`${options.basePath}/`)) {
        res.writeHead(404).end();
      } else if (path === `${options.basePath}/oauth/token`) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: 'tok-123456', token_type: 'Bearer', expires_in: 3600 }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'server-timing': 'app;dur=1' }).end('{"ok":true}');
      }
    });
  };
  const server = options.tls
    ? https.createServer({ cert: readFileSync(TEST_CERT_FILE), key: readFileSync(TEST_KEY_FILE) }, handler)
    : http.createServer(handler);
  // Streams over WebSocket: the upgrade request is recorded like any other.
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    seen.push({ method: 'UPGRADE', url: req.url ?? '', headers: req.headers, body: '' });
    if (!(req.url ?? '').startsWith(`${options.basePath}/`)) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('message', () => {
        ws.send('tok');
        ws.send(JSON.stringify({ usage: { completion_tokens: 1 } }));
        ws.close(1000);
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
