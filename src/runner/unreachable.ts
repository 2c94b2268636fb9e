import type { ErrorCounts, ErrorKind } from '../result/types.js';

/**
 * Failures that mean no usable connection could be made at all: the target is not there (any more), or no TLS
 * session with it can be set up (its certificate is not trusted, the handshake fails).
 */
const CONNECT_FAILURES: readonly ErrorKind[] = ['refused', 'dns', 'timeout_connect', 'tls_cert', 'tls_handshake'];

/** How each kind reads as the operating system's error, for the message. */
const OS_ERROR: Partial<Record<ErrorKind, string>> = {
  refused: 'ECONNREFUSED',
  dns: 'ENOTFOUND',
  timeout_connect: 'connect timeout',
  tls_cert: 'tls_cert',
  tls_handshake: 'tls_handshake',
};

/** Every attempt failing to connect for this long ends the run: more of it measures nothing. */
export const UNREACHABLE_AFTER_MS = 2_000;

export interface Unreachable {
  /** how long every attempt had failed to connect when the run was stopped */
  forMs: number;
  attempts: number;
  /** "ECONNREFUSED 1234, connect timeout 2" */
  errors: string;
}

/**
 * Watches merged intervals during a run: once every attempt of `UNREACHABLE_AFTER_MS` worth of consecutive
 * intervals failed to connect, the target is gone and `onInterval` returns what was seen. Pure and clock-free:
 * time is counted in intervals, so a table tests it.
 */
export function createUnreachableWatch(intervalMs: number, afterMs = UNREACHABLE_AFTER_MS) {
  let streakMs = 0;
  let attempts = 0;
  const byKind: Partial<Record<ErrorKind, number>> = {};
  return {
    onInterval(interval: { requests: number; successes: number; errors: ErrorCounts }): Unreachable | undefined {
      const connectFailures = CONNECT_FAILURES.reduce((sum, kind) => sum + (interval.errors.byKind[kind] ?? 0), 0);
      const allFailedToConnect = interval.requests > 0 && interval.successes === 0 && connectFailures === interval.requests;
      if (!allFailedToConnect) {
        streakMs = 0;
        attempts = 0;
        for (const kind of CONNECT_FAILURES) delete byKind[kind];
        return undefined;
      }
      streakMs += intervalMs;
      attempts += interval.requests;
      for (const kind of CONNECT_FAILURES) byKind[kind] = (byKind[kind] ?? 0) + (interval.errors.byKind[kind] ?? 0);
      if (streakMs < afterMs) return undefined;
      const errors = CONNECT_FAILURES.filter((k) => byKind[k])
        .map((k) => `${OS_ERROR[k]} ${byKind[k]}`)
        .join(', ');
      return { forMs: streakMs, attempts, errors };
    },
  };
}
