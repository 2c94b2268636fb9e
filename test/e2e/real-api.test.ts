import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { RunResult } from '../../src/result/types.js';
import { TOOL_VERSION } from '../../src/version.js';
import { fakeIo } from '../helpers/fake-io.js';
import { startRecordingServer, TEST_CERT_FILE } from '../helpers/recording-server.js';
import { INSECURE_WARNING } from '../../src/cli/commands/run.js';
import { createEngine } from '../../src/engines/index.js';
import { tlsConnectionOptions } from '../../src/engines/tls.js';

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
interface RunOptions {
  args?: string[];
  env?: Record<string, string>;
  /** files to put beside the scenario before the run */
  prepare?: (dir: string) => Promise<void>;
  load?: string;
}

async function run(
  target: string,
  body: string,
  { args = [], env = {}, prepare, load = '{ open: [{ hold: 500ms, rate: 20 }] }' }: RunOptions = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'tailscope-real-api-'));
  await prepare?.(dir);
  const file = join(dir, 's.yaml');
  await writeFile(
    file,
    `name: real-api\ntarget: { url: "${target}" }\n${body}
load: ${load}
warmup: 0
workers: 1
`,
  );
  const fake = fakeIo(dir, env);
  const code = await runCli(['run', file, '--out', join(dir, 'out'), '--quiet', ...args], fake.io);
  const result = code === EXIT.badInput ? undefined : (JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8')) as RunResult);
  return { code, result, stdout: fake.stdout(), stderr: fake.stderr(), dir };
}

describe('a target URL with a base path', () => {
  it.each(['wire', 'node'])('sends every request, and the OAuth2 token request, under /api/v2 with the %s engine', async (engine) => {
    server = await startRecordingServer({ basePath: '/api/v2' });
    const { code, result, stdout } = await run(
      `${server.origin}/api/v2`,
      `engine: ${engine}
auth: { oauth2: { tokenUrl: /oauth/token, clientId: c, clientSecret: s3cr3t-value } }
requests: [{ name: generate, method: POST, path: /generate, json: { prompt: hi } }]`,
    );
    expect(COMPLETED, stdout).toContain(code);
    const paths = new Set(server.seen.map((s) => `${s.method} ${s.url}`));
    expect(paths).toEqual(new Set(['POST /api/v2/oauth/token', 'POST /api/v2/generate']));
    expect(result!.totals.errors).toBe(0);
    expect(result!.target.url).toBe(`${server.origin}/api/v2`);
    expect(stdout).toContain('errors 0.00%');
  });

  it('opens WebSocket streams under the base path too', async () => {
    server = await startRecordingServer({ basePath: '/api/v2' });
    const { code, result } = await run(
      `${server.origin}/api/v2/`,
      'requests: [{ name: s, path: /v1/stream, stream: ws, json: { prompt: hi } }]',
    );
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
    await run(
      `${server.origin}/api`,
      `engine: ${engine}
auth: { oauth2: { tokenUrl: /oauth/token, clientId: c, clientSecret: s3cr3t-value } }
requests: [${request}]`,
    );
    expect(server.seen.length).toBeGreaterThan(1);
    expect(new Set(server.seen.map((s) => s.headers['user-agent']))).toEqual(new Set([`tailscope/${TOOL_VERSION}`]));
  });

  it("is the scenario's own when it sets one", async () => {
    server = await startRecordingServer({ basePath: '/api' });
    await run(`${server.origin}/api`, 'requests: [{ name: g, path: /g, headers: { User-Agent: probe/1 } }]');
    expect(new Set(server.seen.map((s) => s.headers['user-agent']))).toEqual(new Set(['probe/1']));
  });
});

