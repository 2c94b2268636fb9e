import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineOptions, Outcome, PreparedRequest } from '../../../src/engines/types.js';
import { sweepPeriodMs, WireEngine } from '../../../src/engines/wire/engine.js';
import { closedPort, response, serve, sleep, waitFor, type LoopbackServer, type ServerRequest } from './loopback.js';

/*
 * The wire engine against real loopback servers that misbehave on purpose. Every test is bounded twice: by the
 * engine's own total timeout (3 s unless the test sets its own) and by the describe's 10 s test timeout.
 */

let server: LoopbackServer | undefined;
let engine: WireEngine | undefined;

afterEach(async () => {
  await engine?.close();
  await server?.close();
  engine = undefined;
  server = undefined;
});

const GET: PreparedRequest = { name: 'get', method: 'GET', path: '/x', headers: {}, stream: 'none' };
const OK = response('200 OK', { 'Content-Length': 2 }, 'ok');

function optionsFor(port: number, overrides: Partial<EngineOptions> = {}): EngineOptions {
  return {
    baseUrl: new URL(`http://127.0.0.1:${port}`),
    keepAlive: true,
    poolSize: 4,
    timeouts: { connectMs: 2000, firstByteMs: 0, totalMs: 3000, idleMs: 0 },
    serverTiming: { header: 'Server-Timing', metric: 'app', queueMetric: 'queue' },
    ...overrides,
  };
}

async function start(
  onRequest: (request: ServerRequest) => void,
  overrides: Partial<EngineOptions> = {},
): Promise<{ server: LoopbackServer; engine: WireEngine }> {
  server = await serve(onRequest);
  engine = new WireEngine(optionsFor(server.port, overrides));
  return { server, engine };
}

/** Sends one request and measures, on the test's own clock, how long it took to settle. */
async function timed(send: () => Promise<Outcome>): Promise<{ outcome: Outcome; elapsedMs: number }> {
  const startedAt = performance.now();
  const outcome = await send();
  return { outcome, elapsedMs: performance.now() - startedAt };
}

