import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMockServer } from '../../mock-server/index.js';
import { runCli } from '../../src/cli/program.js';
import type { RunResult } from '../../src/result/types.js';
import { fakeIo } from '../helpers/fake-io.js';

/**
 * What init drafts runs against the mock it was drafted from with zero errors: from the mock's OpenAPI document,
 * and from a HAR recorded against the mock. One mock for the file (fixed 20 ms service: the in-process mock must not starve the generator of CPU, or the run is judged invalid); each run holds 2 users for 1 s, with the
 * credentials given as the variables the draft asks for and the drafted load cut short with --set.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
let mock: RunningMockServer;
let dir: string;

beforeAll(async () => {
  mock = await startMockServer({ port: 0, profile: 'fixed-20ms' });
  dir = await mkdtemp(join(tmpdir(), 'tailscope-init-'));
});
afterAll(async () => {
  await mock?.close();
  await rm(dir, { recursive: true, force: true });
});

async function draftAndRun(source: string[], file: string, sets: string[] = []): Promise<RunResult> {
  const init = fakeIo(root);
  expect(await runCli(['init', join(dir, file), ...source], init.io), init.stderr()).toBe(0);
  expect(init.stdout()).toContain('CLIENT_ID, CLIENT_SECRET');
  const run = fakeIo(root);
  const code = await runCli(
    [
      'run',
      join(dir, file),
      '--out',
      join(dir, `${file}.out`),
      '--quiet',
      '--target',
      mock.url,
      ...['-e', 'CLIENT_ID=demo', '-e', 'CLIENT_SECRET=demo-secret', '-e', 'COOKIE=session=test'],
      ...['--set', 'load.closed=[{hold: 1s, concurrency: 2}]', '--set', 'warmup=0s', '--set', 'workers=1'],
      ...sets.flatMap((set) => ['--set', set]),
    ],
    run.io,
  );
  const result = JSON.parse(await readFile(join(dir, `${file}.out`, 'result.json'), 'utf8')) as RunResult;
  // Passes, unless the generator was judged saturated on a busy machine (3), which says nothing of the draft.
  expect(code, run.stderr()).toBe(result.health.valid ? 0 : 3);
  return result;
}

describe('init drafts that run clean against the mock', () => {
  it('from mock-server/openapi.yaml: every sendable operation, zero errors', async () => {
    const result = await draftAndRun(['--from-openapi', 'mock-server/openapi.yaml'], 'openapi.yaml');
    expect(result.totals.requests).toBeGreaterThan(20);
    expect(result.totals.errors).toBe(0);
    expect(Object.keys(result.requestsByName).sort()).toEqual(['generate', 'health', 'metrics']);
  }, 30_000);

  it('from a HAR recorded against the mock: the recorded requests as one flow, zero errors', async () => {
    // The recording paused 1.2 s and 2.5 s between its requests: shortened here so a 1 s run replays it whole.
    const result = await draftAndRun(['--from-har', 'test/fixtures/mock-recording.har'], 'har.yaml', [
      'flows[0].steps[0].think=20ms',
      'flows[0].steps[1].think=20ms',
    ]);
    expect(result.totals.errors).toBe(0);
    expect(Object.keys(result.requestsByName).sort()).toEqual(['get-healthz', 'post-v1-generate', 'post-v1-generate-2']);
    expect(result.flows?.['recording']?.completed).toBeGreaterThan(0);
  }, 30_000);
});
