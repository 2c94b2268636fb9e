import type { ThresholdVerdict } from '../../analysis/thresholds/types.js';
import { formatValue } from '../../shared/format.js';

/** `PASS p99 < 800ms: p99 = 212 ms (limit 800 ms)` */
export function verdictLine(verdict: ThresholdVerdict): string {
  const observed = verdict.observed === undefined ? 'no data' : formatValue(verdict.observed, verdict.unit);
  const note = verdict.note ? `; ${verdict.note}` : '';
  return `${verdict.pass ? 'PASS' : 'FAIL'} ${verdict.expression}: ${verdict.metric} = ${observed} (limit ${formatValue(verdict.limit, verdict.unit)})${note}`;
}
