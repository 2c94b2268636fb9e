import { LocatedInputError } from '../shared/errors.js';

/** A scenario the user must fix. Carries where: file, line, column and the dotted field path. */
export class ScenarioError extends LocatedInputError {
  readonly code = 'E_SCENARIO';
}
