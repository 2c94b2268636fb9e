import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMockServer } from '../../mock-server/index.js';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { RunResult } from '../../src/result/types.js';
import { fakeIo } from '../helpers/fake-io.js';
import { runYaml } from '../helpers/run.js';
import { analyze } from '../../src/analysis/analyze.js';

const AUTH = `auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }`;
const GENERATE = `requests: [{ name: g, method: POST, path: /v1/generate, json: { prompt: p, max_tokens: 4, temperature: 0 } }]`;

describe('faults never crash a run', () => {
  // Counting injected statuses, resets, garbage and hangs by kind: engines-agree.test.ts, for each engine.

  it('counts a refused target as refused, every request', async () => {
    // A server that answers the preflight's one connection and then stops listening: every load attempt after
    // it is refused. (A target refused from the start never gets load: the preflight exits 2, see exit-codes.)
    const server = createServer((socket) => {
      socket.destroy();
      server.close();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const result = await runYaml(`name: refused
target: { url: "http://127.0.0.1:${(server.address() as AddressInfo).port}" }
requests: [{ name: h, method: GET, path: /healthz }]
load: { closed: [{ hold: 1s, concurrency: 2 }] }
warmup: 0s
workers: 1
`);
    expect(result.totals.requests).toBeGreaterThan(0);
    expect(result.totals.errorsByKind.byKind.refused).toBe(result.totals.requests);
    // Every stage failed: no knee, no capacity curve from it.
    expect(analyze(result).capacity.knee).toBeUndefined();
  });
});

describe('SIGINT mid-run', () => {
  it('stops within 2 s, exits 130 and writes a result whose request count matches the server’s', async () => {
    const server = await startMockServer({ profile: { name: 'steady', generate: { latency: '20ms' } } });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'tailscope-sigint-'));
      const scenario = join(dir, 'long.yaml');
      await writeFile(
        scenario,
        `name: long
target: { url: "${server.url}" }
${AUTH}
${GENERATE}
load: { closed: [{ hold: 60s, concurrency: 6 }] }
workers: 2
`,
      );
      const { io, interrupt } = fakeIo(dir);
      const running = runCli(['run', scenario, '--out', join(dir, 'out'), '--quiet'], io);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const interruptedAt = performance.now();
      interrupt();
      const code = await running;
      const stopMs = performance.now() - interruptedAt;

      expect(code).toBe(EXIT.interrupted);
      // Report writing (HTML with inlined charts) is part of the 2 s.
      expect(stopMs).toBeLessThan(2000);
      const result = JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8')) as RunResult;
      expect(result.interrupted).toBe(true);
      const served = server.stats().byRoute['/v1/generate'] ?? {};
      const servedCount = Object.values(served).reduce((a, b) => a + b, 0);
      expect(result.totals.requests).toBeGreaterThan(100);
      expect(result.totals.requests).toBe(servedCount);
    } finally {
      await server.close();
    }
  });
});
