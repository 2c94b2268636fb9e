import { dirname, isAbsolute, resolve } from 'node:path';
import type { Scenario } from '../scenario/types.js';
import { redactUrl } from '../scenario/redact.js';
import type { MockProfile } from '../../mock-server/index.js';
import { startMockThread } from './mock-thread.js';
import { loadProfile, resolveProfile as validateProfile } from '../../mock-server/profile.js';
import { ProfileError } from '../../mock-server/errors.js';
import { scenarioProblem } from '../scenario/errors.js';

/**
 * Reads and validates the mock profile a scenario names before anything starts, so an unknown profile or a
 * broken profile file is an error at the scenario's line, not a failure inside the mock's thread.
 */
export async function checkMockProfile(scenario: Scenario): Promise<void> {
  const profile = scenario.target.mock?.profile;
  if (profile === undefined) return;
  try {
    const resolved = resolveProfile(profile, scenario.file);
    if (typeof resolved === 'string') await loadProfile(resolved);
    else validateProfile(resolved);
  } catch (error) {
    if (!(error instanceof ProfileError)) throw error;
    throw scenarioProblem(scenario, ['target', 'mock', 'profile'], error.message);
  }
}

export interface StartedTarget {
  /** where requests go (the proxy when network delay is injected) */
  url: string;
  /** what the result records as the target */
  publicUrl: string;
  mock?: { profile: string; seed: number };
  close(): Promise<void>;
}

/**
 * Resolves a scenario's target: a URL as given, or the bundled mock server started in-process on a free
 * loopback port (behind its delaying proxy when the scenario injects network delay).
 */
export async function startTarget(target: Scenario['target'], scenarioFile?: string): Promise<StartedTarget> {
  if (target.url) {
    const url = target.url.replace(/\/$/, '');
    // Credentials go as an Authorization header (see authOf in run-scenario), never in the request line.
    return { url: redactUrl(url), publicUrl: redactUrl(url), close: async () => undefined };
  }
  const mock = target.mock!;
  const profile = resolveProfile(mock.profile, scenarioFile);
  const profileName =
    typeof mock.profile === 'string' ? mock.profile : typeof mock.profile.name === 'string' ? mock.profile.name : 'inline';
  const started = await startMockThread({
    server: { port: 0, host: '127.0.0.1', profile, seed: mock.seed },
    networkDelay:
      mock.networkDelay === undefined
        ? undefined
        : { oneWayDelayMs: mock.networkDelay, jitterMs: mock.networkJitter ?? 0, seed: mock.seed },
  });
  return { url: started.url, publicUrl: 'mock', mock: { profile: profileName, seed: mock.seed }, close: () => started.close() };
}

/** A profile path is relative to the scenario that names it; a bare name is a built-in profile. */
function resolveProfile(profile: string | Record<string, unknown>, scenarioFile: string | undefined): string | MockProfile {
  if (typeof profile !== 'string') return profile;
  const isPath = /[\\/]/.test(profile) || /\.(ya?ml|json)$/i.test(profile);
  if (!isPath || isAbsolute(profile) || !scenarioFile) return profile;
  return resolve(dirname(scenarioFile), profile);
}
