import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/tailscope.js', import.meta.url));

describe('tailscope mock', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'prints its address first, serves the profile given, and stops cleanly on %s',
    async (signal) => {
      const child = spawn(process.execPath, [bin, 'mock', '--port', '0', '--profile', 'mock-server/profiles/saturating.yaml'], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let stdout = '';
        child.stdout.setEncoding('utf8');
        const firstLine = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no address within 15 s: ${stdout}`)), 15_000);
          child.stdout.on('data', (chunk: string) => {
            stdout += chunk;
            if (stdout.includes('\n')) {
              clearTimeout(timer);
              resolve(stdout.split('\n')[0]!);
            }
          });
        });
        const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(firstLine);
        expect(match).not.toBeNull();
        const health = await fetch(`${match![1]}/healthz`);
        expect(health.status).toBe(200);
        const stats = (await (await fetch(`${match![1]}/__admin/stats`)).json()) as { requests: number };
        expect(stats.requests).toBe(1);

        child.kill(signal);
        const [code] = (await once(child, 'exit')) as [number | null];
        expect(code).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
    30_000,
  );
});
