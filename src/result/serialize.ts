import type { RunResult } from './types.js';

/**
 * result.json as every writer writes it: one space of indent keeps a file of encoded histograms diffable
 * by line without doubling its size.
 */
export function serializeResult(result: RunResult): string {
  return `${JSON.stringify(result, null, 1)}\n`;
}
