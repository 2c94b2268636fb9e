import type { Verdict } from '../analysis/types.js';
import { TailscopeError } from '../shared/errors.js';

/** The CLI's exit codes: the contract with CI pipelines. */
export const EXIT = {
  ok: 0,
  /** a threshold or a baseline comparison failed */
  failed: 1,
  /** bad input: scenario, flags, files; or a target the preflight could not reach (nothing was sent) */
  badInput: 2,
  /** the run is not a valid measurement (the generator was the bottleneck, or the target stopped answering) */
  invalidRun: 3,
  /** stopped by SIGINT/SIGTERM; the report of what ran was still written (nothing, if the load had not started) */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the user can fix by changing their input; exits 2 with its message alone (no stack). */
export class UsageError extends TailscopeError {
  readonly code = 'E_USAGE';
  constructor(message: string) {
    super(message);
  }
}

/**
 * The exit code of a judged run: a pure function of its verdict (and, with --baseline, whether the comparison
 * found a regression), so the code a pipeline sees and every report agree by construction.
 * Precedence follows the verdict: interrupted (130), then invalid (3), then failed checks or a regression (1).
 */
export function exitCodeOf(verdict: Pick<Verdict, 'status'>, comparison?: { regression: boolean }): ExitCode {
  switch (verdict.status) {
    case 'interrupted':
      return EXIT.interrupted;
    case 'invalid':
      return EXIT.invalidRun;
    case 'fail':
      return EXIT.failed;
    case 'pass':
    case 'unchecked':
      return comparison?.regression ? EXIT.failed : EXIT.ok;
  }
}
