import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHost, parseDashboardAddress } from '../../src/cli/dashboard/address.js';
import { UsageError } from '../../src/cli/exit-codes.js';

describe('--dashboard address', () => {
  it.each([
    ['', { host: '127.0.0.1', port: 5665 }],
    ['8080', { host: '127.0.0.1', port: 8080 }],
    ['0', { host: '127.0.0.1', port: 0 }],
    ['localhost:9000', { host: 'localhost', port: 9000 }],
    ['0.0.0.0:5665', { host: '0.0.0.0', port: 5665 }],
    ['[::1]:5665', { host: '::1', port: 5665 }],
  ])('reads %j', (text, expected) => {
    expect(parseDashboardAddress(text)).toEqual(expected);
  });

  it.each(['s.yaml', '127.0.0.1:', ':80', 'host:70000', '[nothex]:80', 'http://127.0.0.1:80'])('refuses %j as a usage error', (text) => {
    expect(() => parseDashboardAddress(text)).toThrow(UsageError);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['192.168.1.2', false],
    ['evil.example', false],
    ['localhost.evil.example', false],
  ])('host %s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it.each([
    ['127.0.0.1', true],
    ['::ffff:127.0.0.1', true],
    ['::1', true],
    ['10.0.0.1', false],
    [undefined, false],
  ])('peer %s is loopback: %s', (address, loopback) => {
    expect(isLoopbackAddress(address)).toBe(loopback);
  });
});

describe('dashboard server', () => {
  it('refuses a port already taken with a clear error (exit 2), not a stack trace', async () => {
    const { startDashboardServer, DashboardListenError } = await import('../../src/cli/dashboard/server.js');
    const options = { page: '', token: 't', metrics: () => '', onStop: () => undefined };
    const first = await startDashboardServer({ ...options, address: { host: '127.0.0.1', port: 0 } });
    try {
      const port = Number(new URL(first.url).port);
      await expect(startDashboardServer({ ...options, address: { host: '127.0.0.1', port } })).rejects.toThrow(DashboardListenError);
      await expect(startDashboardServer({ ...options, address: { host: '127.0.0.1', port } })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
