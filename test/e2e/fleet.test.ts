import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type MockServerHandle } from '../../mock-server/index.js';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { mergeEncoded } from '../../src/shared/histogram.js';
import type { RunResult } from '../../src/result/types.js';
import { fakeIo } from '../helpers/fake-io.js';
import { natsServerPath, startNatsServer, type NatsServer } from '../helpers/nats-server.js';

const NATS = natsServerPath();
// CI installs nats-server (.ci/run): there these tests must run. Elsewhere they skip, saying why.
const skip = !NATS && !process.env.CI;
if (skip) console.warn('skipping the live multi-machine tests: nats-server is not installed (apt-get install nats-server)');

const read = async <T = RunResult>(path: string) => JSON.parse(await readFile(path, 'utf8')) as T;
const served = (server: MockServerHandle) =>
  Object.values(server.stats().byRoute['/v1/generate'] ?? {}).reduce((a, b) => a + b, 0);

interface FleetJson {
  startSpreadMs: number | null;
  liveRequests: number;
  lost: number[];
  shards: { shard: number; clockOffsetMs?: number; snapshots: number; duplicates: number; lost?: { afterStartMs: number } }[];
}

async function scenarioFile(dir: string, url: string, extra = '', load = '{ closed: [{ hold: 3s, concurrency: 8 }] }') {
  const file = join(dir, 'fleet.yaml');
  await writeFile(
    file,
    `name: fleet
target: { url: "${url}" }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests: [{ name: generate, method: POST, path: /v1/generate, json: { prompt: p, max_tokens: 4, temperature: 0 } }]
load: ${load}
interval: 500ms
warmup: 0s
workers: 1
${extra}`,
  );
  return file;
}

describe.skipIf(skip)('a live run over NATS JetStream', () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await startNatsServer(NATS!);
  });
  afterAll(async () => {
    await nats?.close();
  });

  it('starts four generators together and merges their live snapshots into one exact result', async () => {
    const server = await startMockServer({ profile: { name: 'steady', generate: { latency: '10ms' } } });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'tailscope-fleet-'));
      const scenario = await scenarioFile(dir, server.url, 'thresholds: ["p99 < 2s"]\n');
      const coordinatorIo = fakeIo(dir);
      const coordinator = runCli(
        ['coordinate', scenario, '--nats', nats.url, '--generators', '4', '--out', join(dir, 'whole'), '--run-id', 'four', '--start-lead', '1'],
        coordinatorIo.io,
      );
      const ios = [0, 1, 2, 3].map(() => fakeIo(dir));
      const generators = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          runCli(['run', scenario, '--nats', nats.url, '--run-id', 'four', '--shard', `${i}/4`, '--out', join(dir, `gen-${i}`), '--quiet'], ios[i]!.io),
        ),
      );
      const all = [coordinatorIo, ...ios].map((i) => i.stdout() + i.stderr()).join('\n---\n');
      expect(generators, all).toEqual([EXIT.ok, EXIT.ok, EXIT.ok, EXIT.ok]);
      expect(await coordinator, all).toBe(EXIT.ok);

      const whole = await read(join(dir, 'whole', 'result.json'));
      const parts = await Promise.all([0, 1, 2, 3].map((i) => read(join(dir, 'whole', 'shards', String(i), 'result.json'))));
      const fleet = await read<FleetJson>(join(dir, 'whole', 'fleet.json'));
      // The mock's own count is the truth: every request it served is in the merged result, once.
      expect(whole.totals.requests).toBe(served(server));
      expect(fleet.liveRequests).toBe(whole.totals.requests);
      expect(fleet.shards.every((s) => s.duplicates === 0)).toBe(true);
      // Exact: the merged percentiles are those of one histogram of all four shards' requests.
      const added = mergeEncoded(parts.map((p) => p.histograms.total!));
      expect(whole.totals.latency.p99).toBe(added.getValueAtPercentile(99) / 1000);
      expect(whole.totals.latency.p50).toBe(added.getValueAtPercentile(50) / 1000);
      expect(whole.health.valid, whole.health.reasons.join('; ')).toBe(true);
      // Each generator measures its own start in the coordinator's clock; on one machine they agree to a few ms.
      expect(fleet.startSpreadMs).not.toBeNull();
      expect(fleet.startSpreadMs!).toBeLessThanOrEqual(50);
      expect(fleet.shards.every((s) => s.clockOffsetMs !== undefined && Math.abs(s.clockOffsetMs) < 50)).toBe(true);
      expect(coordinatorIo.stderr()).toMatch(/^\[\s+\d+s\] .* req\/s/m);
      // The secret stays with each process: nothing the coordinator heard or wrote carries it.
      for (const name of ['result.json', 'fleet.json', 'index.html'])
        expect(await readFile(join(dir, 'whole', name), 'utf8')).not.toContain('demo-secret');
    } finally {
      await server.close();
    }
  }, 30_000);
});