describe('WireEngine: connections', { timeout: 10_000 }, () => {
  it('reuses one keep-alive socket for sequential requests, paying connect only on the first', async () => {
    const { server, engine } = await start(({ socket }) => socket.write(OK));
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 5; i++) outcomes.push(await engine.send(GET));
    expect(outcomes.map((o) => [o.status, o.errorKind])).toEqual(Array(5).fill([200, undefined]));
    expect(server.connections).toBe(1);
    expect(server.requests.map((r) => r.onConnection)).toEqual([0, 1, 2, 3, 4]);
    expect(outcomes[0]!.timings.connectUs).toBeGreaterThan(0);
    expect(outcomes.slice(1).map((o) => o.timings.connectUs)).toEqual([-1, -1, -1, -1]);
    for (const { timings } of outcomes) {
      expect(timings.writeUs).toBeGreaterThanOrEqual(0);
      expect(timings.ttfbUs).toBeGreaterThanOrEqual(timings.writeUs);
      expect(timings.totalUs).toBeGreaterThanOrEqual(timings.ttfbUs);
    }
  });

  it('opens a new socket per request when responses say Connection: close', async () => {
    const { server, engine } = await start(({ socket }) =>
      socket.end(response('200 OK', { 'Content-Length': 2, Connection: 'close' }, 'ok')),
    );
    for (let i = 0; i < 3; i++) expect(await engine.send(GET)).toMatchObject({ status: 200, errorKind: undefined });
    expect(server.connections).toBe(3);
    expect(server.requests.map((r) => r.onConnection)).toEqual([0, 0, 0]);
  });

  it('asks for Connection: close on the wire when keepAlive is off', async () => {
    const { server, engine } = await start(({ socket }) => socket.end(OK), { keepAlive: false });
    expect(await engine.send(GET)).toMatchObject({ status: 200 });
    expect(await engine.send(GET)).toMatchObject({ status: 200 });
    expect(server.requests[0]!.raw).toBe(`GET /x HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\nconnection: close\r\n\r\n`);
    expect(server.connections).toBe(2);
  });

  it('opens a new socket when the server closed the idle keep-alive one, and the request succeeds', async () => {
    // The server answers and then closes the (idle) connection without saying so in the response.
    const { server, engine } = await start(({ socket }) => socket.end(OK));
    expect(await engine.send(GET)).toMatchObject({ status: 200 });
    await waitFor(() => server.open === 0);
    expect(await engine.send(GET)).toMatchObject({ status: 200, errorKind: undefined });
    expect(server.connections).toBe(2);
  });

  it('re-sends, once and transparently, a request whose reused socket the server closes before answering', async () => {
    // The race of an idle close with our write: the second request reaches a socket the server is closing.
    const { server, engine } = await start(({ socket, onConnection }) => {
      if (onConnection === 0) socket.write(OK);
      else socket.destroy();
    });
    expect(await engine.send(GET)).toMatchObject({ status: 200 });
    const second = await engine.send(GET);
    expect(second).toMatchObject({ status: 200, errorKind: undefined });
    // The answer came on a fresh socket: its connect is part of this request's timings.
    expect(second.timings.connectUs).toBeGreaterThan(0);
    expect(server.requests.map((r) => [r.connection, r.onConnection])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
  });

  it('does not re-send a POST whose reused socket the server closes before answering: it may have been applied', async () => {
    const { server, engine } = await start(({ socket, onConnection }) => {
      if (onConnection === 0) socket.write(OK);
      else socket.destroy();
    });
    const post: PreparedRequest = { ...GET, method: 'POST', body: Buffer.from('{}'), headers: { 'content-length': '2' } };
    expect(await engine.send(post)).toMatchObject({ status: 200 });
    expect(await engine.send(post)).toMatchObject({ status: 0, errorKind: 'reset' });
    expect(server.requests).toHaveLength(2);
  });

  it('does not re-send a request whose fresh socket closed before any answer: that is the target failing', async () => {
    const { server, engine } = await start(({ socket }) => socket.destroy());
    expect(await engine.send(GET)).toMatchObject({ status: 0, errorKind: 'reset' });
    expect(server.requests).toHaveLength(1);
  });

  it('does not re-send twice: a server that closes every reused socket and every fresh one fails the request', async () => {
    const { server, engine } = await start(({ socket, connection, onConnection }) => {
      if (connection === 0 && onConnection === 0) socket.write(OK);
      else socket.destroy();
    });
    expect(await engine.send(GET)).toMatchObject({ status: 200 });
    expect(await engine.send(GET)).toMatchObject({ status: 0, errorKind: 'reset' });
    // Sent on the reused socket, re-sent once on a fresh one, and no more.
    expect(server.requests.map((r) => [r.connection, r.onConnection])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
  });

  it('does not re-send a request whose reused socket the server resets (RST): a reset is the target failing', async () => {
    const { server, engine } = await start(({ socket, onConnection }) => {
      if (onConnection === 0) socket.write(OK);
      else socket.resetAndDestroy();
    });
    expect(await engine.send(GET)).toMatchObject({ status: 200 });
    expect(await engine.send(GET)).toMatchObject({ status: 0, errorKind: 'reset', errorCode: 'ECONNRESET' });
    expect(server.connections).toBe(1);
  });

  it('closes a socket whose response was followed by bytes nobody asked for, and answers the next on a new one', async () => {
    const { server, engine } = await start(({ socket }) => socket.write(OK + 'HTTP/1.1 200 OK\r\n'));
    expect(await engine.send(GET)).toMatchObject({ status: 200, errorKind: undefined });
    expect(await engine.send(GET)).toMatchObject({ status: 200, errorKind: undefined });
    expect(server.connections).toBe(2);
  });

  it('drops an idle socket the server writes to unasked, and answers the next request on a new one', async () => {
    const { server, engine } = await start(({ socket }) => {
      socket.write(OK);
      setTimeout(() => socket.write('HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n'), 5);
    });
    expect(await engine.send(GET)).toMatchObject({ status: 200 });
    await waitFor(() => server.open === 0);
    expect(await engine.send(GET)).toMatchObject({ status: 200, errorKind: undefined });
    expect(server.connections).toBe(2);
  });

  it('reads no body for HEAD and keeps the socket for the next request', async () => {
    const { server, engine } = await start(({ socket, head }) =>
      socket.write(head.startsWith('HEAD') ? response('200 OK', { 'Content-Length': 1000 }) : OK),
    );
    expect(await engine.send({ ...GET, method: 'HEAD' })).toMatchObject({ status: 200, errorKind: undefined });
    expect(await engine.send(GET)).toMatchObject({ status: 200, errorKind: undefined });
    expect(server.connections).toBe(1);
  });

  it('fails as refused when nothing listens on the port', async () => {
    engine = new WireEngine(optionsFor(await closedPort()));
    expect(await engine.send(GET)).toMatchObject({ status: 0, errorKind: 'refused', errorCode: 'ECONNREFUSED' });
  });

  it('keeps to the pool size: 5 concurrent sends on poolSize 2 use 2 sockets and all succeed', async () => {
    const { server, engine } = await start(({ socket }) => setTimeout(() => socket.write(OK), 30), { poolSize: 2 });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => engine.send(GET)));
    expect(outcomes.map((o) => o.status)).toEqual([200, 200, 200, 200, 200]);
    expect(server.connections).toBe(2);
    expect(server.peakOpen).toBeLessThanOrEqual(2);
    // The three that waited for a free socket got one later than at once (the server holds each for 30 ms).
    expect(outcomes.map((o) => o.timings.socketUs > 20_000)).toEqual([false, false, true, true, true]);
  });

  it('warmUp(2) opens 2 sockets before any request, and requests then pay no connect', async () => {
    const { server, engine } = await start(({ socket }) => socket.write(OK));
    await engine.warmUp(2);
    await waitFor(() => server.connections === 2);
    expect(server.received()).toBe(0);
    const outcomes = await Promise.all([engine.send(GET), engine.send(GET)]);
    expect(outcomes.map((o) => [o.status, o.timings.connectUs])).toEqual([
      [200, -1],
      [200, -1],
    ]);
    expect(server.connections).toBe(2);
  });
});

