/** A scenario the user must fix. Carries where: file, line, column and the dotted field path. */
export class ScenarioError extends Error {
  readonly code = 'E_SCENARIO';
  constructor(
    readonly file: string,
    readonly problems: ReadonlyArray<{ line?: number; column?: number; field: string; message: string }>,
  ) {
    super(
      problems
        .map((p) => `${file}${p.line ? `:${p.line}` : ''}${p.column ? `:${p.column}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`)
        .join('\n'),
    );
    this.name = 'ScenarioError';
  }
}
