import { TailscopeError } from '../../shared/errors.js';
import { ScenarioError } from '../errors.js';
import { parseScenario } from '../read.js';

/** A drafted scenario that the scenario reader refuses: a bug in the drafting, reported with the reader's words. */
export class DraftInvalidError extends TailscopeError {
  readonly code = 'E_DRAFT_INVALID';
}

/**
 * Reads a drafted scenario back through the scenario reader, as `tailscope run` would, so init never writes a
 * file that run refuses. The ${VARIABLES} it leaves for the user stand in as placeholders here (a URL where the
 * name ends in _URL), since their values are the user's to give.
 */
export function checkDraft(text: string, file: string): void {
  const env: Record<string, string> = {};
  for (const [, name] of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)) {
    env[name!] = name!.endsWith('_URL') ? 'http://127.0.0.1:8080' : 'placeholder';
  }
  try {
    parseScenario(text, file, env);
  } catch (error) {
    if (error instanceof ScenarioError) throw new DraftInvalidError(`the drafted scenario does not pass validation:\n${error.message}`);
    throw error;
  }
}