describe('WireEngine: failures', { timeout: 10_000 }, () => {
  it('fails as timeout_first_byte about firstByteMs after the send when the server never answers', async () => {
    const { engine } = await start(() => {}, { timeouts: { connectMs: 0, firstByteMs: 100, totalMs: 0, idleMs: 0 } });
    // Deadlines are swept, not timed per request: the sweep runs every 5% of the shortest timeout (5 ms here).
    expect(sweepPeriodMs({ connectMs: 0, firstByteMs: 100, totalMs: 0, idleMs: 0 })).toBe(5);
    const { outcome, elapsedMs } = await timed(() => engine.send(GET));
    expect(outcome).toMatchObject({ status: 0, errorKind: 'timeout_first_byte', errorMessage: 'no first byte within 100 ms' });
    expect(outcome.timings.ttfbUs).toBe(-1);
    // Like the node engine, a failed attempt has no totalUs; the requester times it on its own clock.
    expect(outcome.timings.totalUs).toBe(-1);
    expect(elapsedMs).toBeGreaterThanOrEqual(100);
    // One sweep period (5 ms) late at most by design; the rest of the bound is timer and event-loop lateness
    // on a busy 2-core runner, where other test files and workers compete for the cores.
    expect(elapsedMs).toBeLessThan(100 + 150);
  });

  it('fails a request still waiting for a pooled socket at its first-byte deadline, without waiting for the socket', async () => {
    // poolSize 1: the first request holds the socket 300 ms (head at once, body late); the second waits.
    const { engine } = await start(
      ({ socket }) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\no');
        setTimeout(() => socket.write('k'), 300);
      },
      { poolSize: 1, timeouts: { connectMs: 0, firstByteMs: 100, totalMs: 2000, idleMs: 0 } },
    );
    const first = engine.send(GET);
    const { outcome: second, elapsedMs } = await timed(() => engine.send(GET));
    expect(second).toMatchObject({ status: 0, errorKind: 'timeout_first_byte' });
    expect(elapsedMs).toBeGreaterThanOrEqual(100);
    expect(elapsedMs).toBeLessThan(250); // as above: sweep period plus a busy runner's timer lateness
    expect(await first).toMatchObject({ status: 200, errorKind: undefined });
  });

  it('fails as timeout_total at totalMs once the first byte came before firstByteMs', async () => {
    const { engine } = await start(({ socket }) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'), {
      timeouts: { connectMs: 0, firstByteMs: 50, totalMs: 150, idleMs: 0 },
    });
    const { outcome, elapsedMs } = await timed(() => engine.send(GET));
    expect(outcome).toMatchObject({ status: 200, errorKind: 'timeout_total' });
    expect(outcome.timings.ttfbUs).toBeGreaterThan(0);
    expect(elapsedMs).toBeGreaterThanOrEqual(150);
    expect(elapsedMs).toBeLessThan(150 + 150); // sweep period 2 ms, plus a busy runner's timer lateness
  });

  it('fails an SSE stream as timeout_idle when no data comes for idleMs', async () => {
    const { engine } = await start(({ socket }) => socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: a\n\n'), {
      timeouts: { connectMs: 0, firstByteMs: 0, totalMs: 2000, idleMs: 100 },
    });
    const { outcome, elapsedMs } = await timed(() => engine.send({ ...GET, stream: 'sse' }));
    expect(outcome).toMatchObject({ status: 200, errorKind: 'timeout_idle', stream: { chunks: 1 } });
    expect(elapsedMs).toBeGreaterThanOrEqual(100);
    expect(elapsedMs).toBeLessThan(100 + 150); // sweep period 5 ms, plus a busy runner's timer lateness
  });

  it('fails as reset (HPE_TRUNCATED) when the server closes in the middle of the body', async () => {
    const { engine } = await start(({ socket }) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b'));
    expect(await engine.send(GET)).toMatchObject({ status: 200, errorKind: 'reset', errorCode: 'HPE_TRUNCATED' });
  });

  it('fails as garbage when the server answers something that is not HTTP', async () => {
    const { engine } = await start(({ socket }) => socket.write('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    expect(await engine.send(GET)).toMatchObject({
      status: 0,
      errorKind: 'garbage',
      errorCode: 'HPE_INVALID_CONSTANT',
      errorMessage: 'the answer does not begin with an HTTP/1.x status line',
    });
  });

  it('fails as too_large when the body is over maxResponseBytes, announced or chunked', async () => {
    const { server, engine } = await start(
      ({ socket, connection }) => {
        if (connection === 0) socket.write(response('200 OK', { 'Content-Length': 5000 }, 'x'.repeat(5000)));
        else
          socket.write(
            `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${'200\r\n' + 'y'.repeat(512) + '\r\n'}${'200\r\n' + 'y'.repeat(512) + '\r\n'}0\r\n\r\n`,
          );
      },
      { maxResponseBytes: 1000 },
    );
    expect(await engine.send(GET)).toMatchObject({ status: 200, errorKind: 'too_large', errorCode: 'E_RESPONSE_TOO_LARGE' });
    expect(await engine.send(GET)).toMatchObject({ status: 200, errorKind: 'too_large', errorCode: 'E_RESPONSE_TOO_LARGE' });
    // A failed response leaves its socket unusable: the second one came on a new socket.
    expect(server.connections).toBe(2);
  });

  it('close() settles every request in flight or waiting as interrupted (cut by us, not the target), at once', async () => {
    const { server, engine } = await start(() => {}, { poolSize: 2 });
    const settled: Outcome[] = [];
    const sends = [engine.send(GET), engine.send(GET), engine.send(GET)];
    for (const send of sends) void send.then((outcome) => settled.push(outcome));
    await waitFor(() => server.requests.length === 2);
    await engine.close();
    // Settled before the next turn of the event loop: nothing waits for a socket or a timer.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled.map((o) => o.errorKind)).toEqual(['interrupted', 'interrupted', 'interrupted']);
    expect(await engine.send(GET)).toMatchObject({ status: 0, errorKind: 'interrupted' });
  });

  it('refuses a header value with CR/LF as other (ERR_INVALID_CHAR) and sends nothing', async () => {
    const { server, engine } = await start(({ socket }) => socket.write(OK));
    const smuggling: PreparedRequest = { ...GET, headers: { 'x-a': 'b\r\nx-injected: 1' } };
    expect(await engine.send(smuggling)).toMatchObject({ status: 0, errorKind: 'other', errorCode: 'ERR_INVALID_CHAR' });
    expect(await engine.send(GET, 'Bearer x\r\nx-injected: 1')).toMatchObject({ errorKind: 'other', errorCode: 'ERR_INVALID_CHAR' });
    await sleep(20);
    expect(server.connections).toBe(0);
    expect(server.received()).toBe(0);
  });
});

