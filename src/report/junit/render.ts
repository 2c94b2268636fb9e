import { displayUrl } from '../views/format.js';
import type { RunResult } from '../../result/types.js';
import { junitXml, type JunitTest } from './xml.js';
import type { Verdict, VerdictCheck } from '../../analysis/types.js';

/**
 * junit.xml: one test case per threshold (and per SLO objective), so a CI test view lists each check.
 * An invalid or interrupted run fails every case it has, with the reason: a pass on it would be a lie.
 * A threshold with no verdict is listed by name with "(not evaluated)" and no failure. An abortOnFail stop
 * is a failed case of its own, so the file fails whenever the exit code says 1.
 */
export function renderJunit(result: RunResult, verdict: Verdict): string {
  const invalid = verdict.status === 'invalid' || verdict.status === 'interrupted';
  const reason =
    verdict.status === 'interrupted'
      ? 'the run was interrupted: figures cover only what completed'
      : verdict.validity.reasons.join('; ') || 'the generator did not keep up';
  const label = verdict.status === 'interrupted' ? 'interrupted run' : 'invalid run';
  const testOf = (check: VerdictCheck, classname: string): JunitTest => {
    if (invalid)
      return {
        name: check.name,
        classname,
        failure: { message: `${label}: ${reason}`, detail: `observed ${check.observed}, limit ${check.limit}` },
      };
    if (check.pass === null) return { name: `${check.name} (not evaluated)`, classname };
    return check.pass
      ? { name: check.name, classname }
      : {
          name: check.name,
          classname,
          failure: {
            message: `${check.name}: observed ${check.observed}, limit ${check.limit}`,
            detail: `scenario ${result.scenario.name}, target ${displayUrl(result.target.url)}`,
          },
        };
  };
  const suiteName = `tailscope: ${result.scenario.name}`;
  const tests = [...verdict.checks.map((c) => testOf(c, c.kind === 'slo' ? 'tailscope.slo' : 'tailscope.thresholds'))];
  const abortedBy = verdict.validity.abortedBy;
  if (abortedBy && !invalid)
    tests.push({
      name: `abortOnFail: ${abortedBy}`,
      classname: 'tailscope.thresholds',
      failure: { message: `the run was stopped by abortOnFail: ${abortedBy}`, detail: reason },
    });
  // A run with no checks still says whether it measured anything.
  if (tests.length === 0)
    tests.push(
      invalid
        ? { name: 'run is valid', classname: 'tailscope.run', failure: { message: `${label}: ${reason}`, detail: reason } }
        : { name: 'run is valid', classname: 'tailscope.run' },
    );
  return junitXml([{ name: suiteName, tests }]);
}
