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

/** One problem found after parsing (a data file, a mock profile), located in the scenario's source when known. */
export function scenarioProblem(
  scenario: { file?: string; locate?: (path: (string | number)[]) => { line?: number; column?: number } },
  path: (string | number)[],
  message: string,
): ScenarioError {
  const field = path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
  return new ScenarioError(scenario.file ?? '<scenario>', [{ ...scenario.locate?.(path), field, message }]);
}
