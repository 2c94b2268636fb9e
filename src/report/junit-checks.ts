import { displayUrl } from './format.js';
import type { RunResult } from '../result/types.js';
import { junitXml, type JunitTest } from './junit.js';
import type { Check, Verdict } from './verdict.js';

/**
 * junit.xml: one test case per threshold (and per SLO objective), so a CI test view lists each check.
 * An invalid run fails every case it has, with the reason: a pass on an invalid run would be a lie.
 * A threshold with no verdict is listed by name with "(not evaluated)" and no failure.
 */
export function renderJunit(result: RunResult, verdict: Verdict): string {
  const invalid = !verdict.validity.valid;
  const reason = verdict.validity.reasons.join('; ') || 'the generator did not keep up';
  const testOf = (check: Check, classname: string): JunitTest => {
    if (invalid) return { name: check.name, classname, failure: { message: `invalid run: ${reason}`, detail: `observed ${check.observed}, limit ${check.limit}` } };
    if (check.pass === undefined) return { name: `${check.name} (not evaluated)`, classname };
    return check.pass
      ? { name: check.name, classname }
      : { name: check.name, classname, failure: { message: `${check.name}: observed ${check.observed}, limit ${check.limit}`, detail: `scenario ${result.scenario.name}, target ${displayUrl(result.target.url)}` } };
  };
  const suiteName = `tailscope: ${result.scenario.name}`;
  const tests = [
    ...verdict.thresholds.map((c) => testOf(c, 'tailscope.thresholds')),
    ...verdict.slo.map((c) => testOf(c, 'tailscope.slo')),
  ];
  // A run with no checks still says whether it measured anything.
  if (tests.length === 0) tests.push(invalid ? { name: 'run is valid', classname: 'tailscope.run', failure: { message: `invalid run: ${reason}`, detail: reason } } : { name: 'run is valid', classname: 'tailscope.run' });
  return junitXml([{ name: suiteName, tests }]);
}
