import { TailscopeError } from '../shared/errors.js';

/** The CLI's exit codes: the contract with CI pipelines. */
export const EXIT = {
  ok: 0,
  /** a threshold or a baseline comparison failed */
  failed: 1,
  /** bad input: scenario, flags, files */
  badInput: 2,
  /** the run is not a valid measurement (the generator was the bottleneck) */
  invalidRun: 3,
  /** stopped by SIGINT/SIGTERM; the report of what ran was still written */
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
