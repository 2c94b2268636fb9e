import type { ObservedUnit, ThresholdVerdict } from '../analysis/thresholds/types.js';
import { formatMs } from './format.js';
import type { JunitSuite } from './junit.js';

/** A value with its unit, rounded for reading: 812 ms, 23.4 ms, 0.52%, 212.3 req/s. */
export function formatValue(value: number, unit: ObservedUnit): string {
  switch (unit) {
    case 'ms':
      return `${formatMs(value)} ms`;
    case '%':
      return `${value.toFixed(value !== 0 && value < 0.1 ? 3 : 2)}%`;
    case 'req/s':
      return `${value.toFixed(1)} req/s`;
    case 'requests':
      return `${value.toFixed(0)} requests`;
  }
}

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
