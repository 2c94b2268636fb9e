import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMockServer } from '../../mock-server/index.js';
import { chooseFault, FaultKind, stallHoldMs } from '../../mock-server/faults.js';
import { profileSchema } from '../../mock-server/profile-schema.js';
import { BUSY_RUNNER_SLACK_MS, generate, getToken, json, request, serverTiming } from './client.js';
import { withTimerLateness } from '../helpers/timer-lateness.js';

describe('fault selection', () => {
  const faults = profileSchema.parse({
    faults: { status: { '500': 0.1, '503': 0.1 }, reset: 0.1, hang: 0.1, garbage: 0.1, slowBody: { probability: 0.1 } },
  }).faults;

  it.each([
    [0.05, FaultKind.Status, 500],
    [0.15, FaultKind.Status, 503],
    [0.25, FaultKind.Reset, 0],
    [0.35, FaultKind.Hang, 0],
    [0.45, FaultKind.Garbage, 0],
    [0.55, FaultKind.SlowBody, 0],
    [0.65, FaultKind.None, 0],
  ])('maps a draw of %d to fault kind %d (status %d)', (u, kind, status) => {
    expect(chooseFault(u, faults)).toEqual({ kind, status });
  });

  it.each([
    [0, 0],
    [999, 0],
    [1000, 200],
    [1150, 50],
    [1200, 0],
    [3050, 150],
  ])('holds a response completing %d ms after start for %d ms (stall every 1 s for 200 ms)', (sinceStartMs, holdMs) => {
    expect(stallHoldMs(sinceStartMs, { everyMs: 1000, forMs: 200 })).toBeCloseTo(holdMs, 9);
  });
});

describe('injected faults', () => {
  let server: RunningMockServer;
  let token: string;
  beforeAll(async () => {
    server = await startMockServer({ profile: 'fast' });
    token = await getToken(server.url);
  });
  afterAll(() => server.close());

  const fresh = () => new http.Agent({ keepAlive: false });
  const post = (agent: http.Agent) =>
    request(`${server.url}/v1/generate`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ prompt: 'x', max_tokens: 4, temperature: 0 }),
    });

  it('answers an injected status with Server-Timing after the service time', async () => {
    server.setProfile({ generate: { latency: '10ms' }, faults: { status: { '503': 1 } } });
    const reply = await generate(server.url, token);
    expect(reply.status).toBe(503);
    expect(json(reply)).toEqual({ error: 'injected_fault', status: 503 });
    expect(serverTiming(reply.headers['server-timing'])['app']).toBeGreaterThanOrEqual(10);
  });

  it('resets the connection', async () => {
    server.setProfile({ faults: { reset: 1 } });
    await expect(post(fresh())).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('writes garbage that no HTTP client accepts', async () => {
    server.setProfile({ faults: { garbage: 1 } });
    await expect(post(fresh())).rejects.toMatchObject({ code: expect.stringMatching(/^HPE_|ECONNRESET/) });
  });

  it('trickles a slow body in chunks at the configured interval', async () => {
    server.setProfile({ faults: { slowBody: { probability: 1, chunkBytes: 64, interval: '20ms' } } });
    const { result: reply, lateness } = await withTimerLateness(() => generate(server.url, token, { max_tokens: 10 }));
    expect(reply.status).toBe(200);
    const chunks = Math.ceil(Buffer.byteLength(reply.body) / 64);
    // (chunks − 1) intervals of 20 ms, with timer slack per interval: resolution, plus what this loop's timers
    // were measured late by in the same window (each interval's timer is one of them).
    const intervals = chunks - 1;
    expect(reply.elapsedMs).toBeGreaterThan(intervals * 20);
    expect(reply.elapsedMs).toBeLessThan(intervals * (20 * 1.5 + lateness.quantile(0.9)) + BUSY_RUNNER_SLACK_MS);
    expect(json(reply)['usage']).toMatchObject({ completion_tokens: 10 });
  });

  it('hangs without answering, and close() still ends promptly', async () => {
    const hanging = await startMockServer({ profile: { faults: { hang: 1 } } });
    const t = await getToken(hanging.url);
    const outcomes: Array<Promise<unknown>> = [];
    for (let i = 0; i < 5; i++)
      outcomes.push(
        generate(hanging.url, t).then(
          () => 'answered',
          (e: NodeJS.ErrnoException) => e.code,
        ),
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hanging.stats().byRoute['/v1/generate']).toEqual({ hang: 5 });
    const startMs = performance.now();
    await hanging.close();
    expect(performance.now() - startMs).toBeLessThan(500);
    expect(new Set(await Promise.all(outcomes))).toEqual(new Set(['ECONNRESET']));
  });

  it('holds responses completing inside a stall window until it ends, and reports the hold as queue', async () => {
    const beforeStartMs = performance.now();
    const stalling = await startMockServer({
      profile: { generate: { latency: '5ms' }, faults: { stall: { every: '400ms', for: '200ms' } } },
    });
    try {
      const t = await getToken(stalling.url);
      // Windows are [400k, 400k + 200) ms after the server's start, which lies between beforeStartMs and now.
      // Aim the request to complete ~40–60 ms into the next window that still leaves that much of it, so a late
      // timer on a busy machine moves the aim rather than missing the window.
      const sinceStartMs = () => performance.now() - beforeStartMs;
      const windowStartMs = Math.max(400, Math.ceil((sinceStartMs() + 60) / 400) * 400);
      const { result: reply, lateness } = await withTimerLateness(async () => {
        await new Promise((resolve) => setTimeout(resolve, windowStartMs + 40 - sinceStartMs()));
        return generate(stalling.url, t);
      });
      const timing = serverTiming(reply.headers['server-timing']);
      expect(timing['app']).toBeGreaterThanOrEqual(5);
      expect(timing['app']).toBeLessThan(5 + BUSY_RUNNER_SLACK_MS + lateness.maxMs);
      // Held until the window ends: ~150 ms when on time. Wide bounds because the server's start is only known
      // to lie within startMockServer's span; a completion that the measured lateness pushed past the window is
      // not held at all, so the lower bound gives way by that much.
      expect(timing['queue']).toBeGreaterThan(Math.min(30, 150 - lateness.maxMs));
      expect(timing['queue']).toBeLessThanOrEqual(201);
      expect(reply.elapsedMs).toBeGreaterThan(timing['queue']! + timing['app']!);
    } finally {
      await stalling.close();
    }
  });

  it('applies faults only to the routes listed', async () => {
    server.setProfile({ faults: { status: { '500': 1 } } });
    expect(
      (
        await request(`${server.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'demo', client_secret: 'demo-secret' }),
        })
      ).status,
    ).toBe(200);
    server.setProfile({ faults: { routes: ['token'], status: { '500': 1 } } });
    expect((await generate(server.url, token)).status).toBe(200);
  });
});
