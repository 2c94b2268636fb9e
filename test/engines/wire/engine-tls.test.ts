import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WireEngine } from '../../../src/engines/wire/engine.js';
import type { EngineOptions, PreparedRequest } from '../../../src/engines/types.js';

const key = readFileSync(new URL('../../fixtures/tls/localhost-key.pem', import.meta.url));
const cert = readFileSync(new URL('../../fixtures/tls/localhost-cert.pem', import.meta.url));

const GET: PreparedRequest = { name: 'get', method: 'GET', path: '/hello', headers: {}, stream: 'none' };

function options(port: number, tls?: EngineOptions['tls']): EngineOptions {
  return {
    baseUrl: new URL(`https://localhost:${port}`),
    keepAlive: true,
    poolSize: 2,
    timeouts: { connectMs: 2000, firstByteMs: 2000, totalMs: 2000, idleMs: 0 },
    serverTiming: { header: 'Server-Timing', metric: 'app', queueMetric: 'queue' },
    tls,
  };
}

describe('the wire engine over TLS', () => {
  let server: https.Server | undefined;
  let engine: WireEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  async function listen(): Promise<number> {
    server = https.createServer({ key, cert }, (req, res) => {
      res.setHeader('server-timing', 'app;dur=1.5');
      res.end('hi');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('times the TLS handshake after connect and before the request is written, on a new socket only', async () => {
    const port = await listen();
    engine = new WireEngine(options(port, { ca: cert }));
    const first = await engine.send(GET);
    expect(first.errorKind).toBeUndefined();
    expect(first.status).toBe(200);
    expect(first.serviceUs).toBe(1500);
    const t = first.timings;
    expect(t.connectUs).toBeGreaterThan(0);
    expect(t.tlsUs).toBeGreaterThan(t.connectUs);
    expect(t.writeUs).toBeGreaterThanOrEqual(t.tlsUs);
    expect(t.ttfbUs).toBeGreaterThan(t.writeUs);
    const second = await engine.send(GET);
    expect(second.status).toBe(200);
    // The keep-alive socket is reused: no setup phases.
    expect(second.timings.connectUs).toBe(-1);
    expect(second.timings.tlsUs).toBe(-1);
  });

  it('refuses a certificate it cannot verify, naming the reason in the error code', async () => {
    const port = await listen();
    engine = new WireEngine(options(port));
    const outcome = await engine.send(GET);
    expect(outcome.status).toBe(0);
    expect(outcome.errorKind).toBe('tls_cert');
    expect(outcome.errorCode).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});
