import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { fakeIo } from '../helpers/fake-io.js';

const CLIENT_SECRET = `cs-${randomBytes(9).toString('hex')}`;
const TOKEN_URL_PASSWORD = `tu-${randomBytes(9).toString('hex')}`;
const API_KEY = `ak-${randomBytes(9).toString('hex')}`;
const MARKED = `mk-${randomBytes(9).toString('hex')}`;
const TARGET_PASSWORD = `tp-${randomBytes(9).toString('hex')}`;
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;

/** Every form a value may take in an output: raw, URL-encoded, JSON-escaped, base64 (alone and inside Basic). */
function forms(secret: string, user = 'u'): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString('base64'),
    Buffer.from(`${user}:${secret}`).toString('base64'),
  ];
}

/** A target that echoes whatever credentials it gets into its bodies, headers and failure statuses. */
function echoingTarget(): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const echo = JSON.stringify({ url: req.url, headers: req.headers, body });
      if (req.url === '/oauth/token') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-echo': encodeURIComponent(body) });
        res.end(JSON.stringify({ access_token: TOKEN, token_type: 'Bearer', expires_in: 3600, echo }));
        return;
      }
      res.writeHead(500, { 'content-type': 'application/json', 'x-echo': Buffer.from(echo).toString('base64') });
      res.end(echo);
    });
  });
}

describe('secrets are scrubbed by value from every output', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = echoingTarget();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('finds none of them, in any form, in files, stdout or stderr, though the target echoes them all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tailscope-secrets-'));
    const file = join(dir, 'echo.yaml');
    await writeFile(
      file,
      `name: echo
target: { url: "${url}" }
auth:
  oauth2: { tokenUrl: "http://tok-user:\${TOKEN_URL_PASSWORD}@${url.slice(7)}/oauth/token", clientId: demo, clientSecret: "\${CLIENT_SECRET}" }
requests:
  - name: generate
    method: POST
    path: /v1/\${API_KEY}/generate
    headers: { x-trace: "\${MARKED_VALUE}" }
    json: { prompt: hi }
secretEnv: [MARKED_VALUE]
load:
  closed:
    - { hold: 600ms, concurrency: 2 }
workers: 1
`,
    );
    const env = { CLIENT_SECRET, TOKEN_URL_PASSWORD, API_KEY, MARKED_VALUE: MARKED };
    const { io, stdout, stderr } = fakeIo(dir, env);
    await runCli(['run', file, '--out', join(dir, 'out'), '--quiet'], io);

    const outputs: [string, string][] = [
      ['stdout', stdout()],
      ['stderr', stderr()],
    ];
    for (const name of await readdir(join(dir, 'out'))) outputs.push([name, await readFile(join(dir, 'out', name), 'utf8')]);
    const result = JSON.parse(outputs.find(([name]) => name === 'result.json')![1]);
    // The run really met the echo: every request failed with a 500 whose message names the path.
    expect(result.totals.requests).toBeGreaterThan(5);
    expect(result.totals.errorsByKind.firstMessages.status).toMatch(/^500 from POST \/v1\/\[redacted\]\/generate$/);
    expect(stdout()).toMatch(/status: \d+ \(100%\), first: 500 from POST \/v1\/\[redacted\]\/generate/);

    const secrets = { CLIENT_SECRET, TOKEN_URL_PASSWORD, API_KEY, MARKED, TOKEN };
    for (const [output, text] of outputs) {
      for (const [name, secret] of Object.entries(secrets)) {
        for (const form of forms(secret, name === 'TOKEN_URL_PASSWORD' ? 'tok-user' : 'u')) {
          expect(text.includes(form), `${output} holds ${name} as ${form}`).toBe(false);
        }
      }
    }
  });

  it('sends credentials in target.url as Basic auth, and keeps them out of the result', async () => {
    const seen: string[] = [];
    const basic = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'x-echo': req.headers.authorization ?? '' });
      res.end(req.headers.authorization ?? '');
    });
    await new Promise<void>((resolve) => basic.listen(0, '127.0.0.1', resolve));
    const port = (basic.address() as { port: number }).port;
    try {
      const dir = await mkdtemp(join(tmpdir(), 'tailscope-basic-'));
      const file = join(dir, 'basic.yaml');
      await writeFile(
        file,
        `name: basic
target: { url: "http://svc:\${SVC_PASSWORD}@127.0.0.1:${port}" }
requests: [{ name: get, path: /items }]
load: { closed: [{ hold: 300ms, concurrency: 1 }] }
workers: 1
`,
      );
      const { io, stdout, stderr } = fakeIo(dir, { SVC_PASSWORD: TARGET_PASSWORD });
      await runCli(['run', file, '--out', join(dir, 'out'), '--quiet'], io);
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(new Set([`Basic ${Buffer.from(`svc:${TARGET_PASSWORD}`).toString('base64')}`]));
      const texts = [
        stdout(),
        stderr(),
        ...(await Promise.all((await readdir(join(dir, 'out'))).map((n) => readFile(join(dir, 'out', n), 'utf8')))),
      ];
      for (const text of texts) for (const form of forms(TARGET_PASSWORD, 'svc')) expect(text.includes(form)).toBe(false);
    } finally {
      await new Promise<void>((resolve) => basic.close(() => resolve()));
    }
  });
});
