/**
 * A profile compiled for serving: samplers built once, clients in a map, the rate limiter constructed. Swapping
 * the profile at run time swaps this object; nothing on the request path re-reads the profile's raw shape.
 */
import { compileSampler, type Sampler } from './latency.js';
import { hasFaults } from './faults.js';
import { RateLimiter } from './ratelimit.js';
import type { ResolvedProfile } from './profile-schema.js';

export interface Runtime {
  profile: ResolvedProfile;
  tokenLatency: Sampler;
  generateLatency: Sampler;
  perToken: Sampler;
  ttft: Sampler;
  interToken: Sampler;
  /** client id → secret */
  clients: Map<string, string>;
  limiter: RateLimiter | undefined;
  faultsOnGenerate: boolean;
  faultsOnToken: boolean;
}

export function compileRuntime(profile: ResolvedProfile): Runtime {
  const anyFaults = hasFaults(profile.faults);
  return {
    profile,
    tokenLatency: compileSampler(profile.auth.latency),
    generateLatency: compileSampler(profile.generate.latency),
    perToken: compileSampler(profile.generate.perToken),
    ttft: compileSampler(profile.generate.ttft),
    interToken: compileSampler(profile.generate.interToken),
    clients: new Map(profile.auth.clients.map((c) => [c.id, c.secret])),
    limiter: profile.rateLimit && new RateLimiter(profile.rateLimit.ratePerSec, profile.rateLimit.burst),
    faultsOnGenerate: anyFaults && profile.faults.routes.includes('generate'),
    faultsOnToken: anyFaults && profile.faults.routes.includes('token'),
  };
}
