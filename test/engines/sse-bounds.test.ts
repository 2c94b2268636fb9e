import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engines/index.js';
import { MAX_SSE_EVENT_CHARS } from '../../src/engines/sse.js';
import type { Engine, PreparedRequest } from '../../src/engines/types.js';

const STREAM: PreparedRequest = { name: 's', method: 'POST', path: '/s', headers: { 'content-length': '0' }, stream: 'sse' };

/** Answers with an SSE head, then one `data:` line that never ends, 64 KiB at a time. */
async function endlessLineServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n');
      socket.write(`6\r\ndata: \r\n`);
      const piece = `10000\r\n${'x'.repeat(0x10000)}\r\n`;
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(piece)), 1);
      socket.on('close', () => clearInterval(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe.each(['wire', 'node'] as const)('engine %s bounds a server-sent event', (name) => {
  let engine: Engine | undefined;
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await engine?.close();
    await close?.();
  });

  it('fails an endless data line as too_large once it passes the event limit, long before the body limit', async () => {
    const server = await endlessLineServer();
    close = server.close;
    engine = createEngine(name, {
      baseUrl: new URL(`http://127.0.0.1:${server.port}`),
      keepAlive: true,
      poolSize: 1,
      timeouts: { connectMs: 1000, firstByteMs: 1000, totalMs: 10_000, idleMs: 0 },
      serverTiming: { header: 'Server-Timing', metric: 'app', queueMetric: 'queue' },
      maxResponseBytes: 64 * 1024 * 1024,
    });
    const outcome = await engine.send(STREAM);
    expect(outcome).toMatchObject({ errorKind: 'too_large', errorCode: 'E_SSE_EVENT_TOO_LARGE' });
    expect(outcome.errorMessage).toBe(`a server-sent event over ${MAX_SSE_EVENT_CHARS} characters`);
  });
});
