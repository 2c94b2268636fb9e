import { isIP } from 'node:net';
import { UsageError } from '../exit-codes.js';

/** Where `--dashboard` listens when given no address: loopback only, k6's web dashboard port. */
export const DEFAULT_DASHBOARD = { host: '127.0.0.1', port: 5665 } as const;

export interface DashboardAddress {
  host: string;
  port: number;
}

/**
 * `--dashboard [host:port]`: nothing (the default), `PORT`, `HOST:PORT` or `[IPv6]:PORT`. Port 0 takes a free port
 * (the URL printed says which). Anything else is a usage error, which also catches a scenario file swallowed as
 * the flag's value (`--dashboard s.yaml`).
 */
export function parseDashboardAddress(value: string): DashboardAddress {
  const text = value.trim();
  if (text === '') return { ...DEFAULT_DASHBOARD };
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new UsageError(`--dashboard wants [host:]port (e.g. 127.0.0.1:5665), not ${JSON.stringify(value)}`);
  const rawHost = match[1];
  const host = rawHost === undefined ? DEFAULT_DASHBOARD.host : rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  if (rawHost?.startsWith('[') && isIP(host) !== 6) throw new UsageError(`--dashboard: ${rawHost} is not an IPv6 address`);
  return { host, port };
}

/** Loopback names and addresses: the only origin allowed to stop a run. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}

/** A socket's remote address is loopback (IPv4, IPv6, or IPv4-mapped IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/** How a URL spells the host: IPv6 literals in brackets. */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
