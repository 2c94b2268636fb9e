import type { Comparison } from '../../analysis/compare/compare.js';
import { changeText, methodText, pText, value } from '../views/regression.js';
import type { JunitSuite } from './xml.js';

/** One JUnit test case per rule. */
export function compareSuite(comparison: Comparison, suiteName = 'compare'): JunitSuite {
  return {
    name: suiteName,
    tests: comparison.rules.map((r) => {
      const line = `${r.label} ${value(r.change.baseline, r.change.unit)} → ${value(r.change.current, r.change.unit)}: ${changeText(r.change)}, p ${pText(r.change.pValue)}`;
      return {
        name: r.rule,
        classname: 'tailscope.compare',
        ...(r.outcome === 'regression'
          ? { failure: { message: `regression: ${line}`, detail: `${line}\n${methodText(comparison)}` } }
          : {}),
      };
    }),
  };
}
