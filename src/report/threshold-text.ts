import type { ThresholdVerdict } from '../analysis/thresholds/types.js';
import { formatValue } from '../shared/format.js';
import type { JunitSuite } from './junit.js';

export { formatValue };

/** `PASS p99 < 800ms: p99 = 212 ms (limit 800 ms)` */
export function verdictLine(verdict: ThresholdVerdict): string {
  const observed = verdict.observed === undefined ? 'no data' : formatValue(verdict.observed, verdict.unit);
  const note = verdict.note ? `; ${verdict.note}` : '';
  return `${verdict.pass ? 'PASS' : 'FAIL'} ${verdict.expression}: ${verdict.metric} = ${observed} (limit ${formatValue(verdict.limit, verdict.unit)})${note}`;
}

/** One JUnit test case per threshold, for `junitXml`. */
export function thresholdSuite(verdicts: readonly ThresholdVerdict[], suiteName = 'thresholds'): JunitSuite {
  return {
    name: suiteName,
    tests: verdicts.map((v) => ({
      name: v.expression,
      classname: 'tailscope.thresholds',
      ...(v.pass ? {} : { failure: { message: verdictLine(v), detail: verdictLine(v) } }),
    })),
  };
}
