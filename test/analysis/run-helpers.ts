import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseScenario } from '../../src/scenario/read.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import type { RunResult } from '../../src/result/types.js';

/** Writes a mock profile to a temporary YAML file: scenarios name their mock profile by name or path. */
export function profileFile(profile: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'tailscope-profile-'));
  const file = join(dir, 'profile.yaml');
  writeFileSync(file, stringify(profile));
  return file;
}

/** Runs a scenario given as an object, through the same parser the CLI uses. */
export async function runScenarioObject(scenario: object): Promise<RunResult> {
  return runScenario(parseScenario(stringify(scenario), 'test.yaml', {}));
}

export const generateRequest = {
  name: 'generate',
  method: 'POST',
  path: '/v1/generate',
  json: { prompt: 'ping', max_tokens: 8, temperature: 0 },
};
export const demoAuth = { oauth2: { tokenUrl: '/oauth/token', clientId: 'demo', clientSecret: 'demo-secret' } };
