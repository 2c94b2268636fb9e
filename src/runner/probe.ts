import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface RttProbe {
  method: 'tcp-connect';
  samples: number;
  rttMs: { min: number; p50: number; max: number };
}

/**
 * An idle probe of the network round trip, taken before any load: a TCP handshake costs exactly one round
 * trip and no server work, so its time bounds the network share of a request when the target reports no
 * timing of its own. Returns undefined when the target cannot be reached (the run will say so itself) or the
 * signal stops it.
 */
export async function probeRtt(
  url: string,
  options: { count?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<RttProbe | undefined> {
  const { count = 5, timeoutMs = 2000, signal } = options;
  const { hostname, port, protocol } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  const portNumber = Number(port) || (protocol === 'https:' ? 443 : 80);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const ms = await handshakeMs(host, portNumber, timeoutMs, signal);
    if (ms === undefined) return undefined;
    samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return {
    method: 'tcp-connect',
    samples: samples.length,
    rttMs: { min: samples[0]!, p50: samples[Math.floor(samples.length / 2)]!, max: samples.at(-1)! },
  };
}

function handshakeMs(host: string, port: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<number | undefined> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(undefined);
    const startedAt = performance.now();
    const socket = connect({ host, port, family: host === 'localhost' ? 4 : undefined });
    const onAbort = () => done(undefined);
    const done = (value: number | undefined) => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(value);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('connect', () => done(performance.now() - startedAt));
    socket.once('error', () => done(undefined));
  });
}
