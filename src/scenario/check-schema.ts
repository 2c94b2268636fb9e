import { z } from 'zod';
import { checkLabel, compileCheck, SUBJECT_OPERATORS, type CheckSpec, type CheckSubject } from '../metrics/grammar/check.js';
import { compileJsonPath, JsonPathSyntaxError } from '../shared/json-path.js';
import { headerNameProblem } from '../shared/http-syntax.js';

/**
 * A response check as a scenario writes it. Each form is told apart by its leading key (status, json, body,
 * header) and checked against its own shape, so a typo reports that form's operators rather than a union of
 * every shape; the JSON Schema describes them as the union an editor completes (see json-schema.ts).
 */

const jsonPath = z.string().superRefine((path, ctx) => {
  try {
    compileJsonPath(path);
  } catch (error) {
    if (!(error instanceof JsonPathSyntaxError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
  }
});

const pattern = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `bad regular expression: ${(error as Error).message}` });
  }
});

const label = z.string().min(1).optional();
const statusValue = z.number().int().min(100).max(599);
const statusClass = z.string().regex(/^[1-5]xx$/, 'a status class reads like 2xx');

export const checkShapes = {
  status: z.strictObject({
    /** a status, a list of them, or a class such as `2xx` */
    status: z.union([statusValue, statusClass, z.array(z.union([statusValue, statusClass])).min(1)]),
    name: label,
  }),
  json: z.strictObject({
    json: jsonPath,
    name: label,
    equals: z.unknown().optional(),
    notEquals: z.unknown().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    in: z.array(z.unknown()).min(1).optional(),
    contains: z.unknown().optional(),
    notContains: z.unknown().optional(),
    matches: pattern.optional(),
    exists: z.boolean().optional(),
  }),
  body: z.strictObject({
    body: z.strictObject({ contains: z.string().optional(), notContains: z.string().optional(), matches: pattern.optional() }),
    name: label,
  }),
  header: z.strictObject({
    header: z
      .string()
      .min(1)
      .superRefine((name, ctx) => {
        const problem = headerNameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    name: label,
    equals: z.string().optional(),
    notEquals: z.string().optional(),
    contains: z.string().optional(),
    notContains: z.string().optional(),
    matches: pattern.optional(),
    exists: z.boolean().optional(),
  }),
};

const SUBJECTS = Object.keys(checkShapes) as CheckSubject[];

/** One check: validated against the shape its leading key names, then normalised to a CheckSpec. */
export const checkSchema = z.record(z.string(), z.unknown()).transform((raw, ctx): CheckSpec => {
  const subjects = SUBJECTS.filter((subject) => subject in raw);
  const refuse = (message: string, path: (string | number)[] = []): CheckSpec => {
    ctx.addIssue({ code: 'custom', message, path });
    return z.NEVER;
  };
  if (subjects.length !== 1) {
    return refuse(
      subjects.length === 0
        ? 'a check starts with one of status, json, body or header, e.g. { json: "$.ok", equals: true }'
        : `one subject per check, got ${subjects.join(' and ')}: write them as separate checks`,
    );
  }
  const subject = subjects[0]!;
  if (subject !== 'status') {
    const operators = SUBJECT_OPERATORS[subject];
    const operand = subject === 'body' ? raw.body : raw;
    if (operand !== null && typeof operand === 'object' && !Array.isArray(operand)) {
      const known = new Set<string>([...operators, 'name', subject]);
      for (const key of Object.keys(operand)) {
        if (!known.has(key))
          return refuse(
            `unknown ${subject} check operator "${key}"; one of ${operators.join(', ')}`,
            subject === 'body' ? ['body', key] : [key],
          );
      }
      const given = Object.keys(operand).filter((key) => (operators as readonly string[]).includes(key));
      if (given.length > 1) return refuse(`one operator per check, got ${given.join(' and ')}: write them as separate checks`);
      if (subject === 'body' && given.length === 0) return refuse(`a body check takes one of ${operators.join(', ')}`, ['body']);
    }
  }
  const parsed = checkShapes[subject].safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const message = issue.code === 'unrecognized_keys' ? `unknown field "${issue.keys.join('", "')}"` : issue.message;
      ctx.addIssue({ code: 'custom', message, path: issue.path });
    }
    return z.NEVER;
  }
  const spec = normalise(subject, parsed.data);
  compileCheck(spec); // every part was validated above: this only proves the worker will compile it too
  return spec;
});

function normalise(subject: CheckSubject, check: Record<string, unknown>): CheckSpec {
  const named = (spec: Omit<CheckSpec, 'label'>): CheckSpec => ({
    label: typeof check.name === 'string' ? check.name : checkLabel(spec),
    ...spec,
  });
  if (subject === 'status') {
    const status = check.status as number | string | (number | string)[];
    return named({ subject, operator: 'in', value: Array.isArray(status) ? status : [status] });
  }
  const operands = subject === 'body' ? (check.body as Record<string, unknown>) : check;
  const operator = SUBJECT_OPERATORS[subject].find((op) => operands[op] !== undefined) ?? 'exists';
  const value = operator === 'exists' ? (operands.exists ?? true) : operands[operator];
  return named({ subject, ...(subject === 'body' ? {} : { at: check[subject] as string }), operator, value });
}
