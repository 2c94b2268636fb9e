import { RESULT_SCHEMA, type RunResult } from './types.js';
import { TailscopeError } from '../shared/errors.js';

/** A file that is not a result.json this version reads. */
export class ResultFileError extends TailscopeError {
  readonly code = 'E_RESULT_FILE';
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
  }
}

/** Parses result.json text, refusing anything that is not JSON or not of the schema this version writes. */
export function parseResult(text: string, file: string): RunResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ResultFileError(file, `not JSON (${(error as Error).message})`);
  }
  const schema = (parsed as { schema?: unknown } | null)?.schema;
  if (schema !== RESULT_SCHEMA) throw new ResultFileError(file, `not a ${RESULT_SCHEMA} result (schema: ${JSON.stringify(schema)})`);
  return parsed as RunResult;
}
