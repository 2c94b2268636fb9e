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

/** Where result files come from: the CLI's process I/O, or a fake in tests. */
export interface TextReader {
  readFile(path: string): Promise<string>;
}

/** Reads and parses one result.json; errors name the file as the user gave it (`shownAs`). */
export async function readResultFile(path: string, reader: TextReader, shownAs = path): Promise<RunResult> {
  return parseResult(await reader.readFile(path), shownAs);
}

/** Reads a JSON file that may be absent (an analysis.json beside a result): undefined when there is none. */
export async function readOptionalJson(path: string, reader: TextReader): Promise<unknown> {
  let text: string;
  try {
    text = await reader.readFile(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ResultFileError(path, `not JSON (${(error as Error).message})`);
  }
}
