import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';

/**
 * The exit codes as a pipeline sees them: the real CLI (bin/tailscope.js) in a child process, one scenario each.
 * Every run is a second against the bundled mock in 500 ms intervals (two judged intervals, so one stalled
 * interval on a busy runner is forgiven as it would be in a long run); what is asserted is the code and the
 * line that explains it, never a latency.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'tailscope.js');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function tailscope(
  args: string[],
  options: { onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void } = {},
): Promise<Ran> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    options.onStderr?.(stderr, (signal) => child.kill(signal));
  });
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr, ms: performance.now() - startedAt }));
}

function scenario(lines: { target?: string; hold?: string; extra?: string; auth?: boolean } = {}): string {
  return `name: exit-codes
target: ${lines.target ?? '{ mock: { profile: fixed-20ms } }'}
${lines.auth === false ? '' : 'auth: { oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret } }'}
requests:
  - { name: generate, method: POST, path: /v1/generate, json: { prompt: "hello", max_tokens: 8, temperature: 0.2 } }
workers: 1
warmup: 500ms
load:
  closed:
    - { hold: ${lines.hold ?? '1s'}, concurrency: 2 }
interval: 500ms
${lines.extra ?? ''}
`;
}

async function scenarioFile(text: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tailscope-exit-'));
  const file = join(dir, 'scenario.yaml');
  await writeFile(file, text);
  return { dir, file };
}

/**
 * Starting node and registering tsx costs about a second from source on this kind of machine; a loaded 2-core
 * runner can double that. The allowance is what start-up alone may take, measured here by `--version`.
 */
const startupAllowanceMs = (await tailscope(['--version'])).ms;

