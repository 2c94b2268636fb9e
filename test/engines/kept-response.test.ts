import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engines/index.js';
import { headerOf, type Engine, type EngineOptions, type PreparedRequest } from '../../src/engines/types.js';

const REQUEST: PreparedRequest = { name: 'r', method: 'GET', path: '/r', headers: {}, stream: 'none' };

describe.each(['wire', 'node'] as const)('engine %s keeps the response only when asked', (name) => {
  let server: http.Server | undefined;
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  async function start(): Promise<Engine> {
    server = http.createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Trace', 'a');
      res.appendHeader('X-Trace', 'b');
      // Written in pieces, chunked: the kept body must be the whole payload, de-chunked.
      res.write('{"ok":');
      setTimeout(() => res.end('true}'), 5);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const options: EngineOptions = {
      baseUrl: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      keepAlive: true,
      poolSize: 1,
      timeouts: { connectMs: 1000, firstByteMs: 1000, totalMs: 1000, idleMs: 0 },
      serverTiming: { header: 'Server-Timing', metric: 'app', queueMetric: 'queue' },
    };
    return (engine = createEngine(name, options));
  }

  it('returns head and de-chunked body with readResponse, and nothing without it', async () => {
    const engine = await start();
    const kept = await engine.send({ ...REQUEST, readResponse: true });
    expect(kept.status).toBe(200);
    expect(kept.response!.body.toString()).toBe('{"ok":true}');
    expect(kept.response!.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(headerOf(kept.response!.head, 'content-type')).toBe('application/json');
    expect(headerOf(kept.response!.head, 'x-trace')).toBe('a, b');
    expect(headerOf(kept.response!.head, 'x-missing')).toBeUndefined();
    const discarded = await engine.send(REQUEST);
    expect(discarded.status).toBe(200);
    expect(discarded.response).toBeUndefined();
  });
});
