import { randomBytes } from 'node:crypto';
import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMockServer } from '../../mock-server/index.js';
import { analyze } from '../../src/analysis/analyze.js';
import { runCli } from '../../src/cli/program.js';
import { processIo } from '../../src/cli/io.js';
import { writeReports } from '../../src/report/write.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenario } from '../../src/scenario/read.js';

/** A distinctive secret: if any of it shows up in an output file, it came from this run. */
const SECRET = `rpt-secret-${randomBytes(12).toString('hex')}`;
const CLIENT_ID = 'report-client';

/**
 * A transparent proxy in front of the mock that keeps every bearer token the run sent and every token the
 * mock issued, so the test knows exactly which tokens must not appear in any output.
 */
async function recordingProxy(target: URL): Promise<{ url: string; tokens: Set<string>; close(): Promise<void> }> {
  const tokens = new Set<string>();
  const server: Server = createServer((req, res) => {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    if (bearer) tokens.add(bearer[1]!);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          if (req.url?.startsWith('/oauth/token')) {
            const issued = (JSON.parse(body.toString('utf8')) as { access_token?: string }).access_token;
            if (issued) tokens.add(issued);
          }
          res.writeHead(response.statusCode ?? 502, response.headers);
          res.end(body);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    tokens,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('report outputs and secrets', () => {
  let mock: RunningMockServer;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let dir: string;

  beforeAll(async () => {
    mock = await startMockServer({
      profile: {
        name: 'secrets',
        auth: { clients: [{ id: CLIENT_ID, secret: SECRET }], tokenTtlSeconds: 3600 },
        generate: { latency: '5ms' },
      },
      seed: 1,
    });
    proxy = await recordingProxy(new URL(mock.url));
    dir = await mkdtemp(join(tmpdir(), 'tailscope-report-secrets-'));
  });

  afterAll(async () => {
    await proxy?.close();
    await mock?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('never writes the OAuth client secret or a bearer token into html, md, xml, prom, yaml or json', async () => {
    const yaml = `
name: secrets-check
target: { url: "${proxy.url}" }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: ${CLIENT_ID}, clientSecret: "\${REPORT_SECRET}" }
requests:
  - name: generate
    method: POST
    path: /v1/generate
    headers: { x-api-key: "\${REPORT_SECRET}" }
    json: { prompt: "hi", max_tokens: 4, temperature: 0 }
load:
  closed:
    - { hold: 1500ms, concurrency: 2 }
thresholds: ["p99 < 1s"]
workers: 1
`;
    const result = await runScenario(parseScenario(yaml, 'secrets.yaml', { REPORT_SECRET: SECRET }));
    // The run authenticated and its requests got through, so tokens were really in play.
    expect(result.totals.requests).toBeGreaterThan(10);
    expect(result.totals.errors).toBe(0);
    expect(proxy.tokens.size).toBeGreaterThan(0);

    await writeReports(join(dir, 'run'), result, analyze(result), {
      mkdir: async (p) => void (await mkdir(p, { recursive: true })),
      writeFile,
    });
    // Rebuilt by the CLI as well, single and compared, so every writer is covered.
    const io = { ...processIo(), stdout: () => {}, stderr: () => {} };
    expect(await runCli(['report', join(dir, 'run', 'result.json'), '--out', join(dir, 'rebuilt')], io)).toBe(0);
    expect(
      await runCli(['report', join(dir, 'run', 'result.json'), join(dir, 'rebuilt', 'result.json'), '--out', join(dir, 'compared')], io),
    ).toBe(0);

    // The scenario as run is kept, with the secret fields replaced rather than dropped.
    const stored = await readFile(join(dir, 'run', 'result.json'), 'utf8');
    expect(stored).toContain('"clientSecret": "[redacted]"');
    expect(stored).toContain('"x-api-key": "[redacted]"');

    const files = await filesUnder(dir);
    const extensions = new Set(files.map((f) => f.split('.').pop()));
    expect(extensions).toEqual(new Set(['html', 'md', 'xml', 'prom', 'yaml', 'json']));
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      expect(text.includes(SECRET), `${file} holds the client secret`).toBe(false);
      for (const token of proxy.tokens) expect(text.includes(token), `${file} holds a bearer token`).toBe(false);
      expect(/bearer\s+[A-Za-z0-9_-]{16,}/i.test(text), `${file} holds something like a bearer header`).toBe(false);
    }
  });
});
