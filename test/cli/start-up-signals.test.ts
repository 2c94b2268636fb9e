import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';

/**
 * SIGINT/SIGTERM while the process is still starting (modules loading, the scenario parsing, the mock thread
 * and the workers starting, the preflight waiting): the real CLI in a child process, signalled at fixed times.
 * Whatever phase a signal lands in, the process ends with exit 130 and one line, and the output directory is
 * either absent (stopped before the load) or complete (the load had begun and what ran was reported); never
 * part of it.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'tailscope.js');
const REPORT_FILES = ['alerts.yaml', 'analysis.json', 'index.html', 'junit.xml', 'metrics.prom', 'result.json', 'summary.md'];

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  afterSignalMs: number;
}

function tailscope(args: string[], when: { afterMs: number } | ((kill: () => void) => void), signal: NodeJS.Signals): Promise<Ran> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  let stdout = '';
  let stderr = '';
  let signalledAt = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const kill = () => {
    signalledAt = performance.now();
    child.kill(signal);
  };
  if (typeof when === 'function') when(kill);
  else setTimeout(kill, when.afterMs);
  return once(child, 'exit').then(([code, killedBy]) => ({
    code: code as number | null,
    signal: killedBy as NodeJS.Signals | null,
    stdout,
    stderr,
    afterSignalMs: performance.now() - signalledAt,
  }));
}

async function scenarioFile(target: string): Promise<{ dir: string; file: string; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tailscope-start-up-'));
  const file = join(dir, 'scenario.yaml');
  await writeFile(
    file,
    `name: start-up
target: ${target}
requests:
  - { name: generate, method: POST, path: /v1/generate, json: { prompt: "hello", max_tokens: 8 } }
workers: 1
load:
  closed:
    - { hold: 3s, concurrency: 2 }
interval: 500ms
`,
  );
  return { dir, file, out: join(dir, 'out') };
}

/** The output directory holds nothing, or every report file of an interrupted run. */
async function expectNothingHalfWritten(out: string, ran: Ran): Promise<void> {
  if (!existsSync(out)) {
    expect(ran.stdout).toBe('');
    return;
  }
  expect((await readdir(out)).sort()).toEqual(REPORT_FILES);
  expect(JSON.parse(await readFile(join(out, 'analysis.json'), 'utf8')).verdict.status).toBe('interrupted');
}

/**
 * Until node has run the first line of bin/tailscope.js, a signal has its default action (the process dies by
 * it) and no program can change that. That takes ~50 ms on an idle machine; a loaded 2-core runner can take
 * several times as long, so a signal "0.2 s after start" goes no earlier than twice node's bare start-up,
 * measured here: still while modules load, which is the point of the test.
 */
async function nodeStartupMs(): Promise<number> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("up")'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await once(child.stdout, 'data');
  const ms = performance.now() - startedAt;
  await once(child, 'exit');
  return ms;
}

describe('a signal during start-up, through bin/tailscope.js', () => {
  it.each([
    ['SIGINT', 200],
    ['SIGTERM', 200],
    ['SIGINT', 1000],
    ['SIGTERM', 1000],
  ] as const)('%s %i ms after the process starts exits 130 with one line and nothing half-written', async (signal, atMs) => {
    const { file, out } = await scenarioFile('{ mock: { profile: fixed-20ms } }');
    const afterMs = Math.max(atMs, 2 * (await nodeStartupMs()));
    const ran = await tailscope(['run', file, '--out', out, '--quiet'], { afterMs }, signal);
    expect(ran.signal, ran.stderr).toBeNull();
    expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(EXIT.interrupted);
    expect(ran.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(ran.stderr).toMatch(new RegExp(`^${signal}: stop`, 'm'));
    await expectNothingHalfWritten(out, ran);
  });

  it('a signal during a stalled preflight ends it at once: exit 130, nothing sent, nothing written', async () => {
    // Accepts the connection and never answers the TLS ClientHello: the preflight waits up to its 5 s timeout.
    const sockets = new Set<Socket>();
    let onConnection: (() => void) | undefined;
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
      onConnection?.();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { file, out } = await scenarioFile(`{ url: "https://127.0.0.1:${(server.address() as AddressInfo).port}" }`);
      const ran = await tailscope(['run', file, '--out', out, '--quiet'], (kill) => (onConnection = kill), 'SIGINT');
      expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(EXIT.interrupted);
      expect(ran.stderr.trim().split('\n').at(-1)).toBe('SIGINT: stopped before the load started: no request was sent, nothing written');
      expect(ran.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
      // Ended by the signal, not by the preflight's 5 s timeout (a loaded runner may take a second to exit).
      expect(ran.afterSignalMs).toBeLessThan(2_500);
      expect(sockets.size).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
