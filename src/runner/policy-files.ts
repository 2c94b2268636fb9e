import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Scenario } from '../scenario/types.js';
import { scenarioProblem } from '../scenario/errors.js';
import { livePolicy, readPolicy, type LivePolicy } from '../scenario/policy-file.js';

/**
 * Reads `client.policy` (relative to the scenario file) before anything starts: a missing file is an error at
 * the scenario's line, a bad policy at the policy file's own line and field.
 */
export async function loadLivePolicy(scenario: Scenario): Promise<LivePolicy | undefined> {
  const name = scenario.client.policy;
  if (name === undefined) return undefined;
  const base = scenario.file ? dirname(scenario.file) : process.cwd();
  const path = isAbsolute(name) ? name : resolve(base, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EACCES') throw error;
    throw scenarioProblem(scenario, ['client', 'policy'], `cannot read ${path} (${code})`);
  }
  return livePolicy(readPolicy(text, name), name);
}
