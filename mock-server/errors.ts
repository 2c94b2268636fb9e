import { TailscopeError } from '../src/shared/errors.js';

/** Typed errors with stable codes: callers branch on `code`, people read `message`. */

export class ProfileError extends TailscopeError {
  readonly code = 'E_MOCK_PROFILE';
  /** The file the profile came from, when it came from one. */
  readonly file: string | undefined;
  /** Dotted path of the offending field, e.g. `generate.latency.p99`. */
  readonly field: string | undefined;
  /** 1-based line of the field in the file, when known. */
  readonly line: number | undefined;

  constructor(message: string, where: { file?: string; field?: string; line?: number } = {}) {
    const location = [where.file && (where.line ? `${where.file}:${where.line}` : where.file), where.field].filter(Boolean).join(': ');
    super(location ? `${location}: ${message}` : message);
    this.file = where.file;
    this.field = where.field;
    this.line = where.line;
  }
}
