import { isDeepStrictEqual } from 'node:util';
import { readJsonPath } from '../shared/json-path.js';
import type { CheckOutcome } from '../metrics/checks.js';
import type { ResponseView } from './response-view.js';
import { clip, show, type CheckOperator, type CheckSpec, type CompiledCheck } from '../metrics/grammar/check.js';

/** How a response is judged against its request's checks (declared in metrics/grammar/check.ts). */

/** Whether any check reads more than the status: only then does the engine keep the response's head and body. */
export function checksNeedResponse(checks: readonly CheckSpec[]): boolean {
  return checks.some((check) => check.subject !== 'status');
}

/** Runs every check on one response. */
export function runChecks(checks: readonly CompiledCheck[], response: ResponseView): CheckOutcome[] {
  return checks.map((check) => {
    const failure = checkFailure(check, response);
    return failure === undefined ? { label: check.spec.label } : { label: check.spec.label, failure };
  });
}

/** Why the response fails the check, in one line, or undefined when it passes. */
export function checkFailure(check: CompiledCheck, response: ResponseView): string | undefined {
  const { spec } = check;
  switch (spec.subject) {
    case 'status': {
      const allowed = spec.value as (number | string)[];
      const status = response.status;
      if (allowed.some((s) => (typeof s === 'number' ? s === status : String(status)[0] === s[0]))) return undefined;
      return `status ${status}, expected ${allowed.length === 1 ? String(allowed[0]) : `one of ${allowed.join(', ')}`}`;
    }
    case 'body': {
      const text = response.bodyText();
      return textFailure('body', text, spec.operator, spec.value, check.pattern);
    }
    case 'header': {
      const name = spec.at!;
      const value = response.header(name);
      if (spec.operator === 'exists') {
        if ((value !== undefined) === spec.value) return undefined;
        return value === undefined ? `header ${name} is missing` : `header ${name} is present (${show(value)}), expected none`;
      }
      if (value === undefined) return `header ${name} is missing`;
      if (spec.operator === 'equals')
        return value === spec.value ? undefined : `header ${name} is ${show(value)}, expected ${show(spec.value)}`;
      if (spec.operator === 'notEquals')
        return value !== spec.value ? undefined : `header ${name} is ${show(value)}, expected anything else`;
      return textFailure(`header ${name}`, value, spec.operator, spec.value, check.pattern);
    }
    case 'json':
      return jsonFailure(check, response);
  }
}

function jsonFailure(check: CompiledCheck, response: ResponseView): string | undefined {
  const { spec } = check;
  const where = spec.at!;
  const parsed = response.json();
  if (!parsed.ok) return `body is not JSON (${clip(parsed.reason, 80)})`;
  const actual = readJsonPath(check.path!, parsed.value);
  const expected = spec.value;
  if (spec.operator === 'exists') {
    if ((actual !== undefined) === expected) return undefined;
    return actual === undefined ? `${where} is missing` : `${where} is ${show(actual)}, expected it absent`;
  }
  if (actual === undefined) return `${where} is missing`;
  const is = `${where} is ${show(actual)}`;
  switch (spec.operator) {
    case 'equals':
      return isDeepStrictEqual(actual, expected) ? undefined : `${is}, expected ${show(expected)}`;
    case 'notEquals':
      return !isDeepStrictEqual(actual, expected) ? undefined : `${is}, expected anything else`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const limit = expected as number;
      const symbol = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[spec.operator];
      if (typeof actual !== 'number') return `${is}, expected a number ${symbol} ${limit}`;
      const pass =
        spec.operator === 'gt'
          ? actual > limit
          : spec.operator === 'gte'
            ? actual >= limit
            : spec.operator === 'lt'
              ? actual < limit
              : actual <= limit;
      return pass ? undefined : `${is}, expected ${symbol} ${limit}`;
    }
    case 'in': {
      const options = expected as unknown[];
      return options.some((option) => isDeepStrictEqual(actual, option))
        ? undefined
        : `${is}, expected one of ${options.map((o) => show(o)).join(', ')}`;
    }
    case 'contains':
    case 'notContains': {
      const wanted = spec.operator === 'contains';
      let found: boolean;
      if (Array.isArray(actual)) found = actual.some((item) => isDeepStrictEqual(item, expected));
      else if (typeof actual === 'string' && typeof expected === 'string') found = actual.includes(expected);
      else return `${is}, expected a string or a list ${wanted ? 'containing' : 'without'} ${show(expected)}`;
      if (found === wanted) return undefined;
      return `${is}, expected ${wanted ? 'it to contain' : 'it not to contain'} ${show(expected)}`;
    }
    case 'matches': {
      // Numbers and booleans are matched as they read in the JSON text; lists and objects are not text.
      if (actual === null || typeof actual === 'object') return `${is}, expected text matching /${check.pattern!.source}/`;
      return check.pattern!.test(typeof actual === 'string' ? actual : JSON.stringify(actual))
        ? undefined
        : `${is}, expected to match /${check.pattern!.source}/`;
    }
  }
}

/** contains / notContains / matches on text (the body, a header value). */
function textFailure(what: string, text: string, operator: CheckOperator, value: unknown, pattern: RegExp | undefined): string | undefined {
  const quoted = what === 'body' ? `body` : `${what} (${show(text)})`;
  switch (operator) {
    case 'contains':
      return text.includes(value as string) ? undefined : `${quoted} does not contain ${show(value)}`;
    case 'notContains':
      return !text.includes(value as string) ? undefined : `${quoted} contains ${show(value)}`;
    case 'matches':
      return pattern!.test(text) ? undefined : `${quoted} does not match /${pattern!.source}/`;
    default:
      return `${what} cannot be checked with ${operator}`;
  }
}
