import { compileJsonPath, type JsonPath } from '../../shared/json-path.js';

/**
 * Response checks as a scenario declares them: what a request's answer must look like to count as a success
 * (k6's `check()`, Gatling's `check(jsonPath(...).is(...))`). A check reads one subject of the response (its
 * status, a JSON path into its body, the body as text, or a header) and applies one operator to it. This is the
 * vocabulary the scenario validates and the client evaluates (client/checks.ts).
 */

export const CHECK_OPERATORS = [
  'equals',
  'notEquals',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'contains',
  'notContains',
  'matches',
  'exists',
] as const;
export type CheckOperator = (typeof CHECK_OPERATORS)[number];
export type CheckSubject = 'status' | 'json' | 'body' | 'header';

/** The operators each subject takes as a scenario writes them (status is written as a value, not an operator). */
export const SUBJECT_OPERATORS: Record<Exclude<CheckSubject, 'status'>, readonly CheckOperator[]> = {
  json: CHECK_OPERATORS,
  body: ['contains', 'notContains', 'matches'],
  header: ['equals', 'notEquals', 'contains', 'notContains', 'matches', 'exists'],
};

/**
 * One check as plain data (it crosses to the workers by structured clone): validated when the scenario is
 * loaded, compiled again in each worker.
 */
export interface CheckSpec {
  /** the check as written (`$.ok == true`), or its `name`; unique within a request */
  label: string;
  subject: CheckSubject;
  /** json: the path; header: the header name */
  at?: string;
  operator: CheckOperator;
  /** the operand; status checks: `in` a list of statuses and classes (`2xx`) */
  value?: unknown;
}

export interface CompiledCheck {
  spec: CheckSpec;
  path?: JsonPath;
  pattern?: RegExp;
}

/** Compiles a check's path and pattern; throws JsonPathSyntaxError or SyntaxError (the scenario reports them). */
export function compileCheck(spec: CheckSpec): CompiledCheck {
  return {
    spec,
    ...(spec.subject === 'json' && spec.at !== undefined ? { path: compileJsonPath(spec.at) } : {}),
    ...(spec.operator === 'matches' ? { pattern: new RegExp(String(spec.value)) } : {}),
  };
}

/** The default label of a check: what it asserts, as compactly as the scenario wrote it. */
export function checkLabel(spec: Omit<CheckSpec, 'label'>): string {
  // A pattern reads as reasons print it (RegExp.source escapes its slashes).
  const operand = spec.operator === 'matches' ? `/${new RegExp(String(spec.value)).source}/` : show(spec.value, 40);
  const symbol: Record<CheckOperator, string> = {
    equals: '==',
    notEquals: '!=',
    gt: '>',
    gte: '>=',
    lt: '<',
    lte: '<=',
    in: 'in',
    contains: 'contains',
    notContains: 'does not contain',
    matches: 'matches',
    exists: 'exists',
  };
  switch (spec.subject) {
    case 'status': {
      const allowed = spec.value as (number | string)[];
      return allowed.length === 1 ? `status ${allowed[0]}` : `status in ${allowed.join(', ')}`;
    }
    case 'body':
      return `body ${symbol[spec.operator]} ${operand}`;
    case 'header':
    case 'json': {
      const subject = spec.subject === 'header' ? `header ${spec.at}` : spec.at!;
      if (spec.operator === 'exists') return spec.value === false ? `${subject} absent` : `${subject} exists`;
      return `${subject} ${symbol[spec.operator]} ${operand}`;
    }
  }
}

/** A value as a reason or a label shows it: JSON, cut short (a target may answer with a page). */
export function show(value: unknown, max = 60): string {
  return clip(JSON.stringify(value) ?? String(value), max);
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
