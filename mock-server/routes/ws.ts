/**
 * GET /v1/stream over WebSocket: one generate request per connection. The client sends the generate body as
 * its first message (with `access_token` in it, unless the upgrade carried `Authorization: Bearer`); the server
 * sends one `{"token","index"}` message per token, then `{"usage","meta"}`, then closes with 1000.
 * Refusals are a JSON `{error, message}` message followed by a close code of 4000 + the HTTP status it stands
 * for (4400, 4401, 4429, 4503), so clients can branch on it as on an HTTP status.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { nowMs } from '../clock.js';
import { FaultKind } from '../faults.js';
import { parseGenerateBody } from '../request.js';
import { streamWork, type TokenSink } from '../stream.js';
import type { MockContext } from '../context.js';
import type { TokenGrant } from '../auth.js';
import { checkBearer } from './authenticate.js';
import { checkRateLimit } from './limit.js';
import { writeGarbage } from './faulted.js';
import { NO_TIME_SPENT } from '../http.js';

export const STREAM_PATH = '/v1/stream';
const ROUTE = STREAM_PATH;

export interface StreamUpgrade {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Ends every open WebSocket at once (server shutdown). */
  terminateAll(): void;
}

export function createStreamUpgrade(ctx: MockContext): StreamUpgrade {
  // Compression off: it costs CPU per message and hides per-token timing behind zlib buffering.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });

  const rejectUpgrade = (socket: Duplex, status: string, headers = ''): void => {
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n${NO_TIME_SPENT}${headers}\r\n`, () => socket.destroy());
  };

  return {
    handleUpgrade(req, socket, head) {
      const path = req.url?.split('?')[0];
      if (path !== STREAM_PATH) return rejectUpgrade(socket, '404 Not Found');
      let grant: TokenGrant | undefined;
      if (req.headers.authorization !== undefined) {
        const result = checkBearer(ctx, req.headers.authorization);
        if (typeof result === 'string') {
          ctx.stats.countResponse(ROUTE, 401);
          return rejectUpgrade(socket, '401 Unauthorized', 'www-authenticate: Bearer error="invalid_token"\r\n');
        }
        grant = result;
      }
      wss.handleUpgrade(req, socket, head, (ws) => serve(ctx, ws, socket, grant));
    },
    terminateAll() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

function serve(ctx: MockContext, ws: WebSocket, socket: Duplex, headerGrant: TokenGrant | undefined): void {
  ctx.inFlight++;
  ws.once('close', () => ctx.inFlight--);
  ws.on('error', () => {});
  const refuse = (status: number, error: string, message: string, extra?: Record<string, unknown>): void => {
    ctx.stats.countResponse(ROUTE, status);
    ws.send(JSON.stringify({ error, message, ...extra }));
    ws.close(4000 + status, error);
  };
  ws.once('message', (data: RawData, isBinary: boolean) => {
    // ws delivers a Buffer here: its binaryType stays the default 'nodebuffer'.
    const text = isBinary ? '' : (data as Buffer).toString();
    const limits = ctx.runtime.profile.limits;
    if (text.length > limits.bodyBytes) return refuse(413, 'payload_too_large', `message exceeds ${limits.bodyBytes} bytes`);
    const parsed = parseGenerateBody(text, limits.maxTokens);
    if (!parsed.ok) return refuse(400, parsed.error, parsed.message, parsed.field ? { field: parsed.field } : undefined);
    const request = parsed.value;
    let grant = headerGrant;
    if (!grant) {
      const token = request.accessToken;
      grant = token !== undefined ? ctx.tokens.verify(token, nowMs()) : undefined;
      if (!grant)
        return refuse(401, 'invalid_token', token === undefined ? 'send access_token or a Bearer header' : 'unknown or expired token');
    }
    const limit = checkRateLimit(ctx, grant.clientId);
    if (!limit.allowed) return refuse(429, 'rate_limited', 'rate limit exceeded', { retry_after: Number(limit.headers['retry-after']) });
    if (!ctx.queue.offer(streamWork(ctx, wsSink(ctx, ws, socket), request))) refuse(503, 'overloaded', 'queue is full');
  });
}

function wsSink(ctx: MockContext, ws: WebSocket, socket: Duplex): TokenSink {
  return {
    get closed() {
      return ws.readyState !== WebSocket.OPEN;
    },
    begin() {
      ctx.stats.countResponse(ROUTE, 200);
    },
    token(text, index) {
      ws.send(`{"token":"${text}","index":${index}}`);
    },
    finish(summary) {
      ws.send(JSON.stringify(summary));
      ws.close(1000, 'done');
    },
    fault(fault) {
      switch (fault.kind) {
        case FaultKind.Status:
          ctx.stats.countResponse(ROUTE, fault.status);
          ws.send(JSON.stringify({ error: 'injected_fault', status: fault.status }));
          ws.close(4000 + fault.status, 'injected_fault');
          return;
        case FaultKind.Reset:
          ctx.stats.countResponse(ROUTE, 'reset');
          (socket as Socket).resetAndDestroy();
          return;
        case FaultKind.Hang:
          ctx.stats.countResponse(ROUTE, 'hang');
          return;
        case FaultKind.Garbage:
          ctx.stats.countResponse(ROUTE, 'garbage');
          writeGarbage(socket);
          return;
      }
    },
  };
}