describe('tailscope run exit codes, through bin/tailscope.js', () => {
  it('exits 0 when every check passes, and says PASS', async () => {
    const { dir, file } = await scenarioFile(scenario({ extra: 'thresholds: ["p99 < 10s"]' }));
    const ran = await tailscope(['run', file, '--out', join(dir, 'out'), '--quiet']);
    expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(EXIT.ok);
    expect(ran.stdout).toMatch(/^verdict: PASS$/m);
  });

  it('exits 1 on a failed threshold', async () => {
    const { dir, file } = await scenarioFile(scenario({ extra: 'thresholds: ["p99 < 1ms"]' }));
    const ran = await tailscope(['run', file, '--out', join(dir, 'out'), '--quiet']);
    expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(EXIT.failed);
    expect(ran.stdout).toMatch(/^FAIL p99 < 1ms: p99 = /m);
  });

  it('exits 1 on a missed SLO with no thresholds, as summary.md and junit.xml say', async () => {
    const { dir, file } = await scenarioFile(scenario({ extra: 'slo: { p99: 5ms }' }));
    const out = join(dir, 'out');
    const ran = await tailscope(['run', file, '--out', out, '--quiet']);
    expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(EXIT.failed);
    expect(ran.stdout).toMatch(/^FAIL SLO p99: /m);
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toMatch(/❌ FAIL/);
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toMatch(/<testsuites [^>]*failures="1"/);
    expect(JSON.parse(await readFile(join(out, 'analysis.json'), 'utf8')).verdict.status).toBe('fail');
  });

  it('exits 1 on a regression against a baseline', async () => {
    // The baseline: the same mock with a quarter of the service time.
    const fast = await scenarioFile(
      scenario({
        target:
          '{ mock: { profile: { name: fixed-5ms, seed: 1, auth: { tokenTtlSeconds: 3600, latency: 0 }, capacity: { slots: unlimited }, generate: { latency: 5ms, ttft: 5ms, interToken: 1ms } } } }',
        hold: '2s',
      }),
    );
    const baseline = join(fast.dir, 'baseline.json');
    const first = await tailscope(['run', fast.file, '--out', join(fast.dir, 'out'), '--quiet', '--save-baseline', baseline]);
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(EXIT.ok);
    const slow = await scenarioFile(scenario({ hold: '2s' }));
    const ran = await tailscope(['run', slow.file, '--out', join(slow.dir, 'out'), '--quiet', '--baseline', baseline, '--force']);
    expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(EXIT.failed);
    expect(ran.stdout).toMatch(/regression/i);
  }, 60_000);

  it('exits 2 within two seconds on a closed port, naming the URL and ECONNREFUSED, and writes nothing', async () => {
    // Port 1 (tcpmux) is not served on a test machine: connecting is refused at once.
    const { dir, file } = await scenarioFile(scenario({ target: '{ url: "http://127.0.0.1:1" }', hold: '10s' }));
    const ran = await tailscope(['run', file, '--out', join(dir, 'out'), '--quiet']);
    expect(ran.code).toBe(EXIT.badInput);
    expect(ran.stderr).toMatch(/http:\/\/127\.0\.0\.1:1.*ECONNREFUSED/);
    expect(ran.stdout).toBe('');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    // Two seconds is the promise; node + tsx start-up is most of it, the preflight itself a millisecond.
    expect(ran.ms).toBeLessThan(2_000 + startupAllowanceMs);
  });

  it('exits 3 with "target unreachable" (not "generator saturated") when the target goes away after the preflight', async () => {
    // A server that answers the preflight's one connection, then stops listening: every load attempt is refused.
    const server = createServer((socket) => {
      socket.destroy();
      server.close();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const { dir, file } = await scenarioFile(scenario({ target: `{ url: "http://127.0.0.1:${port}" }`, hold: '20s', auth: false }));
    const ran = await tailscope(['run', file, '--out', join(dir, 'out'), '--quiet']);
    expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(EXIT.invalidRun);
    expect(ran.stdout).toMatch(/target unreachable: .*ECONNREFUSED/);
    expect(ran.stdout).not.toMatch(/generator saturated/);
    const analysis = JSON.parse(await readFile(join(dir, 'out', 'analysis.json'), 'utf8'));
    expect(analysis.verdict.status).toBe('invalid');
    expect(analysis.capacity.knee).toBeUndefined();
    // Stopped after ~2 s of refusals, long before the 20 s schedule.
    expect(analysis.run.durationMs).toBeLessThan(10_000);
  });

  it('exits 1 when a 200 {"ok":false} fails its check on every attempt, which error_rate then counts', async () => {
    // A target that answers every request 200 with a body saying it did not work: only a check can tell.
    const server = createHttpServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":false}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const { dir, file } = await scenarioFile(`name: checked
target: { url: "http://127.0.0.1:${port}" }
requests:
  - name: generate
    method: POST
    path: /v1/generate
    json: { prompt: hello }
    checks: [{ status: 200 }, { json: "$.ok", equals: true }]
workers: 1
warmup: 0s
load: { closed: [{ hold: 500ms, concurrency: 2 }] }
interval: 250ms
thresholds: ["error_rate < 1%"]
`);
    const out = join(dir, 'out');
    const ran = await tailscope(['run', file, '--out', out, '--quiet']).finally(() => server.close());
    expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(EXIT.failed);
    expect(ran.stdout).toMatch(/^FAIL error_rate < 1%: error_rate = 100(\.0+)?%/m);
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
    const attempts = result.totals.requests;
    expect(attempts).toBeGreaterThan(0);
    expect(result.totals.errorsByKind.byKind).toEqual({ check: attempts });
    expect(result.totals.errorsByKind.firstMessages.check).toBe('$.ok is false, expected true (POST /v1/generate)');
    expect(result.requestsByName.generate.checks).toEqual([
      { label: 'status 200', passes: attempts, fails: 0 },
      { label: '$.ok == true', passes: 0, fails: attempts, firstFailure: '$.ok is false, expected true' },
    ]);
    // summary.md lists the check with its counts and first failure (Markdown-escaped: the words are the target's).
    expect(await readFile(join(out, 'summary.md'), 'utf8')).toMatch(
      /^\| generate \| .*ok .* true \| 0 \| \d+ \| .*ok is false, expected true \|$/m,
    );
  });

  it('exits 130 on SIGINT, after writing the report of what ran', async () => {
    const { dir, file } = await scenarioFile(scenario({ hold: '30s' }));
    const out = join(dir, 'out');
    let sent = false;
    const ran = await tailscope(['run', file, '--out', out], {
      onStderr: (text, kill) => {
        // The first progress line means the load is running.
        if (!sent && /^\[\s*\d+s\] .* req\/s/m.test(text)) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(EXIT.interrupted);
    expect(JSON.parse(await readFile(join(out, 'analysis.json'), 'utf8')).verdict.status).toBe('interrupted');
  });
});
