import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, OAuth2Session } from '../../src/client/oauth2.js';

/** A token endpoint that issues token-1, token-2, … with the lifetime given, and counts requests. */
async function tokenEndpoint(expiresInSeconds: number, status = 200) {
  let issued = 0;
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      issued += 1;
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(
          status === 200
            ? JSON.stringify({ access_token: `token-${issued}`, token_type: 'Bearer', expires_in: expiresInSeconds })
            : JSON.stringify({ error: 'invalid_client', echo: body }),
        );
      }, 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`);
  return { url, issued: () => issued, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function session(url: URL, now: () => number, latencies: number[] = []) {
  return new OAuth2Session(
    { tokenUrl: url, clientId: 'demo', clientSecret: 's3cret', clientAuth: 'body', refreshMarginMs: 30_000 },
    (latencyUs) => latencies.push(latencyUs),
    now,
  );
}

describe('OAuth2 client-credentials session', () => {
  it('sends the grant once for many concurrent callers and records the round trip', async () => {
    const endpoint = await tokenEndpoint(3600);
    closers.push(endpoint.close);
    const latencies: number[] = [];
    const s = session(endpoint.url, () => 0, latencies);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => s.token()));
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(endpoint.issued()).toBe(1);
    expect(endpoint.bodies[0]).toBe('grant_type=client_credentials&client_id=demo&client_secret=s3cret');
    expect(latencies).toHaveLength(1);
    expect(latencies[0]).toBeGreaterThanOrEqual(15_000);
  });

  it('refreshes in the background ahead of expiry, handing out the current token meanwhile', async () => {
    const endpoint = await tokenEndpoint(10); // 10 s lives shorter than 2 × the 30 s margin: refresh at 5 s
    closers.push(endpoint.close);
    let now = 0;
    const s = session(endpoint.url, () => now);
    expect(await s.token()).toBe('token-1');
    now = 4_000;
    expect(await s.token()).toBe('token-1');
    expect(endpoint.issued()).toBe(1);
    now = 6_000;
    expect(await s.token()).toBe('token-1'); // still valid: returned at once, refresh starts behind it
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(endpoint.issued()).toBe(2);
    expect(await s.token()).toBe('token-2');
  });

  it('renews after a 401 only if the rejected token is still the current one', async () => {
    const endpoint = await tokenEndpoint(3600);
    closers.push(endpoint.close);
    const s = session(endpoint.url, () => 0);
    const first = await s.token();
    expect(await s.renew(first)).toBe('token-2');
    expect(await s.renew(first)).toBe('token-2'); // a second 401 for the old token does not fetch again
    expect(endpoint.issued()).toBe(2);
  });

  it('fails with the OAuth2 error code only, never echoing the body (which may hold the secret)', async () => {
    const endpoint = await tokenEndpoint(3600, 401);
    closers.push(endpoint.close);
    const error = await session(endpoint.url, () => 0)
      .token()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).message).toBe('401 invalid_client from /oauth/token');
    expect((error as AuthError).message).not.toContain('s3cret');
  });
});
