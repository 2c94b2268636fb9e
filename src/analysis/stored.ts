import type { RunResult } from '../result/types.js';
import { ANALYSIS_SCHEMA, type Analysis } from './types.js';

/**
 * A stored analysis.json, when it is one this version wrote for this result: of another schema or run, or
 * written before the advice sections existed (same schema name, sections missing), it is not to be trusted and
 * the caller computes the analysis again from the result, which is all it depends on.
 */
export function usableAnalysis(stored: unknown, result: RunResult): Analysis | undefined {
  const analysis = stored as Analysis | undefined;
  if (analysis?.schema !== ANALYSIS_SCHEMA || analysis.run?.scenario !== result.scenario.name) return undefined;
  // A result with flows needs an analysis that read them (one written before flows existed did not).
  if ((result.flows || result.jobs) && !analysis.flows) return undefined;
  return hasEverySection(analysis) ? analysis : undefined;
}

function hasEverySection(analysis: Analysis): boolean {
  return Boolean(
    analysis.validity &&
    analysis.verdict?.checks &&
    analysis.capacity &&
    analysis.resilience?.snippets &&
    Array.isArray(analysis.timeouts?.byLoadLevel) &&
    Array.isArray(analysis.timeouts?.byRequest),
  );
}
