import { dirname, join } from 'node:path';
import { analyze } from '../analysis/analyze.js';
import { ANALYSIS_SCHEMA, type Analysis } from '../analysis/types.js';
import type { RunResult } from '../result/types.js';
import { parseResult } from '../result/read.js';
import { TailscopeError } from '../shared/errors.js';

/** A result or analysis file that cannot be reported on; the CLI maps the code to exit 2. */
export class ReportInputError extends TailscopeError {
  readonly code = 'E_REPORT_INPUT';
  constructor(message: string) {
    super(message);
  }
}

export interface LoadedRun {
  path: string;
  result: RunResult;
  analysis: Analysis;
  /** true when no analysis.json sat beside the result and it was computed afresh */
  analysisComputed: boolean;
}

export interface TextReader {
  readFile(path: string): Promise<string>;
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ReportInputError(`${path}: not JSON (${(error as Error).message})`);
  }
}

/**
 * Reads result.json and the analysis.json beside it (what-if replay included); without one, or with one of
 * another schema, run or vintage, the analysis is computed again from the result, which is all it depends on.
 */
export async function loadRun(path: string, reader: TextReader): Promise<LoadedRun> {
  const result = parseResult(await reader.readFile(path), path);
  const analysisPath = join(dirname(path), 'analysis.json');
  let text: string | undefined;
  try {
    text = await reader.readFile(analysisPath);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  const stored = text === undefined ? undefined : (parseJson(text, analysisPath) as Analysis);
  if (stored?.schema === ANALYSIS_SCHEMA && stored.run?.scenario === result.scenario.name && hasEverySection(stored)) {
    return { path, result, analysis: stored, analysisComputed: false };
  }
  return { path, result, analysis: analyze(result), analysisComputed: true };
}

/**
 * An analysis.json written before the advice sections existed carries the same schema name but lacks them;
 * the report would have nothing to show there, so such a file is recomputed rather than trusted.
 */
function hasEverySection(analysis: Analysis): boolean {
  return Boolean(analysis.validity && analysis.verdict?.checks && analysis.capacity && analysis.resilience?.snippets && Array.isArray(analysis.timeouts?.byLoadLevel));
}