describe('WireEngine: what a response reports', { timeout: 10_000 }, () => {
  it('reads Server-Timing app and queue durations into serviceUs and queueUs', async () => {
    const { engine } = await start(({ socket }) =>
      socket.write(response('200 OK', { 'Server-Timing': 'app;dur=12.5, queue;dur=3', 'Content-Length': 0 })),
    );
    expect(await engine.send(GET)).toMatchObject({ status: 200, serviceUs: 12500, queueUs: 3000, retryAfterMs: -1 });
  });

  it('reads Retry-After of a 429 into retryAfterMs, and does not count the 429 as a transport error', async () => {
    const { engine } = await start(({ socket }) =>
      socket.write(response('429 Too Many Requests', { 'Retry-After': 2, 'Content-Length': 0 })),
    );
    expect(await engine.send(GET)).toMatchObject({ status: 429, errorKind: undefined, retryAfterMs: 2000, serviceUs: -1 });
  });

  it('times the tokens of an SSE response: chunks and time to first token', async () => {
    const { engine } = await start(({ socket }) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n');
      const event = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
      // Each write 30 ms after the previous one (chained, so a late timer delays the rest rather than bunching them).
      const writes = [event('data: a\n\n'), event('data: b\n\n'), event('data: c\n\n') + event('data: [DONE]\n\n') + '0\r\n\r\n'];
      const next = () => {
        socket.write(writes.shift()!);
        if (writes.length > 0) setTimeout(next, 30);
      };
      setTimeout(next, 30);
    });
    const outcome = await engine.send({ ...GET, stream: 'sse' });
    expect(outcome).toMatchObject({ status: 200, errorKind: undefined });
    expect(outcome.stream).toMatchObject({ chunks: 3 });
    // The head came at once, the first token 30 ms later: time to first token is not time to first byte.
    expect(outcome.stream!.ttftUs).toBeGreaterThanOrEqual(25_000);
    expect(outcome.stream!.ttftUs).toBeGreaterThan(outcome.timings.ttfbUs);
    // Two gaps, together at least the 60 ms between the first and last write less a little read jitter (one
    // gap alone can shrink when the read of the token before it was late).
    expect(outcome.stream!.interTokenUs).toHaveLength(2);
    const [firstGapUs, secondGapUs] = outcome.stream!.interTokenUs as [number, number];
    expect(firstGapUs + secondGapUs).toBeGreaterThanOrEqual(50_000);
  });

  it('puts the authorization passed to send on the wire, and reuses the same bytes for the same token', async () => {
    const { server, engine } = await start(({ socket }) => socket.write(OK));
    const withHeaders: PreparedRequest = { ...GET, headers: { accept: 'application/json', authorization: 'Bearer preset' } };
    await engine.send(withHeaders, 'Bearer x');
    await engine.send(withHeaders, 'Bearer x');
    await engine.send(withHeaders, 'Bearer y');
    await engine.send(withHeaders);
    const raw = server.requests.map((r) => r.raw);
    expect(raw[0]).toBe(`GET /x HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\naccept: application/json\r\nauthorization: Bearer x\r\n\r\n`);
    expect(raw[1]).toBe(raw[0]);
    expect(raw[2]).toBe(raw[0]!.replace('Bearer x', 'Bearer y'));
    expect(raw[3]).toBe(raw[0]!.replace('Bearer x', 'Bearer preset'));
  });
});

describe('WireEngine: stream timing and warmed sockets', { timeout: 10_000 }, () => {
  // Tokens are stamped with the time of the read they arrived in, as first and last byte are: a token in the
  // same read as the end of the response is never timed after the response ended.
  it('stamps tokens no later than the end of the response they arrived with', async () => {
    const { engine } = await start(({ socket }) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: 18\r\n\r\ndata: a\n\ndata: b\n\n'),
    );
    const outcome = await engine.send({ ...GET, stream: 'sse' });
    expect(outcome).toMatchObject({ status: 200, stream: { chunks: 2 } });
    expect(outcome.stream!.ttftUs).toBeLessThanOrEqual(outcome.timings.totalUs);
  });

  // A socket opened by warmUp() sits idle until the first request, so the server may close it just then.
  it('re-sends the first request on a warmed socket that the server closes before answering', async () => {
    const { server, engine } = await start(
      ({ socket, connection }) => {
        if (connection === 0) socket.destroy();
        else socket.write(OK);
      },
      { poolSize: 1 },
    );
    await engine.warmUp(1);
    await waitFor(() => server.connections === 1);
    expect(await engine.send(GET)).toMatchObject({ status: 200, errorKind: undefined });
  });
});
