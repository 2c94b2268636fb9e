import type { Analysis } from './types.js';

/** analysis.json as every writer writes it. */
export function serializeAnalysis(analysis: Analysis): string {
  return `${JSON.stringify(analysis, null, 2)}\n`;
}
