/**
 * The small JSONPath subset scenarios use to point into a response body (checks, captured values, poll
 * conditions, token usage): `$` the whole document, `.name` or `['name']` a member, `[2]` an element and
 * `[-1]` the last one. Filters, wildcards and recursive descent are left out on purpose: each path names
 * exactly one value, so a check or a capture never has to choose between several.
 *
 * A path is compiled once, when the scenario is loaded (a bad one is a scenario error with its column), and
 * read once per response.
 */

export type JsonPathStep = { member: string } | { index: number };

export class JsonPathSyntaxError extends Error {
  constructor(
    readonly path: string,
    readonly column: number,
    reason: string,
  ) {
    super(`bad JSON path "${path}" at column ${column}: ${reason}`);
    this.name = 'JsonPathSyntaxError';
  }
}

export interface JsonPath {
  /** the path as written, for messages and reports */
  readonly source: string;
  readonly steps: readonly JsonPathStep[];
}

/** Characters of a member name written after a dot: identifiers, digits, `-` (as in `x-request-id`). */
const DOT_NAME = /[A-Za-z0-9_$-]/;

export function compileJsonPath(source: string): JsonPath {
  const text = source.trim();
  if (!text.startsWith('$')) throw new JsonPathSyntaxError(source, 1, 'a path starts with $');
  const steps: JsonPathStep[] = [];
  let at = 1;
  while (at < text.length) {
    const char = text[at]!;
    if (char === '.') {
      let end = at + 1;
      while (end < text.length && DOT_NAME.test(text[end]!)) end += 1;
      if (end === at + 1) throw new JsonPathSyntaxError(source, at + 2, 'a member name after "."');
      steps.push({ member: text.slice(at + 1, end) });
      at = end;
    } else if (char === '[') {
      const close = text.indexOf(']', at);
      if (close < 0) throw new JsonPathSyntaxError(source, at + 1, 'an unclosed "["');
      const inside = text.slice(at + 1, close).trim();
      const quoted = /^(['"])(.*)\1$/.exec(inside);
      if (quoted) steps.push({ member: quoted[2]! });
      else if (/^-?\d+$/.test(inside)) steps.push({ index: Number(inside) });
      else throw new JsonPathSyntaxError(source, at + 2, 'a quoted name or an integer index inside [...]');
      at = close + 1;
    } else {
      throw new JsonPathSyntaxError(source, at + 1, `unexpected "${char}" (a path reads like $.usage.completion_tokens)`);
    }
  }
  return { source: text, steps };
}

/** The value the path names in `document`, or undefined when any step is missing. */
export function readJsonPath(path: JsonPath, document: unknown): unknown {
  let value = document;
  for (const step of path.steps) {
    if (value === null || typeof value !== 'object') return undefined;
    if ('index' in step) {
      if (!Array.isArray(value)) return undefined;
      value = value[step.index < 0 ? value.length + step.index : step.index];
    } else {
      if (Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, step.member)) return undefined;
      value = (value as Record<string, unknown>)[step.member];
    }
  }
  return value;
}

/**
 * Parses a response body as JSON for path reads, or returns undefined when it is not JSON: a check or capture
 * then fails on its own terms ("not JSON") rather than throwing out of the request loop.
 */
export function parseJsonBody(body: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