describe('an HTTPS target with its own CA (client.tls)', () => {
  it.each(['wire', 'node'])('succeeds under the base path with client.tls.ca (%s engine), token request included', async (engine) => {
    server = await startRecordingServer({ basePath: '/api/v2', tls: true });
    const { code, result, stdout } = await run(
      `${server.origin}/api/v2`,
      `engine: ${engine}
auth: { oauth2: { tokenUrl: /oauth/token, clientId: c, clientSecret: s3cr3t-value } }
client: { tls: { ca: ca.pem } }
requests:
  - { name: generate, method: POST, path: /generate, json: { prompt: hi } }
  - { name: stream, path: /v1/stream, stream: ws, json: { prompt: hi } }`,
      { prepare: (dir) => copyFile(TEST_CERT_FILE, join(dir, 'ca.pem')) },
    );
    expect(COMPLETED, stdout).toContain(code);
    expect(result!.totals.errors).toBe(0);
    expect(new Set(server.seen.map((s) => `${s.method} ${s.url}`))).toEqual(
      new Set(['POST /api/v2/oauth/token', 'POST /api/v2/generate', 'UPGRADE /api/v2/v1/stream']),
    );
    expect(result!.tls).toEqual({ insecure: false });
  });

  it('without the CA counts every attempt as tls_cert, says why before the load and in the summary, and ends as unreachable', async () => {
    server = await startRecordingServer({ basePath: '/api/v2', tls: true });
    const { code, stderr, stdout, result } = await run(`${server.origin}/api/v2`, 'requests: [{ name: g, path: /g }]', {
      load: '{ open: [{ hold: 3s, rate: 20 }] }',
    });
    expect(stderr).toMatch(
      /warning: https:\/\/127\.0\.0\.1:\d+: tls_cert: the server's certificate is not trusted: self[- ]signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\); give its CA as client\.tls\.ca/,
    );
    expect(server.seen).toEqual([]);
    expect(result!.totals.requests).toBeGreaterThan(0);
    expect(result!.totals.errorsByKind.byKind).toEqual({ tls_cert: result!.totals.requests });
    // The summary prints the first message of each kind, with the OS code kept.
    expect(stdout).toMatch(/tls_cert.*self[- ]signed certificate.*DEPTH_ZERO_SELF_SIGNED_CERT/);
    // Two seconds in which every attempt failed its TLS session end the run as unreachable, not as saturated.
    expect(code).toBe(EXIT.invalidRun);
    expect(stdout).toMatch(/target unreachable: .*tls_cert/);
  });

  it('names servername when the certificate is for another name', async () => {
    server = await startRecordingServer({ basePath: '/api', tls: true });
    const { code, stderr, result } = await run(
      `${server.origin}/api`,
      `client: { tls: { ca: ca.pem, servername: api.example.com } }
requests: [{ name: g, path: /g }]`,
      { prepare: (dir) => copyFile(TEST_CERT_FILE, join(dir, 'ca.pem')) },
    );
    // A half-second run with no threshold: it completes, every attempt counted under tls_cert.
    expect(COMPLETED).toContain(code);
    expect(result!.totals.errorsByKind.byKind).toEqual({ tls_cert: result!.totals.requests });
    expect(stderr).toContain('(ERR_TLS_CERT_ALTNAME_INVALID)');
    expect(stderr).toContain('client.tls.servername');
  });

  it('with insecure: true runs unverified, warns on stderr and records it in the result', async () => {
    server = await startRecordingServer({ basePath: '/api', tls: true });
    const { code, result, stderr, stdout } = await run(
      `${server.origin}/api`,
      `client: { tls: { insecure: true } }
requests: [{ name: g, path: /g }]`,
    );
    expect(COMPLETED, stdout).toContain(code);
    expect(result!.totals.errors).toBe(0);
    expect(stderr).toContain(INSECURE_WARNING);
    expect(result!.tls).toEqual({ insecure: true });
    expect(stdout).toContain('TLS certificates were not verified');
  });

  it('refuses a CA file that is not there, at its line, before anything starts', async () => {
    server = await startRecordingServer({ basePath: '/api', tls: true });
    const { code, stderr } = await run(
      `${server.origin}/api`,
      `client:
  tls:
    ca: missing.pem
requests: [{ name: g, path: /g }]`,
    );
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toMatch(/s\.yaml:5:\d+.*client\.tls\.ca.*cannot read .*missing\.pem \(ENOENT\)/);
    expect(server.seen).toEqual([]);
  });
});

