import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { LocatedProblem } from './errors.js';

/**
 * The one reader of YAML (and JSON, which YAML reads too) inputs: scenarios, what-if policies, mock profiles.
 * It keeps the parsed document beside the value so that any later problem, a schema's or a cross-field
 * check's, can be pointed at its line and column.
 */

export type FieldPath = (string | number)[];

export interface LocatedYaml {
  /** the document as plain data; undefined for an empty file */
  value: unknown;
  /** line and column of the node at `path`, or of its nearest existing ancestor (a missing field has none) */
  locate: (path: FieldPath) => { line?: number; column?: number };
}

export interface ReadOptions {
  /** what the file is written in, for messages: a `.json` file is also held to JSON's stricter grammar */
  syntax?: 'YAML' | 'JSON';
  /** larger text is refused before it is parsed */
  maxBytes?: number;
}

/**
 * Parses text, or throws what `fail` makes of the syntax problems. Aliases are capped, so a "billion laughs"
 * file is refused instead of eating memory; duplicate keys are refused (in linear time: yaml's own uniqueKeys
 * check compares every key of a mapping with every other, 12 s for 40k keys).
 */
export function readLocatedYaml(text: string, fail: (problems: LocatedProblem[]) => Error, options: ReadOptions = {}): LocatedYaml {
  const syntax = options.syntax ?? 'YAML';
  if (options.maxBytes !== undefined) {
    const bytes = Buffer.byteLength(text);
    if (bytes > options.maxBytes) {
      throw fail([
        {
          field: '',
          message: `${(bytes / 1024 / 1024).toFixed(1)} MiB is more than this file may be (${options.maxBytes / 1024 / 1024} MiB); bulk data belongs in data files`,
        },
      ]);
    }
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false });
  if (document.errors.length > 0) {
    throw fail(
      document.errors.map((error) => {
        const position = error.linePos?.[0];
        const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return { line: position?.line, column: position?.col, field: '', message: `invalid ${syntax}: ${message}` };
      }),
    );
  }
  // YAML reads more than JSON allows (trailing commas, comments): a .json file is held to JSON.
  if (syntax === 'JSON') {
    const problem = jsonProblem(text);
    if (problem) {
      const position = problem.offset === undefined ? undefined : lineCounter.linePos(problem.offset);
      throw fail([{ line: position?.line, column: position?.col, field: '', message: `invalid JSON: ${problem.message}` }]);
    }
  }
  const duplicates = duplicateKeys(document, lineCounter);
  if (duplicates.length > 0) throw fail(duplicates);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw fail([{ field: '', message: `invalid ${syntax}: ${(error as Error).message}` }]);
  }
  return { value, locate: locator(document, lineCounter) };
}

/** Keys given twice in one mapping, each at the repeated key: one pass with a set per mapping. */
function duplicateKeys(document: Document, lineCounter: LineCounter): LocatedProblem[] {
  const found: LocatedProblem[] = [];
  const walk = (node: unknown, path: FieldPath) => {
    if (isMap(node)) {
      const seen = new Map<string, number | undefined>();
      for (const pair of node.items) {
        // Scalar keys only (strings, numbers, booleans): complex keys are too rare in these files to check.
        const scalar = isScalar(pair.key) ? pair.key.value : undefined;
        const key = typeof scalar === 'string' || typeof scalar === 'number' || typeof scalar === 'boolean' ? String(scalar) : undefined;
        const at = isNode(pair.key) && pair.key.range ? lineCounter.linePos(pair.key.range[0]) : undefined;
        if (key !== undefined && seen.has(key)) {
          const first = seen.get(key);
          found.push({
            line: at?.line,
            column: at?.col,
            field: formatPath([...path, key]),
            message: `duplicate key "${key}"${first ? ` (first at line ${first})` : ''}`,
          });
        } else if (key !== undefined) seen.set(key, at?.line);
        walk(pair.value, key === undefined ? path : [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    }
  };
  walk(document.contents, []);
  return found;
}

/** Why JSON.parse refuses the text, and where when it can tell (V8 gives a position for some errors only). */
function jsonProblem(text: string): { message: string; offset?: number } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const full = (error as Error).message;
    const message = full
      .split('\n')[0]!
      .replace(/, (\.\.\.)?"[\s\S]*$/, '')
      .replace(/ in JSON at position \d+.*$/, '');
    const position = /at position (\d+)/.exec(full);
    return { message, offset: position ? Number(position[1]) : trailingComma(text) };
  }
}

/** The offset of the first comma that closes nothing (`[1, 2,]`), outside strings: JSON's most common slip. */
function trailingComma(text: string): number | undefined {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === ',' && /^\s*[}\]]/.test(text.slice(i + 1, i + 200))) return i;
  }
  return undefined;
}

/** `load.closed[1].ramp`: the spelling a user would search their file for. */
export function formatPath(path: FieldPath): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/** A zod error as paths and messages; each unknown key is its own problem, pointed at the key. */
export function zodProblems(error: z.ZodError, prefix: FieldPath = []): { path: FieldPath; message: string }[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...(issue.path as FieldPath)];
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field "${key}"` }));
    return [{ path, message: issue.message }];
  });
}

/** Paths and messages, located in the file. */
export function locateProblems(yaml: LocatedYaml, problems: readonly { path: FieldPath; message: string }[]): LocatedProblem[] {
  return problems.map((p) => ({ ...yaml.locate(p.path), field: formatPath(p.path), message: p.message }));
}

function locator(document: Document, lineCounter: LineCounter): LocatedYaml['locate'] {
  return (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const prefix = path.slice(0, depth);
      const node = prefix.length === 0 ? document.contents : document.getIn(prefix, true);
      // Point an unknown key at the key itself, not its value.
      const keyNode = depth === path.length && depth > 0 ? findKeyNode(document, prefix) : undefined;
      const target = keyNode ?? node;
      if (isNode(target) && target.range) {
        const { line, col } = lineCounter.linePos(target.range[0]);
        return { line, column: col };
      }
    }
    return {};
  };
}

function findKeyNode(document: Document, path: FieldPath): unknown {
  const parent = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  const key = path[path.length - 1];
  if (parent && typeof parent === 'object' && 'items' in parent && Array.isArray((parent as { items: unknown[] }).items)) {
    for (const item of (parent as { items: unknown[] }).items) {
      if (item && typeof item === 'object' && 'key' in item) {
        const keyNode = item.key;
        if (isNode(keyNode) && 'value' in keyNode && (keyNode as { value: unknown }).value === key) return keyNode;
      }
    }
  }
  return undefined;
}
