import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../../mock-server/index.js';
import { BUSY_RUNNER_SLACK_MS, generate, getToken, json, percentile, request, serverTiming } from './client.js';
import { probeTimerLateness, withTimerLateness } from '../helpers/timer-lateness.js';

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
      const submittingAt = performance.now();
      const first = await generate(server.url, token, { async: true, max_tokens: 3 });
      const second = await generate(server.url, token, { async: true, max_tokens: 3 });
      // The second job arrived at most this long after the first started its 300 ms.
      const arrivalGapMs = performance.now() - submittingAt;
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
      // It waited for the rest of the first job's service: at least 300 ms less the gap between their arrivals.
      expect(result.meta['queue_ms']).toBeGreaterThanOrEqual(300 - arrivalGapMs);
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
      // Single samples: a timer of this loop can be late by what the probe measures it late by in the same span.
      const probe = probeTimerLateness();
      const before = serverTiming((await generate(server.url, token)).headers['server-timing'])['app']!;
      const swap = await request(`${server.url}/__admin/profile`, {
        method: 'POST',
        headers: { 'content-type': 'application/yaml' },
        body: 'name: slower\ngenerate:\n  latency: 60ms\n',
      });
      expect(swap.status).toBe(200);
      expect(json(swap)).toEqual({ ok: true, name: 'slower' });
      const after = serverTiming((await generate(server.url, token)).headers['server-timing'])['app']!;
      const lateMaxMs = probe.stop().maxMs;
      expect(before).toBeGreaterThanOrEqual(20);
      expect(before).toBeLessThan(20 + BUSY_RUNNER_SLACK_MS + lateMaxMs);
      expect(after).toBeGreaterThanOrEqual(60);
      expect(after).toBeLessThan(60 + BUSY_RUNNER_SLACK_MS + lateMaxMs);
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
      const { result: reply, lateness } = await withTimerLateness(() => generate(server.url, token));
      const app = serverTiming(reply.headers['server-timing'])['app']!;
      // Still the old 20 ms profile: never less, and later only by what this loop's timers were measured late by.
      expect(app).toBeGreaterThanOrEqual(20);
      expect(app).toBeLessThan(20 + BUSY_RUNNER_SLACK_MS + lateness.maxMs);
    } finally {
      await server.close();
    }
  });
});

describe('dynamic batching', () => {
  it('serves up to maxBatch requests per slot: 1 slot × batch 4 / 50 ms = 80 rps at concurrency 8', async () => {
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
      const { lateness } = await withTimerLateness(() => Promise.all(Array.from({ length: 8 }, worker)));
      const throughput = completed / ((performance.now() - startMs) / 1000);
      // Each batch costs the service time the server really spent (50 ms, later on a busy machine by what this
      // loop's timers were measured late by, once for the batch timer and once for the window's) plus up to the
      // 5 ms window when it does not fill at once, plus the turnaround before the next batch gathers: the
      // replies' and the next requests' wake-ups of this loop (three, each late by the measured median).
      const lateP50 = lateness.quantile(0.5);
      const appP50 = percentile(apps, 50);
      expect(appP50).toBeGreaterThanOrEqual(50);
      expect(appP50).toBeLessThan(51.5 + 2 * lateP50);
      expect(throughput).toBeGreaterThan((4 / ((appP50 + 5 + 3 * lateP50) / 1000)) * 0.9);
      expect(throughput).toBeLessThan(80 * 1.1);
    } finally {
      await server.close();
    }
  });
});
