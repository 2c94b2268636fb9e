/**
 * The one base of tailscope's typed errors. Every error carries a stable `code` (`E_` + upper snake case) that
 * callers branch on; people read `message`. Only cli/ turns codes into exit codes.
 */
export abstract class TailscopeError extends Error {
  abstract readonly code: `E_${string}`;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem of an input file, located as an editor would: 1-based line and column, and the field path. */
export interface LocatedProblem {
  line?: number;
  column?: number;
  /** `load.closed[1].ramp`; empty for a problem of the file as a whole */
  field: string;
  message: string;
}

/** An input file (scenario, policy, mock profile) with problems the user must fix, each located. */
export abstract class LocatedInputError extends TailscopeError {
  constructor(
    readonly file: string,
    readonly problems: readonly LocatedProblem[],
  ) {
    super(
      problems
        .map((p) => `${file}${p.line ? `:${p.line}` : ''}${p.column ? `:${p.column}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`)
        .join('\n'),
    );
  }
}
