import type { RunResult } from '../result/types.js';
import type { Validity } from './types.js';

/** Below this many responses a p99 rests on fewer than ten values above it. */
export const MIN_SAMPLES_FOR_P99 = 1000;

/**
 * Whether the run measured the target: the generator's own verdict and the interruption flag decide validity;
 * thin data only warns, because the figures are still measurements, just wide ones.
 */
export function validityOf(result: RunResult): Validity {
  const reasons = [...result.health.reasons];
  if (result.interrupted) reasons.push('the run was interrupted: figures cover only what completed');
  const samples = result.totals.requests;
  const warnings: string[] = [];
  if (samples < MIN_SAMPLES_FOR_P99)
    warnings.push(`${samples} requests: p99 and the timeouts read from the tail rest on fewer than 10 values above them`);
  const failedWorkers = result.health.reasons.filter((r) => r.startsWith('worker failed'));
  if (failedWorkers.length > 0) warnings.push('a worker failed: its share of the load is missing');
  return { valid: reasons.length === 0, reasons, warnings, samples };
}
