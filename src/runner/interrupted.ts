import { TailscopeError } from '../shared/errors.js';

/**
 * The run was stopped (SIGINT/SIGTERM, through the abort signal) before the workers were told to start: not one
 * request was sent, so there is nothing to report, and nothing is written. Once the load has started, a stop
 * returns the result of what ran instead (interrupted: true).
 */
export class StoppedBeforeLoadError extends TailscopeError {
  readonly code = 'E_STOPPED_BEFORE_LOAD';
  /** @param reason the abort reason when the caller gave a word for it (the CLI gives the signal's name) */
  constructor(reason?: unknown) {
    super(`${typeof reason === 'string' ? `${reason}: ` : ''}stopped before the load started: no request was sent, nothing written`);
  }
}

/** Throws StoppedBeforeLoadError when the signal has fired; called between the steps of start-up. */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StoppedBeforeLoadError(signal.reason);
}
