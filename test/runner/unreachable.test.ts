import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createUnreachableWatch } from '../../src/runner/unreachable.js';
import { preflight, TargetUnreachableError } from '../../src/runner/preflight.js';
import { StoppedBeforeLoadError } from '../../src/runner/interrupted.js';
import type { ErrorCounts } from '../../src/result/types.js';

const refused = (n: number) => ({ requests: n, successes: 0, errors: { total: n, byKind: { refused: n }, byStatus: {} } as ErrorCounts });
const served = (n: number) => ({ requests: n, successes: n, errors: { total: 0, byKind: {}, byStatus: {} } as ErrorCounts });
const failing = (n: number) => ({
  requests: n,
  successes: 0,
  errors: { total: n, byKind: { status: n }, byStatus: { 500: n } } as ErrorCounts,
});
const untrusted = (n: number) => ({
  requests: n,
  successes: 0,
  errors: { total: n, byKind: { tls_cert: n }, byStatus: {} } as ErrorCounts,
});
const idle = { requests: 0, successes: 0, errors: { total: 0, byKind: {}, byStatus: {} } as ErrorCounts };

describe('the target-unreachable watch', () => {
  // [what, intervals (1 s each), index of the interval that stops the run, or -1]
  it.each([
    ['two seconds of refusals', [refused(100), refused(100)], 1],
    ['refusals broken by one served interval', [refused(100), served(5), refused(100), refused(100)], 3],
    ['a target that answers 500s is there: it is slow or broken, not gone', [failing(100), failing(100), failing(100)], -1],
    ['an idle interval (no attempt) proves nothing either way, and restarts the count', [refused(100), idle, refused(100)], -1],
    ['one second of refusals, then recovery', [refused(100), served(100), served(100)], -1],
    ['two seconds of untrusted certificates: no TLS session can be made', [untrusted(100), untrusted(100)], 1],
  ] as const)('%s', (_what, intervals, stopsAt) => {
    const watch = createUnreachableWatch(1000);
    const verdicts = intervals.map((i) => watch.onInterval(i));
    expect(verdicts.findIndex((v) => v !== undefined)).toBe(stopsAt);
    const kind = intervals[0].errors.byKind.tls_cert ? 'tls_cert' : 'ECONNREFUSED';
    if (stopsAt >= 0) expect(verdicts[stopsAt]).toEqual({ forMs: 2000, attempts: 200, errors: `${kind} 200` });
  });
});

describe('preflight', () => {
  it('names the URL and ECONNREFUSED for a closed port', async () => {
    const error = await preflight(['http://127.0.0.1:1/v1'], 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnreachableError);
    expect((error as TargetUnreachableError).osError).toBe('ECONNREFUSED');
    expect((error as Error).message).toBe('target http://127.0.0.1:1 is unreachable: connect ECONNREFUSED 127.0.0.1:1');
  });

  it('returns a failed TLS handshake as a problem to print, not an error: the run counts its attempts', async () => {
    // A plain TCP server that answers a ClientHello with HTTP: no TLS server is there.
    const server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const problems = await preflight([`https://127.0.0.1:${port}`], 1000);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${port}: tls_handshake: the TLS handshake failed: `));
    } finally {
      server.close();
    }
  });

  it('drops credentials from the URL it names', async () => {
    const error = await preflight(['http://user:secret@127.0.0.1:1'], 1000).catch((e: unknown) => e);
    expect((error as Error).message).not.toContain('secret');
  });

  it('passes a target that accepts a connection', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await expect(preflight([`http://127.0.0.1:${(server.address() as AddressInfo).port}`], 1000)).resolves.toEqual([]);
    } finally {
      server.close();
    }
  });

  it('ends at once when stopped during a TLS handshake the target stalls, and closes its connection', async () => {
    // Accepts, then never answers the ClientHello: without the stop the preflight would wait its whole timeout.
    let closed: Promise<void> | undefined;
    const server = createServer((socket) => {
      closed = new Promise((resolve) => socket.on('close', () => resolve()));
      abort.abort('SIGINT');
    });
    const abort = new AbortController();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const startedAt = Date.now();
      const error = await preflight([`https://127.0.0.1:${(server.address() as AddressInfo).port}`], 30_000, undefined, abort.signal).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoppedBeforeLoadError);
      expect((error as Error).message).toBe('SIGINT: stopped before the load started: no request was sent, nothing written');
      // Far below the 30 s timeout: the stop ends the wait, not the clock.
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      await closed;
    } finally {
      server.close();
    }
  });
});
