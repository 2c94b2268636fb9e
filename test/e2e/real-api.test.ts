import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { RunResult } from '../../src/result/types.js';
import { TOOL_VERSION } from '../../src/version.js';
import { fakeIo } from '../helpers/fake-io.js';
import { startRecordingServer } from '../helpers/recording-server.js';

type Server = Awaited<ReturnType<typeof startRecordingServer>>;
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * A run passes or is marked invalid: the target runs in the test's own process on a shared 2-core machine, where
 * an event-loop stall can mark the generator saturated. What these tests pin is what reached the server.
 */
const COMPLETED = [EXIT.ok, EXIT.invalidRun];

/** Runs a short scenario through the CLI against `target`; `body` is everything after the target line. */
async function run(target: string, body: string, args: string[] = [], env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'tailscope-real-api-'));
  const file = join(dir, 's.yaml');
  await writeFile(file, `name: real-api\ntarget: { url: "${target}" }\n${body}
load: { open: [{ hold: 500ms, rate: 20 }] }
warmup: 0
workers: 1
`);
  const fake = fakeIo(dir, env);
  const code = await runCli(['run', file, '--out', join(dir, 'out'), '--quiet', ...args], fake.io);
  const result = code === EXIT.badInput ? undefined : JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8')) as RunResult;
  return { code, result, stdout: fake.stdout(), stderr: fake.stderr(), dir };
}

describe('a target URL with a base path', () => {
  it.each(['wire', 'node'])('sends every request, and the OAuth2 token request, under /api/v2 with the %s engine', async (engine) => {
    server = await startRecordingServer({ basePath: '/api/v2' });
    const { code, result, stdout } = await run(`${server.origin}/api/v2`, `engine: ${engine}
auth: { oauth2: { tokenUrl: /oauth/token, clientId: c, clientSecret: s3cr3t-value } }
requests: [{ name: generate, method: POST, path: /generate, json: { prompt: hi } }]`);
    expect(COMPLETED, stdout).toContain(code);
    const paths = new Set(server.seen.map((s) => `${s.method} ${s.url}`));
    expect(paths).toEqual(new Set(['POST /api/v2/oauth/token', 'POST /api/v2/generate']));
    expect(result!.totals.errors).toBe(0);
    expect(result!.target.url).toBe(`${server.origin}/api/v2`);
    expect(stdout).toContain('errors 0.00%');
  });

  it('opens WebSocket streams under the base path too', async () => {
    server = await startRecordingServer({ basePath: '/api/v2' });
    const { code, result } = await run(`${server.origin}/api/v2/`, 'requests: [{ name: s, path: /v1/stream, stream: ws, json: { prompt: hi } }]');
    expect(COMPLETED).toContain(code);
    expect(new Set(server.seen.map((s) => s.url))).toEqual(new Set(['/api/v2/v1/stream']));
    expect(result!.totals.errors).toBe(0);
  });
});

describe('User-Agent', () => {
  it.each([
    ['wire', 'generate'],
    ['node', 'generate'],
    ['wire', 'stream'],
  ])('says tailscope/<version> on every request (%s engine, %s), the token request included', async (engine, kind) => {
    server = await startRecordingServer({ basePath: '/api' });
    const request = kind === 'stream' ? '{ name: s, path: /v1/stream, stream: ws, json: {} }' : '{ name: g, path: /g }';
    await run(`${server.origin}/api`, `engine: ${engine}
auth: { oauth2: { tokenUrl: /oauth/token, clientId: c, clientSecret: s3cr3t-value } }
requests: [${request}]`);
    expect(server.seen.length).toBeGreaterThan(1);
    expect(new Set(server.seen.map((s) => s.headers['user-agent']))).toEqual(new Set([`tailscope/${TOOL_VERSION}`]));
  });

  it('is the scenario\'s own when it sets one', async () => {
    server = await startRecordingServer({ basePath: '/api' });
    await run(`${server.origin}/api`, 'requests: [{ name: g, path: /g, headers: { User-Agent: probe/1 } }]');
    expect(new Set(server.seen.map((s) => s.headers['user-agent']))).toEqual(new Set(['probe/1']));
  });
});
