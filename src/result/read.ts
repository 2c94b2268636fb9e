import type { z } from 'zod';
import { RESULT_SCHEMA, type RunResult } from './types.js';
import { TailscopeError } from '../shared/errors.js';
import { runResultSchema } from './schema.js';

/** A file that is not a result.json this version reads; `field` is the first offending one, when there is one. */
export class ResultFileError extends TailscopeError {
  readonly code = 'E_RESULT_FILE';
  constructor(
    readonly file: string,
    reason: string,
    readonly field?: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** How many problems to list: a file broken throughout would otherwise print thousands of lines. */
const MAX_LISTED = 5;

/**
 * Parses result.json text, refusing anything that is not JSON, not of the schema this version writes, or
 * corrupt (a histogram that does not decode, a negative count, a field of the wrong type): each problem is
 * named by its field, e.g. `intervals[3].histograms.total: not base64`.
 */
export function parseResult(text: string, file: string): RunResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ResultFileError(file, `not JSON (${(error as Error).message})`);
  }
  const schema = (parsed as { schema?: unknown } | null)?.schema;
  if (schema !== RESULT_SCHEMA) throw new ResultFileError(file, `not a ${RESULT_SCHEMA} result (schema: ${JSON.stringify(schema)})`);
  const checked = runResultSchema.safeParse(parsed);
  if (!checked.success) {
    const issues = checked.error.issues;
    const lines = issues.slice(0, MAX_LISTED).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    if (issues.length > MAX_LISTED) lines.push(`… and ${issues.length - MAX_LISTED} more`);
    throw new ResultFileError(file, `corrupt result: ${lines.join('; ')}`, formatPath(issues[0]!.path));
  }
  // The checked input itself, not zod's copy: loose objects keep every field, and nothing is coerced.
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

function formatPath(path: z.core.$ZodIssue['path']): string {
  return (
    path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('') || '(top level)'
  );
}
