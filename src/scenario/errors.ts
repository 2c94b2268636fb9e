import { LocatedInputError } from '../shared/errors.js';

/** A scenario the user must fix. Carries where: file, line, column and the dotted field path. */
export class ScenarioError extends LocatedInputError {
  readonly code = 'E_SCENARIO';
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
