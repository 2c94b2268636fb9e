/**
 * The bundled mock server: the reference API of DESIGN.md with latency, capacity limits, rate limits and faults
 * injected on purpose, and a network-delay proxy to put in front of it. This file is the public surface.
 */
import { loadProfile as loadProfileFile, resolveProfile } from './profile.js';
import type { MockProfile, ResolvedProfile } from './profile-schema.js';
import { listen } from './server.js';
import type { MockStats } from './stats.js';

export { startDelayProxy, type DelayProxyOptions, type RunningDelayProxy } from './proxy.js';
export { ProfileError } from './errors.js';
export { builtinProfileNames, parseProfileText, profileJsonSchema, resolveProfile } from './profile.js';
export { createRng, type Rng } from './prng.js';
export { compileSampler, quantileMs, cdf, type LatencyModel } from './latency.js';
export type { MockProfile, ResolvedProfile, LatencyModelInput } from './profile-schema.js';
export type { MockStats, LatencySummary } from './stats.js';

export interface MockServerOptions {
  port?: number;
  host?: string;
  /** A profile object, a builtin name such as 'llm-default', or a path to a YAML/JSON file. Default 'llm-default'. */
  profile?: MockProfile | string;
  /** Seeds every random draw (latency, faults, text). Default: the profile's seed, else 1. */
  seed?: number;
}

export interface RunningMockServer {
  /** e.g. http://127.0.0.1:43567 */
  url: string;
  host: string;
  port: number;
  /** Closes the listener and destroys open sockets; resolves promptly even with hung requests. */
  close(): Promise<void>;
  /** Same as GET /__admin/stats. */
  stats(): MockStats;
  /** Same as POST /__admin/reset. */
  resetStats(): void;
  /** Same as POST /__admin/profile; throws ProfileError on an invalid profile. */
  setProfile(profile: MockProfile): void;
}

export async function startMockServer(options: MockServerOptions = {}): Promise<RunningMockServer> {
  const profile = await toResolved(options.profile ?? 'llm-default');
  const host = options.host ?? '127.0.0.1';
  const handle = await listen(profile, { host, port: options.port ?? 0, ...(options.seed !== undefined && { seed: options.seed }) });
  const urlHost = handle.host.includes(':') ? `[${handle.host}]` : handle.host;
  return {
    url: `http://${urlHost}:${handle.port}`,
    host: handle.host,
    port: handle.port,
    close: () => handle.close(),
    stats: () => handle.stats(),
    resetStats: () => handle.resetStats(),
    setProfile: (next) => handle.applyProfile(resolveProfile(next)),
  };
}

/**
 * Loads a builtin profile by name or a YAML/JSON file by path and validates it; throws ProfileError naming the
 * file, the field and the line. Returns the profile as written: what startMockServer and setProfile accept.
 */
export async function loadProfile(nameOrPath: string): Promise<MockProfile> {
  return (await loadProfileFile(nameOrPath)).written;
}

async function toResolved(profile: MockProfile | string): Promise<ResolvedProfile> {
  return typeof profile === 'string' ? (await loadProfileFile(profile)).resolved : resolveProfile(profile);
}
