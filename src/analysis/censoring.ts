import type { ErrorCounts, ErrorKind } from '../result/types.js';
import type { ConfiguredTimeouts } from './run-config.js';
import type { PhaseCensoring, TimeoutPhase } from './types.js';

/**
 * Which of the run's own timeouts hide values of a phase. An attempt cut by one of them never recorded the
 * phase, yet its value is known to lie above the timeout that cut it (at least the configured value):
 * - first byte: only the first-byte timeout (a total timeout may fire after the first byte; counting it would
 *   claim censoring that did not happen);
 * - total: every timeout, since an attempt cut at any phase had a total at least that long;
 * - first token: the first-byte, idle and total timeouts (each fires before a token that never came);
 * - idle (gaps between tokens): the idle timeout.
 */
const CUT_BY: Record<TimeoutPhase, readonly [ErrorKind, keyof ConfiguredTimeouts, string][]> = {
  connect: [['timeout_connect', 'connectMs', 'client.timeouts.connect']],
  firstByte: [['timeout_first_byte', 'firstByteMs', 'client.timeouts.firstByte']],
  total: [
    ['timeout_connect', 'connectMs', 'client.timeouts.connect'],
    ['timeout_first_byte', 'firstByteMs', 'client.timeouts.firstByte'],
    ['timeout_idle', 'idleMs', 'client.timeouts.idle'],
    ['timeout_total', 'totalMs', 'client.timeouts.total'],
  ],
  firstToken: [
    ['timeout_first_byte', 'firstByteMs', 'client.timeouts.firstByte'],
    ['timeout_idle', 'idleMs', 'client.timeouts.idle'],
    ['timeout_total', 'totalMs', 'client.timeouts.total'],
  ],
  idle: [['timeout_idle', 'idleMs', 'client.timeouts.idle']],
};

/**
 * The censoring of one phase, or undefined when none of its timeouts fired. `recorded` is how many values of
 * the phase were recorded (the successful ones), so the share cut is of recorded + cut.
 */
export function censoringOf(
  phase: TimeoutPhase,
  recorded: number,
  errors: ErrorCounts,
  configured: ConfiguredTimeouts,
): PhaseCensoring | undefined {
  const byKind: Record<string, number> = {};
  let cutCount = 0;
  let configuredMs = Infinity;
  let field = '';
  for (const [kind, key, name] of CUT_BY[phase]) {
    const count = errors.byKind[kind] ?? 0;
    if (count === 0) continue;
    byKind[kind] = count;
    cutCount += count;
    // The values cut lie above the smallest timeout that fired: that is all the run can vouch for.
    if (configured[key] < configuredMs) {
      configuredMs = configured[key];
      field = name;
    }
  }
  if (cutCount === 0) return undefined;
  return { byKind, cutCount, cutShare: cutCount / (recorded + cutCount), configuredMs, field };
}

/**
 * Quantile q of the whole population (recorded + cut) from the recorded values, reading the cut values as lying
 * above every recorded one: the population's q-quantile is then the recorded values' quantile at q·N/n, as long
 * as that rank falls among the recorded ones. For connect, first byte and idle this is exact (a recorded value
 * ended before the timeout that cut the others); for total it is the cautious reading (a recorded total may
 * exceed the first-byte timeout), which errs towards a longer timeout. Past the recorded ones the quantile lies
 * among the cut values: unknown, undefined here.
 */
export function recordedRankOf(q: number, recorded: number, cut: number): number | undefined {
  if (recorded === 0) return undefined;
  const rank = (q * (recorded + cut)) / recorded;
  return rank <= 1 ? rank : undefined;
}
