import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../../mock-server/index.js';
import { generate, getToken, json, request } from './client.js';

describe('scale and determinism', () => {
  it('holds 2,000 concurrent keep-alive connections at 10 ms service, twice over, and closes promptly', async () => {
    // 2,000 rather than 5,000 here: client and server share one process (and the runner other test files);
    // the 5,000-connection check is a by-hand run with autocannon in its own process (see the README).
    const connections = 2000;
    const server = await startMockServer({ profile: { generate: { latency: '10ms' } } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    try {
      const token = await getToken(server.url);
      const body = JSON.stringify({ prompt: 'p', max_tokens: 2, temperature: 0 });
      const round = () =>
        Promise.all(
          Array.from({ length: connections }, () =>
            request(`${server.url}/v1/generate`, {
              method: 'POST',
              agent,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body,
            }),
          ),
        );
      const first = await round();
      expect(first.every((r) => r.status === 200)).toBe(true);
      const second = await round();
      expect(second.every((r) => r.status === 200)).toBe(true);
      expect(server.stats().byRoute['/v1/generate']).toEqual({ '200': 2 * connections });
      const startMs = performance.now();
      await server.close();
      expect(performance.now() - startMs).toBeLessThan(1000);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('produces the same completions for the same seed, and different ones for another seed', async () => {
    const completions = async (seed: number) => {
      const server = await startMockServer({ profile: 'fast', seed });
      try {
        const token = await getToken(server.url);
        const out: string[] = [];
        for (let i = 0; i < 3; i++) out.push(json(await generate(server.url, token))['result'] as string);
        return out;
      } finally {
        await server.close();
      }
    };
    const a = await completions(7);
    expect(await completions(7)).toEqual(a);
    expect(await completions(8)).not.toEqual(a);
  });
});
