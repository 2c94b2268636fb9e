import type { z } from 'zod';

type Path = (string | number)[];
interface Problem {
  path: Path;
  message: string;
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Environment variables are text, so `concurrency: "${VUS:-1}"` reads as a string. Where the schema wants a
 * number (or a boolean) and the file wrote a `${…}` there, the substituted text is converted; text that is not
 * a number is refused at that field, saying what the variable gave. Fields written as literal strings are left
 * for the schema to refuse as it always has. Schema-directed, so a string field (a client id of digits) keeps
 * its string.
 */
export function coerceSubstituted(
  value: unknown,
  raw: unknown,
  parse: (value: unknown) => { success: boolean; error?: z.ZodError },
): { value: unknown; problems: Problem[] } {
  const problems: Problem[] = [];
  const refused = new Set<string>();
  let current = value;
  // Each pass converts every field the last parse complained of; nested shapes may need a second look.
  for (let pass = 0; pass < 4; pass++) {
    const parsed = parse(current);
    if (parsed.success || !parsed.error) break;
    let changed = false;
    for (const issue of parsed.error.issues) {
      if (issue.code !== 'invalid_type' || (issue.expected !== 'number' && issue.expected !== 'boolean')) continue;
      const path = issue.path as Path;
      const key = JSON.stringify(path);
      const written = getAt(raw, path);
      const text = getAt(current, path);
      if (refused.has(key) || typeof text !== 'string' || typeof written !== 'string' || !written.includes('${')) continue;
      const converted =
        issue.expected === 'number'
          ? NUMBER.test(text.trim())
            ? Number(text.trim())
            : undefined
          : text === 'true'
            ? true
            : text === 'false'
              ? false
              : undefined;
      if (converted === undefined) {
        refused.add(key);
        problems.push({ path, message: `${written} gives ${JSON.stringify(text)}, which is not a ${issue.expected}` });
        continue;
      }
      current = setAt(current, path, converted);
      changed = true;
    }
    if (!changed) break;
  }
  return { value: current, problems };
}

/** Whether a schema problem is one `coerceSubstituted` already reported in its own words. */
export function reportedBy(problems: readonly Problem[]): (path: Path) => boolean {
  const keys = new Set(problems.map((p) => JSON.stringify(p.path)));
  return (path) => keys.has(JSON.stringify(path));
}

function getAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const key of path) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [key, ...rest] = path;
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) }) as Record<
    string | number,
    unknown
  >;
  copy[key!] = setAt(copy[key!], rest, replacement);
  return copy;
}
