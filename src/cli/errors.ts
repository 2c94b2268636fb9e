import { ScenarioError } from '../scenario/errors.js';
import { FeederError } from '../client/feeders.js';
import { EXIT, UsageError } from './exit-codes.js';
import { StoppedBeforeLoadError } from '../runner/interrupted.js';

/** Typed errors become exit codes here, and only here. Unknown errors keep their stack for a bug report. */
export function mapError(error: unknown): { exitCode: number; message: string } {
  if (error instanceof StoppedBeforeLoadError) return { exitCode: EXIT.interrupted, message: error.message };
  if (error instanceof ScenarioError || error instanceof FeederError || error instanceof UsageError) {
    return { exitCode: EXIT.badInput, message: `error: ${error.message}` };
  }
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'E_MOCK_PROFILE') {
    return { exitCode: EXIT.badInput, message: `error: mock profile: ${(error as Error).message}` };
  }
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
    return { exitCode: EXIT.badInput, message: `error: ${(error as Error).message}` };
  }
  if (code?.startsWith('E_') && error instanceof Error) {
    return { exitCode: EXIT.badInput, message: `error: ${error.message}` };
  }
  return { exitCode: EXIT.failed, message: `internal error: ${(error as Error)?.stack ?? String(error)}` };
}
