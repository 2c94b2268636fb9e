import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startDelayProxy, startMockServer } from '../../mock-server/index.js';
import { getToken, percentile, request, serverTiming } from './client.js';
import { withTimerLateness } from '../helpers/timer-lateness.js';

describe('delay proxy', () => {
  it('adds 2 × the one-way delay to a request round trip and leaves Server-Timing app unchanged', async () => {
    const server = await startMockServer({ profile: 'fixed-20ms' });
    const proxy = await startDelayProxy({ targetHost: server.host, targetPort: server.port, oneWayDelayMs: 15 });
    try {
      const token = await getToken(server.url);
      // Separate agents so direct and proxied requests never share a connection.
      const direct = new http.Agent({ keepAlive: true });
      const proxied = new http.Agent({ keepAlive: true });
      // Warm both connections first, so no sample includes a connect.
      await generateVia(server.url, token, direct);
      await generateVia(proxy.url, token, proxied);
      // Interleave direct and proxied requests and compare pairs: CPU contention from parallel test files then
      // slows both sides of a pair alike instead of biasing one whole series.
      const addedMs: number[] = [];
      const appDiffMs: number[] = [];
      const { lateness } = await withTimerLateness(async () => {
        for (let i = 0; i < 15; i++) {
          const a = await generateVia(server.url, token, direct);
          const b = await generateVia(proxy.url, token, proxied);
          expect([a.status, b.status]).toEqual([200, 200]);
          addedMs.push(b.elapsedMs - a.elapsedMs);
          appDiffMs.push(serverTiming(b.headers['server-timing'])['app']! - serverTiming(a.headers['server-timing'])['app']!);
        }
      });
      // ±5 ms: each direction can fire up to ~1 ms late on timer resolution, plus scheduling noise. The proxied
      // request waits on four more wake-ups of this loop (the proxy's read and delay timer, in each direction),
      // each late by what this loop's timers were measured late by in the same window; the 20 ms app timer,
      // common to both, cancels in the pair.
      // The app comparison takes the same floor: one side's timer can be late where the other's was not.
      const lateP50 = lateness.quantile(0.5);
      expect(percentile(addedMs, 50)).toBeGreaterThan(30 - 5);
      expect(percentile(addedMs, 50)).toBeLessThan(30 + 5 + 4 * lateP50);
      expect(Math.abs(percentile(appDiffMs, 50))).toBeLessThan(0.5 + lateP50);
      direct.destroy();
      proxied.destroy();
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  it('passes bytes through unchanged and in order, with jitter, in both directions', async () => {
    // An echo server that also reverses nothing: whatever arrives goes back.
    const echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const echoPort = (echo.address() as net.AddressInfo).port;
    const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: echoPort, oneWayDelayMs: 5, jitterMs: 4, seed: 3 });
    try {
      const socket = net.connect(proxy.port, '127.0.0.1');
      const sent: Buffer[] = [];
      for (let i = 0; i < 200; i++) sent.push(Buffer.from(Array.from({ length: 100 + i }, (_, j) => (i * 31 + j) % 256)));
      const expected = Buffer.concat(sent);
      const received: Buffer[] = [];
      const done = new Promise<void>((resolve) => {
        let bytes = 0;
        socket.on('data', (chunk: Buffer) => {
          received.push(chunk);
          bytes += chunk.length;
          if (bytes >= expected.length) resolve();
        });
      });
      // Write in separate turns so chunks arrive separately and draw different jittered delays.
      for (const chunk of sent) {
        socket.write(chunk);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await done;
      expect(Buffer.concat(received).equals(expected)).toBe(true);
      socket.destroy();
    } finally {
      await proxy.close();
      echo.close();
    }
  });

  it('forwards a half-close and survives a target that refuses or resets', async () => {
    // Target answers after the client has finished sending (FIN), then closes.
    const target = net.createServer({ allowHalfOpen: true }, (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('end', () => socket.end(`got ${Buffer.concat(chunks).length} bytes`));
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as net.AddressInfo).port;
    const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort, oneWayDelayMs: 2 });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ port: proxy.port, host: '127.0.0.1', allowHalfOpen: true });
        let text = '';
        socket.on('data', (c: Buffer) => (text += c.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
        socket.end('hello world');
      });
      expect(reply).toBe('got 11 bytes');

      // A target port nobody listens on: the client connection is closed, the proxy keeps serving.
      const closedPort = await freePort();
      const deadProxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: closedPort, oneWayDelayMs: 1 });
      const outcome = await new Promise<string>((resolve) => {
        const socket = net.connect(deadProxy.port, '127.0.0.1');
        socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        socket.on('close', () => resolve('closed'));
        socket.write('ping');
      });
      expect(['closed', 'ECONNRESET']).toContain(outcome);
      await deadProxy.close();

      // The first proxy still works after all that.
      const again = await new Promise<string>((resolve) => {
        const socket = net.connect({ port: proxy.port, host: '127.0.0.1', allowHalfOpen: true });
        let text = '';
        socket.on('data', (c: Buffer) => (text += c.toString()));
        socket.on('end', () => resolve(text));
        socket.end('abc');
      });
      expect(again).toBe('got 3 bytes');
    } finally {
      await proxy.close();
      target.close();
    }
  });
});

function generateVia(baseUrl: string, token: string, agent: http.Agent) {
  return request(`${baseUrl}/v1/generate`, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ prompt: 'hi', max_tokens: 4, temperature: 0 }),
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
