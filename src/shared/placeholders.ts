/**
 * The placeholder grammar of templates, shared by the scenario reader (which checks every name when the scenario
 * is loaded) and the client (which fills them per request):
 *
 * - `{{ feeder }}` / `{{ feeder.field }}`: the next row of a data feeder, or one field of it;
 * - built-ins: `{{ uuid }}`, `{{ vu }}`, `{{ iteration }}`, `{{ now }}` (ms since the epoch) and
 *   `{{ random(1, 100) }}` (an integer, both ends included).
 *
 * Which names are known is a set the caller passes: feeders and built-ins today, values captured by earlier
 * steps of a flow tomorrow.
 */
export const WHOLE_PLACEHOLDER = /^\{\{\s*([A-Za-z_$][\w$]*)(?:((?:\.[\w$]+)*)|\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\))\s*\}\}$/;
export const EMBEDDED_PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$]*)(?:((?:\.[\w$]+)*)|\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\))\s*\}\}/g;

/** Anything written between double braces, well-formed or not: each must match the grammar above. */
const ANY_PLACEHOLDER = /\{\{(.*?)\}\}/g;

export const BUILTIN_NAMES = ['uuid', 'vu', 'iteration', 'now', 'random'] as const;
export type BuiltinName = (typeof BUILTIN_NAMES)[number];
const BUILTINS: ReadonlySet<string> = new Set(BUILTIN_NAMES);

export function isBuiltin(name: string): name is BuiltinName {
  return BUILTINS.has(name);
}

/** Names of the feeders a template uses (built-ins left out). */
export function feedersUsed(template: unknown, found = new Set<string>()): Set<string> {
  walkStrings(template, [], (text) => {
    for (const match of text.matchAll(EMBEDDED_PLACEHOLDER)) if (!isBuiltin(match[1]!)) found.add(match[1]!);
  });
  return found;
}

export interface TemplateProblem {
  /** where in the template (object keys, array indexes), empty for a string template */
  path: (string | number)[];
  message: string;
}

/**
 * Every placeholder of a template that would not render: a name that is neither known nor a built-in, a
 * built-in written wrongly (`{{ uuid.x }}`, `{{ random(5, 1) }}`), or braces that are no placeholder at all.
 */
export function templateProblems(template: unknown, known: ReadonlySet<string>): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  walkStrings(template, [], (text, path) => {
    for (const [whole] of text.matchAll(ANY_PLACEHOLDER)) {
      const message = placeholderProblem(whole, known);
      if (message) problems.push({ path, message });
    }
  });
  return problems;
}

function placeholderProblem(whole: string, known: ReadonlySet<string>): string | undefined {
  const match = WHOLE_PLACEHOLDER.exec(whole);
  if (!match) return `${whole} is not a template: write {{ name }}, {{ name.field }} or {{ random(1, 100) }}`;
  const [, name, fields, low, high] = match as unknown as [string, string, string | undefined, string | undefined, string | undefined];
  const called = low !== undefined;
  if (name === 'random') {
    if (!called) return '{{ random }} needs its range: {{ random(1, 100) }}';
    if (Number(low) > Number(high)) return `${whole}: the range starts above its end`;
    if (!Number.isSafeInteger(Number(low)) || !Number.isSafeInteger(Number(high))) return `${whole}: the range is too large`;
    return undefined;
  }
  if (called) return `${whole}: only random takes arguments`;
  if (isBuiltin(name)) return fields ? `${whole}: {{ ${name} }} has no fields` : undefined;
  if (known.has(name)) return undefined;
  const names = [...known].sort();
  return `unknown template name "${name}": not ${names.length > 0 ? `a data feeder (${names.join(', ')}) ` : 'a data feeder (data defines none) '}nor a built-in (${BUILTIN_NAMES.join(', ')})`;
}

function walkStrings(value: unknown, path: (string | number)[], visit: (text: string, path: (string | number)[]) => void): void {
  if (typeof value === 'string') {
    if (value.includes('{{')) visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => walkStrings(item, [...path, index], visit));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) walkStrings(item, [...path, key], visit);
  }
}
