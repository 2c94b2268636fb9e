import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../../mock-server/index.js';
import { BUSY_RUNNER_SLACK_MS, generate, getToken, json, percentile, request, serverTiming, TIMING_TEST } from './client.js';

describe('async jobs', () => {
  it('answers 202 {id} at once, then reports queued → running → done with the result', async () => {
    const server = await startMockServer({
      profile: {
        capacity: { slots: 1 },
        generate: { latency: '300ms' },
        auth: {
          clients: [
            { id: 'a', secret: 'a' },
            { id: 'b', secret: 'b' },
          ],
        },
      },
    });
    try {
      const token = await getToken(server.url, 'a', 'a');
      const first = await generate(server.url, token, { async: true, max_tokens: 3 });
      const second = await generate(server.url, token, { async: true, max_tokens: 3 });
      expect([first.status, second.status]).toEqual([202, 202]);
      expect(first.elapsedMs).toBeLessThan(50);
      const firstId = json(first)['id'] as string;
      const secondId = json(second)['id'] as string;
      expect(first.headers['location']).toBe(`/v1/jobs/${firstId}`);
      const poll = (id: string, t = token) => request(`${server.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${t}` } });
      // One slot, 300 ms each: the first job runs while the second waits for it.
      expect(json(await poll(firstId))['status']).toBe('running');
      expect(json(await poll(secondId))['status']).toBe('queued');
      await new Promise((resolve) => setTimeout(resolve, 700));
      const done = json(await poll(secondId));
      expect(done['status']).toBe('done');
      const result = done['result'] as { usage: Record<string, number>; meta: Record<string, number> };
      expect(result.usage['completion_tokens']).toBe(3);
      expect(result.meta['latency_ms']).toBeGreaterThanOrEqual(300);
      expect(result.meta['queue_ms']).toBeGreaterThan(290);
      // Another client cannot see a's jobs; an unknown id is 404 too; no token is 401.
      expect((await poll(firstId, await getToken(server.url, 'b', 'b'))).status).toBe(404);
      expect((await poll('job_nope')).status).toBe(404);
      expect((await request(`${server.url}/v1/jobs/${firstId}`)).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('POSTs the finished job to a loopback callback_url', async () => {
    let deliver: (job: Record<string, unknown>) => void = () => {};
    const received = new Promise<Record<string, unknown>>((resolve) => (deliver = resolve));
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.end();
        deliver(JSON.parse(body) as Record<string, unknown>);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const server = await startMockServer({ profile: 'fast' });
    try {
      const token = await getToken(server.url);
      const port = (receiver.address() as AddressInfo).port;
      const reply = await generate(server.url, token, { async: true, callback_url: `http://127.0.0.1:${port}/hook` });
      expect(reply.status).toBe(202);
      const job = await received;
      expect(job).toMatchObject({ id: json(reply)['id'], status: 'done', result: { usage: { completion_tokens: 8 } } });
    } finally {
      receiver.close();
      await server.close();
    }
  });
});

describe('admin', () => {
  it('swaps the profile at run time from a YAML body, and rejects a bad one with the field', async () => {
    const server = await startMockServer({ profile: 'fixed-20ms' });
    try {
      const token = await getToken(server.url);
      expect(serverTiming((await generate(server.url, token)).headers['server-timing'])['app']).toBeLessThan(20 + BUSY_RUNNER_SLACK_MS);
      const swap = await request(`${server.url}/__admin/profile`, {
        method: 'POST',
        headers: { 'content-type': 'application/yaml' },
        body: 'name: slower\ngenerate:\n  latency: 60ms\n',
      });
      expect(swap.status).toBe(200);
      expect(json(swap)).toEqual({ ok: true, name: 'slower' });
      const after = serverTiming((await generate(server.url, token)).headers['server-timing'])['app']!;
      expect(after).toBeGreaterThanOrEqual(60);
      expect(after).toBeLessThan(60 + BUSY_RUNNER_SLACK_MS);
      const bad = await request(`${server.url}/__admin/profile`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ capacity: { slots: -2 } }),
      });
      expect(bad.status).toBe(400);
      expect(json(bad)).toMatchObject({ error: 'invalid_profile', field: 'capacity.slots' });
      // Admin traffic is kept out of the stats it reports.
      expect(Object.keys(server.stats().byRoute).sort()).toEqual(['/oauth/token', '/v1/generate']);
    } finally {
      await server.close();
    }
  });

  it('throws ProfileError from setProfile on an invalid profile and keeps the old one', async () => {
    const server = await startMockServer({ profile: 'fixed-20ms' });
    try {
      expect(() => server.setProfile({ generate: { latency: 'soon' } })).toThrow(/generate\.latency/);
      const token = await getToken(server.url);
      const app = serverTiming((await generate(server.url, token)).headers['server-timing'])['app']!;
      expect(app).toBeGreaterThanOrEqual(20);
      expect(app).toBeLessThan(20 + BUSY_RUNNER_SLACK_MS);
    } finally {
      await server.close();
    }
  });
});

describe('dynamic batching', () => {
  it('serves up to maxBatch requests per slot: 1 slot × batch 4 / 50 ms = 80 rps at concurrency 8', TIMING_TEST, async () => {
    const server = await startMockServer({
      profile: { capacity: { slots: 1, maxBatch: 4, batchWindow: '5ms' }, generate: { latency: '50ms' } },
    });
    try {
      const token = await getToken(server.url);
      const startMs = performance.now();
      let completed = 0;
      const apps: number[] = [];
      const worker = async () => {
        while (performance.now() - startMs < 1500) {
          const reply = await generate(server.url, token);
          expect(reply.status).toBe(200);
          apps.push(serverTiming(reply.headers['server-timing'])['app']!);
          completed++;
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      const throughput = completed / ((performance.now() - startMs) / 1000);
      // Each batch costs 50 ms of service plus up to the 5 ms window when it does not fill at once.
      expect(throughput).toBeGreaterThan((4 / 0.055) * 0.9);
      expect(throughput).toBeLessThan(80 * 1.1);
      expect(percentile(apps, 50)).toBeGreaterThanOrEqual(50);
      expect(percentile(apps, 50)).toBeLessThan(51.5);
    } finally {
      await server.close();
    }
  });
});
