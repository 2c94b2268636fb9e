import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startMockServer, type RunningMockServer } from '../../mock-server/index.js';
import { getToken, percentile, serverTiming } from './client.js';
import { withTimerLateness } from '../helpers/timer-lateness.js';

const TTFT_MS = 50;
const INTER_TOKEN_MS = 10;
const TOKENS = 20;
/**
 * A server timer fires within ~1 ms of its deadline on a quiet machine. On a busy one it fires later by what this
 * loop's timers are measured late by in the same window (the mock shares the test's loop): bounds add that.
 */
const SERVER_SLACK_MS = 3;
/** What the client adds to one first-token time on a quiet machine: loopback and parsing, with room. */
const CLIENT_SLACK_MS = 5;

interface TimedEvent {
  atMs: number;
  data: string;
}

describe('token streams', () => {
  let server: RunningMockServer;
  let token: string;
  beforeAll(async () => {
    server = await startMockServer({ profile: { generate: { ttft: `${TTFT_MS}ms`, interToken: `${INTER_TOKEN_MS}ms` } } });
    token = await getToken(server.url);
  });
  afterAll(() => server.close());

  it('streams SSE: one event per token at the configured TTFT and inter-token delay, then usage, then [DONE]', async () => {
    const {
      result: { headers, events, startMs },
      lateness,
    } = await withTimerLateness(() => sse(server.url, token, { prompt: 'abcdefgh', max_tokens: TOKENS, temperature: 1, stream: true }));
    // Single samples move by the worst lateness measured, once per wake-up of this loop in their chain; the median
    // gap (the server's token timer, then the client's read) by twice the median lateness.
    const lateMaxMs = lateness.maxMs;
    const lateP50 = lateness.quantile(0.5);
    expect(headers['content-type']).toBe('text/event-stream');
    const tokenEvents = events.filter((e) => e.data.startsWith('{"token"'));
    expect(tokenEvents.map((e) => (JSON.parse(e.data) as { index: number }).index)).toEqual([...Array(TOKENS).keys()]);
    const summary = JSON.parse(events.at(-2)!.data) as { usage: Record<string, number>; meta: Record<string, number> };
    expect(summary.usage).toEqual({ prompt_tokens: 2, completion_tokens: TOKENS, total_tokens: TOKENS + 2 });
    expect(events.at(-1)!.data).toBe('[DONE]');

    // Server-Timing rides on the headers, sent with the first token: app is the time to first token.
    const timing = serverTiming(headers['server-timing']);
    expect(timing['app']).toBeGreaterThanOrEqual(TTFT_MS);
    expect(timing['app']).toBeLessThan(TTFT_MS + SERVER_SLACK_MS + lateMaxMs);
    expect(summary.meta['ttft_ms']).toBeCloseTo(timing['app']!, 3);
    // Whole stream: TTFT + 19 gaps of 10 ms, never less. Each of the 20 timers can run late on a loaded runner,
    // so the upper bound is loose; the median gap below is the tight check on inter-token timing.
    const expectedTotalMs = TTFT_MS + (TOKENS - 1) * INTER_TOKEN_MS;
    expect(summary.meta['latency_ms']).toBeGreaterThanOrEqual(expectedTotalMs);
    expect(summary.meta['latency_ms']).toBeLessThan(expectedTotalMs * 2);

    // Client side: first token ≈ TTFT plus loopback; gaps ≈ inter-token (median, since one gap can catch a GC).
    const clientTtftMs = tokenEvents[0]!.atMs - startMs;
    expect(clientTtftMs).toBeGreaterThan(TTFT_MS);
    expect(clientTtftMs).toBeLessThan(TTFT_MS + CLIENT_SLACK_MS + 3 * lateMaxMs);
    const gaps = tokenEvents.slice(1).map((e, i) => e.atMs - tokenEvents[i]!.atMs);
    expect(percentile(gaps, 50)).toBeGreaterThan(INTER_TOKEN_MS - 1.5);
    expect(percentile(gaps, 50)).toBeLessThan(INTER_TOKEN_MS + 1.5 + 2 * lateP50);
  });

  it('streams over WebSocket with the token in the first message: tokens, usage, then a normal close', async () => {
    const {
      result: { messages, startMs, closeCode },
      lateness,
    } = await withTimerLateness(() =>
      wsStream(`${server.url.replace('http', 'ws')}/v1/stream`, {
        access_token: token,
        prompt: 'abcd',
        max_tokens: TOKENS,
        temperature: 0.2,
      }),
    );
    const lateMaxMs = lateness.maxMs;
    expect(closeCode).toBe(1000);
    const tokenMessages = messages.filter((m) => m.data.startsWith('{"token"'));
    expect(tokenMessages).toHaveLength(TOKENS);
    expect(tokenMessages.map((m) => (JSON.parse(m.data) as { index: number }).index)).toEqual([...Array(TOKENS).keys()]);
    const summary = JSON.parse(messages.at(-1)!.data) as { usage: Record<string, number>; meta: Record<string, number> };
    expect(summary.usage['completion_tokens']).toBe(TOKENS);
    expect(summary.meta['ttft_ms']).toBeGreaterThanOrEqual(TTFT_MS);
    expect(summary.meta['ttft_ms']).toBeLessThan(TTFT_MS + SERVER_SLACK_MS + lateMaxMs);
    const clientTtftMs = tokenMessages[0]!.atMs - startMs;
    expect(clientTtftMs).toBeGreaterThan(TTFT_MS);
    expect(clientTtftMs).toBeLessThan(TTFT_MS + CLIENT_SLACK_MS + 3 * lateMaxMs);
    const gaps = tokenMessages.slice(1).map((m, i) => m.atMs - tokenMessages[i]!.atMs);
    expect(percentile(gaps, 50)).toBeGreaterThan(INTER_TOKEN_MS - 1.5);
    expect(percentile(gaps, 50)).toBeLessThan(INTER_TOKEN_MS + 1.5 + 2 * lateness.quantile(0.5));
  });

  it('accepts a Bearer header on the WebSocket upgrade and refuses a bad one with 401', async () => {
    const url = `${server.url.replace('http', 'ws')}/v1/stream`;
    const ok = await wsStream(url, { prompt: 'x', max_tokens: 2, temperature: 0 }, { authorization: `Bearer ${token}` });
    expect(ok.closeCode).toBe(1000);
    expect(ok.messages.filter((m) => m.data.startsWith('{"token"'))).toHaveLength(2);
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers: { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(status).toBe(401);
  });

  it('refuses a WebSocket request without a token, or with a bad body, by message and 44xx close code', async () => {
    const url = `${server.url.replace('http', 'ws')}/v1/stream`;
    const noToken = await wsStream(url, { prompt: 'x', max_tokens: 2, temperature: 0 });
    expect(noToken.closeCode).toBe(4401);
    expect(JSON.parse(noToken.messages[0]!.data)).toMatchObject({ error: 'invalid_token' });
    const badBody = await wsStream(url, { access_token: token, prompt: 3, max_tokens: 2, temperature: 0 });
    expect(badBody.closeCode).toBe(4400);
    expect(JSON.parse(badBody.messages[0]!.data)).toMatchObject({ error: 'invalid_request', field: 'prompt' });
  });

  it('replaces a stream with an injected fault: an SSE status, a WebSocket 4000 + status close', async () => {
    const faulty = await startMockServer({ profile: { generate: { ttft: '5ms' }, faults: { status: { '503': 1 } } } });
    try {
      const t = await getToken(faulty.url);
      const viaSse = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${faulty.url}/v1/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(JSON.stringify({ prompt: 'x', max_tokens: 3, temperature: 0, stream: true }));
      });
      expect(viaSse).toBe(503);
      const viaWs = await wsStream(`${faulty.url.replace('http', 'ws')}/v1/stream`, {
        access_token: t,
        prompt: 'x',
        max_tokens: 3,
        temperature: 0,
      });
      expect(viaWs.closeCode).toBe(4503);
      expect(JSON.parse(viaWs.messages[0]!.data)).toEqual({ error: 'injected_fault', status: 503 });
      expect(faulty.stats().byRoute).toMatchObject({ '/v1/generate': { '503': 1 }, '/v1/stream': { '503': 1 } });
    } finally {
      await faulty.close();
    }
  });

  it('frees the slot when an SSE client disconnects mid-stream', async () => {
    const small = await startMockServer({ profile: { capacity: { slots: 1 }, generate: { ttft: '5ms', interToken: '20ms' } } });
    try {
      const t = await getToken(small.url);
      await new Promise<void>((resolve) => {
        const req = http.request(`${small.url}/v1/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` },
        });
        req.on('response', (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.end(JSON.stringify({ prompt: 'x', max_tokens: 1000, temperature: 0, stream: true }));
      });
      // The next stream must get the only slot within a token interval or two, not after 1000 × 20 ms.
      const startMs = performance.now();
      const next = await sse(small.url, t, { prompt: 'x', max_tokens: 2, temperature: 0, stream: true });
      expect(performance.now() - startMs).toBeLessThan(200);
      expect(next.events.at(-1)!.data).toBe('[DONE]');
    } finally {
      await small.close();
    }
  });
});

async function sse(baseUrl: string, token: string, body: Record<string, unknown>) {
  return new Promise<{ headers: http.IncomingHttpHeaders; events: TimedEvent[]; startMs: number }>((resolve, reject) => {
    const startMs = performance.now();
    const req = http.request(`${baseUrl}/v1/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    req.on('response', (res) => {
      const events: TimedEvent[] = [];
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        const atMs = performance.now();
        buffered += text;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          events.push({ atMs, data });
        }
      });
      res.on('end', () => resolve({ headers: res.headers, events, startMs }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function wsStream(url: string, first: Record<string, unknown>, headers?: Record<string, string>) {
  return new Promise<{ messages: TimedEvent[]; startMs: number; closeCode: number }>((resolve, reject) => {
    const ws = new WebSocket(url, headers ? { headers } : {});
    const messages: TimedEvent[] = [];
    let startMs = 0;
    ws.on('open', () => {
      startMs = performance.now();
      ws.send(JSON.stringify(first));
    });
    ws.on('message', (data) => messages.push({ atMs: performance.now(), data: (data as Buffer).toString() }));
    ws.on('close', (code) => resolve({ messages, startMs, closeCode: code }));
    ws.on('error', reject);
  });
}