describe('engines count a certificate they do not trust as tls_cert, keeping the OS code', () => {
  const options = (origin: string) => ({
    baseUrl: new URL(origin),
    keepAlive: true,
    poolSize: 1,
    timeouts: { connectMs: 2000, firstByteMs: 2000, totalMs: 2000, idleMs: 2000 },
    serverTiming: { header: 'Server-Timing', metric: 'app', queueMetric: 'queue' },
  });
  it.each([
    ['wire', 'none'],
    ['node', 'none'],
    ['wire', 'ws'],
  ] as const)('%s engine, stream %s', async (engine, stream) => {
    server = await startRecordingServer({ basePath: '/api', tls: true });
    const client = createEngine(engine, options(server.origin));
    try {
      const outcome = await client.send({ name: 'g', method: 'GET', path: '/api/g', headers: {}, stream });
      expect(outcome.errorKind).toBe('tls_cert');
      expect(outcome.errorCode).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      expect(outcome.errorMessage).toMatch(/self[- ]signed certificate/);
    } finally {
      await client.close();
    }
  });

  it.each(['wire', 'node'] as const)('%s engine sends once given the CA', async (engine) => {
    server = await startRecordingServer({ basePath: '/api', tls: true });
    const client = createEngine(engine, {
      ...options(server.origin),
      tls: tlsConnectionOptions({ ca: await readFile(TEST_CERT_FILE, 'utf8'), insecure: false }),
    });
    try {
      const outcome = await client.send({ name: 'g', method: 'GET', path: '/api/g', headers: {}, stream: 'none' });
      expect(outcome.errorKind).toBeUndefined();
      expect(outcome.status).toBe(200);
    } finally {
      await client.close();
    }
  });
});

describe('templates reach the server rendered', () => {
  it.each(['wire', 'node'])(
    'X-Request-Id: "{{ uuid }}" arrives as a distinct UUID on every request (%s engine), with vu, iteration, now and random',
    async (engine) => {
      server = await startRecordingServer({ basePath: '/api' });
      const before = Date.now();
      const { code, result, stdout } = await run(
        `${server.origin}/api`,
        `engine: ${engine}
requests:
  - name: g
    method: POST
    path: "/items/{{ random(1, 100) }}"
    query: { user: "{{ vu }}" }
    headers: { X-Request-Id: "{{ uuid }}", X-Iteration: "{{ iteration }}" }
    json: { id: "{{ uuid }}", at: "{{ now }}" }`,
      );
      expect(COMPLETED, stdout).toContain(code);
      expect(result!.totals.errors).toBe(0);
      const seen = server.seen.filter((s) => s.url.startsWith('/api/items/'));
      expect(seen.length).toBeGreaterThan(3);
      const ids = seen.map((s) => s.headers['x-request-id']);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Set(ids).size).toBe(ids.length);
      for (const s of seen) {
        const body = JSON.parse(s.body) as { id: string; at: number };
        expect(body.id).toBe(s.headers['x-request-id']);
        expect(body.at).toBeGreaterThanOrEqual(before);
        const [, item, user] = /^\/api\/items\/(\d+)\?user=(\d+)$/.exec(s.url)!;
        expect(Number(item)).toBeGreaterThanOrEqual(1);
        expect(Number(item)).toBeLessThanOrEqual(100);
        // An open model has no users: vu is 0, iteration numbers the arrivals.
        expect(user).toBe('0');
      }
      expect(new Set(seen.map((s) => s.headers['x-iteration'])).size).toBe(seen.length);
    },
  );

  it("numbers virtual users from 1 and counts each one's iterations from 0 in a closed model", async () => {
    server = await startRecordingServer({ basePath: '/api' });
    const { code, stdout } = await run(
      `${server.origin}/api`,
      'requests: [{ name: g, path: "/g", headers: { X-Vu: "{{ vu }}", X-Iteration: "{{ iteration }}" } }]',
      {
        load: '{ closed: [{ hold: 400ms, concurrency: 2 }] }',
      },
    );
    expect(COMPLETED, stdout).toContain(code);
    const byVu = new Map<string, number[]>();
    for (const s of server.seen)
      byVu.set(String(s.headers['x-vu']), [...(byVu.get(String(s.headers['x-vu'])) ?? []), Number(s.headers['x-iteration'])]);
    expect([...byVu.keys()].sort()).toEqual(['1', '2']);
    // Each user's requests go one after another, so the server sees its iterations in order.
    for (const iterations of byVu.values()) expect(iterations).toEqual(iterations.map((_, i) => i));
  });

  it('refuses an unknown template name at load time, with exit 2, its line, and no request sent', async () => {
    server = await startRecordingServer({ basePath: '/api' });
    const { code, stderr } = await run(
      `${server.origin}/api`,
      `requests:
  - name: g
    path: /g
    headers: { X-Request-Id: "{{ ids.id }}" }`,
    );
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toMatch(/s\.yaml:6:\d+: requests\[0\]\.headers\.X-Request-Id: unknown template name "ids"/);
    expect(server.seen).toEqual([]);
  });
});

