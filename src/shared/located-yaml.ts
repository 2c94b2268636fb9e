import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
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

/**
 * Parses text, or throws what `fail` makes of the syntax problems. Aliases are capped, so a "billion laughs"
 * file is refused instead of eating memory; duplicate keys are refused.
 */
export function readLocatedYaml(text: string, fail: (problems: LocatedProblem[]) => Error): LocatedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw fail(
      document.errors.map((error) => {
        const position = error.linePos?.[0];
        const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return { line: position?.line, column: position?.col, field: '', message: `invalid YAML: ${message}` };
      }),
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw fail([{ field: '', message: `invalid YAML: ${(error as Error).message}` }]);
  }
  return { value, locate: locator(document, lineCounter) };
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
