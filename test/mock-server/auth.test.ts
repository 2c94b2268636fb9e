import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMockServer } from '../../mock-server/index.js';
import { RateLimiter } from '../../mock-server/ratelimit.js';
import { generate, getToken, json, request, serverTiming } from './client.js';

describe('OAuth2 client credentials', () => {
  let server: RunningMockServer;
  beforeAll(async () => {
    server = await startMockServer({
      profile: {
        auth: {
          tokenTtlSeconds: 1,
          clients: [
            { id: 'demo', secret: 'demo-secret' },
            { id: 'other', secret: 's3' },
          ],
        },
      },
    });
  });
  afterAll(() => server.close());

  const tokenRequest = (body: string, headers: Record<string, string> = {}) =>
    request(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });

  it('issues a bearer token for form credentials, and generate accepts it', async () => {
    const reply = await tokenRequest('grant_type=client_credentials&client_id=demo&client_secret=demo-secret');
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers['server-timing']).toMatch(/^app;dur=\d+\.\d{3}, queue;dur=\d+\.\d{3}$/);
    const body = json(reply);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 1 });
    expect(typeof body['access_token']).toBe('string');
    const generated = await generate(server.url, body['access_token'] as string);
    expect(generated.status).toBe(200);
  });

  it('accepts JSON bodies and HTTP Basic client authentication', async () => {
    const asJson = await request(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'other', client_secret: 's3' }),
    });
    expect(asJson.status).toBe(200);
    const basic = await tokenRequest('grant_type=client_credentials', {
      authorization: `Basic ${Buffer.from('demo:demo-secret').toString('base64')}`,
    });
    expect(basic.status).toBe(200);
  });

  it('answers 401 invalid_client to a wrong secret or an unknown client', async () => {
    for (const body of [
      'grant_type=client_credentials&client_id=demo&client_secret=nope',
      'grant_type=client_credentials&client_id=ghost&client_secret=x',
    ]) {
      const reply = await tokenRequest(body);
      expect(reply.status).toBe(401);
      expect(json(reply)['error']).toBe('invalid_client');
      expect(reply.headers['server-timing']).toBeDefined();
    }
    const basic = await tokenRequest('grant_type=client_credentials', {
      authorization: `Basic ${Buffer.from('demo:bad').toString('base64')}`,
    });
    expect(basic.status).toBe(401);
    expect(basic.headers['www-authenticate']).toMatch(/^Basic/);
  });

  it('waits the token latency of the profile, and reports it as app', async () => {
    const slow = await startMockServer({ profile: { auth: { latency: '30ms' } } });
    try {
      const reply = await request(`${slow.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
      });
      expect(reply.status).toBe(200);
      expect(serverTiming(reply.headers['server-timing'])['app']).toBeGreaterThanOrEqual(30);
      expect(reply.elapsedMs).toBeGreaterThanOrEqual(30);
    } finally {
      await slow.close();
    }
  });

  it('answers 400 unsupported_grant_type to another grant', async () => {
    const reply = await tokenRequest('grant_type=password&client_id=demo&client_secret=demo-secret');
    expect(reply.status).toBe(400);
    expect(json(reply)['error']).toBe('unsupported_grant_type');
  });

  it('rejects missing, malformed and unknown bearer tokens with 401 invalid_token and a challenge', async () => {
    const headerCases: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer' },
      { authorization: 'Basic ZGVtbzpkZW1vLXNlY3JldA==' },
      { authorization: 'Bearer not a token!' },
      { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    ];
    for (const headers of headerCases) {
      const reply = await request(`${server.url}/v1/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ prompt: 'x', max_tokens: 1, temperature: 0 }),
      });
      expect(reply.status, JSON.stringify(headers)).toBe(401);
      expect(json(reply)['error']).toBe('invalid_token');
      expect(reply.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    }
  });

  it('rejects a token once its TTL (1 s) has passed', async () => {
    const token = await getToken(server.url);
    expect((await generate(server.url, token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await generate(server.url, token);
    expect(expired.status).toBe(401);
    expect(json(expired)['error']).toBe('invalid_token');
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After and x-ratelimit-* once a client empties its bucket', async () => {
    const server = await startMockServer({ profile: { rateLimit: { ratePerSec: 1, burst: 3 } } });
    try {
      const token = await getToken(server.url);
      const replies = [];
      for (let i = 0; i < 5; i++) replies.push(await generate(server.url, token));
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
      expect(replies.map((r) => r.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0', '0', '0']);
      const limited = replies[3]!;
      expect(limited.headers['x-ratelimit-limit']).toBe('3');
      expect(Number(limited.headers['retry-after'])).toBe(1);
      expect(Number(limited.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(1);
      expect(json(limited)['error']).toBe('rate_limited');
    } finally {
      await server.close();
    }
  });

  it('limits each client separately', async () => {
    const server = await startMockServer({
      profile: {
        rateLimit: { ratePerSec: 1, burst: 1 },
        auth: {
          clients: [
            { id: 'a', secret: 'a' },
            { id: 'b', secret: 'b' },
          ],
        },
      },
    });
    try {
      const [a, b] = [await getToken(server.url, 'a', 'a'), await getToken(server.url, 'b', 'b')];
      expect((await generate(server.url, a)).status).toBe(200);
      expect((await generate(server.url, a)).status).toBe(429);
      expect((await generate(server.url, b)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('token bucket', () => {
  it('refills at the configured rate and reports Retry-After as whole seconds ≥ 1', () => {
    const limiter = new RateLimiter(2, 2);
    expect(limiter.take('c', 0).allowed).toBe(true);
    expect(limiter.take('c', 0).allowed).toBe(true);
    const refused = limiter.take('c', 0);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSec: 1, resetSec: 1 });
    // 2 per second: one token back after 500 ms.
    expect(limiter.take('c', 499).allowed).toBe(false);
    expect(limiter.take('c', 501).allowed).toBe(true);
    // Slow refill: 0.1/s → 10 s to earn one request.
    const slow = new RateLimiter(0.1, 1);
    slow.take('c', 0);
    expect(slow.take('c', 0).retryAfterSec).toBe(10);
  });
});