describe('command-line overrides', () => {
  it("-e, --target and --set change the run and are shown in the result's scenario-as-run", async () => {
    server = await startRecordingServer({ basePath: '/api/v2' });
    const dir = await mkdtemp(join(tmpdir(), 'tailscope-overrides-'));
    const file = join(dir, 's.yaml');
    await writeFile(
      file,
      `name: overrides
target: { mock: { profile: fixed-20ms } }
requests: [{ name: g, path: /g, headers: { X-Run: "\${RUN:-none}" } }]
load: { closed: [{ hold: 400ms, concurrency: "\${VUS:-1}" }] }
warmup: 0
workers: 1
`,
    );
    const fake = fakeIo(dir, { VUS: '7', RUN: 'from-env' });
    const code = await runCli(
      [
        'run',
        file,
        '--out',
        join(dir, 'out'),
        '--quiet',
        '-e',
        'VUS=3',
        '-e',
        'RUN=from-flag',
        '--target',
        `${server.origin}/api/v2`,
        '--set',
        'requests[0].headers.X-Extra=yes',
        '--set',
        'load.closed[0].hold=300ms',
      ],
      fake.io,
    );
    expect(COMPLETED, fake.stdout() + fake.stderr()).toContain(code);
    const result = JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8')) as RunResult;
    // --target replaced the mock: every request reached the recording server, under its base path.
    expect(new Set(server.seen.map((s) => s.url))).toEqual(new Set(['/api/v2/g']));
    expect(new Set(server.seen.map((s) => `${String(s.headers['x-run'])} ${String(s.headers['x-extra'])}`))).toEqual(
      new Set(['from-flag yes']),
    );
    expect(result.stages[0]!.target).toBe(3);
    expect(result.target.url).toBe(`${server.origin}/api/v2`);
    expect(result.scenario.definition).toMatchObject({
      target: { url: `${server.origin}/api/v2` },
      requests: [{ headers: { 'X-Run': '${RUN:-none}', 'X-Extra': 'yes' } }],
      load: { closed: [{ hold: '300ms', concurrency: '${VUS:-1}' }] },
    });
    expect((result.scenario.definition as { target: object }).target).not.toHaveProperty('mock');
    expect(result.scenario.overrides).toEqual([
      '-e VUS=3',
      '-e RUN=from-flag',
      `--target ${server.origin}/api/v2`,
      '--set requests[0].headers.X-Extra=yes',
      '--set load.closed[0].hold=300ms',
    ]);
  });

  it.each([
    [['-e', 'VUS=lots'], /s\.yaml:\d+:\d+: load\.closed\[0\]\.concurrency: \$\{VUS:-1\} gives "lots", which is not a number/],
    [
      ['--set', 'load.closed[0].concurrency=many'],
      /load\.closed\[0\]\.concurrency: .*\(set by --set load\.closed\[0\]\.concurrency=many\)/,
    ],
    [['--set', 'load.closed[0]concurrency=1'], /--set load\.closed\[0\]concurrency=1: cannot read the path/],
    [['-e', 'VUS'], /-e VUS: write NAME=value/],
  ])('%j is refused with exit 2 before any request', async (args, message) => {
    server = await startRecordingServer({ basePath: '/api' });
    const { code, stderr } = await run(`${server.origin}/api`, 'requests: [{ name: g, path: /g }]', {
      args,
      load: '{ closed: [{ hold: 300ms, concurrency: "${VUS:-1}" }] }',
    });
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toMatch(message);
    expect(server.seen).toEqual([]);
  });
});
