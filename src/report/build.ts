import { dirname, join } from 'node:path';
import { analyze } from '../analysis/analyze.js';
import type { Analysis } from '../analysis/types.js';
import { usableAnalysis } from '../analysis/stored.js';
import { mergeProblems, mergeResults } from '../result/merge.js';
import { readOptionalJson, readResultFile, type TextReader } from '../result/read.js';
import type { RunResult } from '../result/types.js';

/**
 * The use cases that turn result files into what the reports are made of: a result and its analysis. The one
 * module of report/ that calls `analyze`; the renderers only take the data.
 */

export interface LoadedRun {
  path: string;
  result: RunResult;
  analysis: Analysis;
  /** true when no usable analysis.json sat beside the result and it was computed afresh */
  analysisComputed: boolean;
}

/**
 * `report`: reads result.json and the analysis.json beside it (what-if replay included); without one, or with
 * one of another schema, run or vintage, the analysis is computed again from the result.
 */
export async function loadRun(path: string, reader: TextReader): Promise<LoadedRun> {
  const result = await readResultFile(path, reader);
  const stored = usableAnalysis(await readOptionalJson(join(dirname(path), 'analysis.json'), reader), result);
  if (stored) return { path, result, analysis: stored, analysisComputed: false };
  return { path, result, analysis: analyze(result), analysisComputed: true };
}

/** `merge`: the shards of one run, read and merged exactly (histograms add), then judged as a whole. */
export async function mergeRunFiles(
  files: readonly { path: string; shownAs: string }[],
  reader: TextReader,
  force: boolean,
): Promise<{ result: RunResult; analysis: Analysis; overridden: string[] }> {
  const results = await Promise.all(files.map((file) => readResultFile(file.path, reader, file.shownAs)));
  const result = mergeResults(results, force);
  // With --force, what the merge overrode (runs that are not shards of one run), for the caller to say.
  return { result, analysis: analyze(result), overridden: mergeProblems(results) };
}
