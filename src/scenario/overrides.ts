import { parse as parseYaml } from 'yaml';
import { TailscopeError } from '../shared/errors.js';
import { secretVariableName } from './secrets.js';
import { REDACTED, redactScenario, redactUrl } from './redact.js';

type Path = (string | number)[];

/** A command-line override that cannot be applied: exit 2 with the flag as the user wrote it. */
export class OverrideError extends TailscopeError {
  readonly code = 'E_OVERRIDE';
}

/** One `--set path=value`: the path split into keys and indexes, the value as YAML read it. */
export interface SetOverride {
  text: string;
  path: Path;
  value: unknown;
}

/** What the command line changes in a scenario before it is checked. */
export interface ScenarioOverrides {
  /** `--workers`: the load cap depends on it */
  workers?: number;
  /** `-e NAME=value`: for `${NAME}`, ahead of the process environment */
  env?: Record<string, string>;
  /** `--target URL`: replaces target.url, and drops target.mock */
  target?: string;
  /** `--set path=value`, applied in order */
  set?: SetOverride[];
}

/** `NAME=value` (the value may hold `=`); the name as `${NAME}` spells it. */
export function parseEnvOverride(text: string): [name: string, value: string] {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (!match) throw new OverrideError(`-e ${text}: write NAME=value`);
  return [match[1]!, match[2]!];
}

/**
 * `load.closed[0].concurrency=8`, `requests[0].headers["X-Id"]=abc`, `client.keepAlive=false`: the value is
 * read as YAML (8 is a number, false a boolean, 250ms a string), so it lands as if written in the file.
 */
export function parseSetOverride(text: string): SetOverride {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new OverrideError(`--set ${text}: write path=value, e.g. load.closed[0].concurrency=8`);
  const path = parsePath(text.slice(0, equals), text);
  let value: unknown;
  try {
    value = parseYaml(text.slice(equals + 1));
  } catch (error) {
    throw new OverrideError(`--set ${text}: the value is not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return { text, path, value: value ?? null };
}

const FIRST_KEY = /([A-Za-z_$][\w$-]*)|\["([^"]*)"\]/y;
const NEXT_KEY = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["([^"]*)"\]/y;

function parsePath(spec: string, text: string): Path {
  const path: Path = [];
  let at = 0;
  while (at < spec.length) {
    const token = at === 0 ? FIRST_KEY : NEXT_KEY;
    token.lastIndex = at;
    const match = token.exec(spec);
    if (!match)
      throw new OverrideError(
        `--set ${text}: cannot read the path at "${spec.slice(at)}" (keys with dots, indexes as [0], other keys as ["a.b"])`,
      );
    if (at === 0) path.push(match[1] ?? match[2]!);
    else path.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : match[3]!));
    at = token.lastIndex;
  }
  return path;
}

/**
 * The scenario document with `--target` and `--set` applied, before environment variables and validation, so
 * an override is checked exactly as the same line in the file would be. Intermediate mappings are created as
 * needed; an index may point at an existing item or one past the last (to add one).
 */
export function applyOverrides(document: Record<string, unknown>, overrides: ScenarioOverrides): Record<string, unknown> {
  const out = structuredClone(document);
  if (overrides.target !== undefined) out.target = { url: overrides.target };
  for (const set of overrides.set ?? []) setAt(out, set);
  return out;
}

function setAt(document: Record<string, unknown>, set: SetOverride): void {
  let node: unknown = document;
  set.path.forEach((key, i) => {
    const last = i === set.path.length - 1;
    const where = formatPath(set.path.slice(0, i + 1));
    if (typeof key === 'number') {
      if (!Array.isArray(node)) throw new OverrideError(`--set ${set.text}: ${formatPath(set.path.slice(0, i))} is not a list`);
      if (key > node.length) throw new OverrideError(`--set ${set.text}: ${where} is past the end of a list of ${node.length}`);
    } else if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      throw new OverrideError(`--set ${set.text}: ${formatPath(set.path.slice(0, i)) || 'the scenario'} is not a mapping`);
    }
    const container = node as Record<string | number, unknown>;
    if (last) container[key] = set.value;
    else {
      if (container[key] === undefined || container[key] === null) container[key] = typeof set.path[i + 1] === 'number' ? [] : {};
      node = container[key];
    }
  });
}

/** Whether the scenario's own redaction hides the value at this path (a client secret, an auth header value). */
function isSecretField(path: Path): boolean {
  const marker = {};
  let nested: unknown = marker;
  for (const key of [...path].reverse()) nested = typeof key === 'number' ? Object.assign([], { [key]: nested }) : { [key]: nested };
  let node = redactScenario(nested);
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node === REDACTED;
}

export function formatPath(path: Path): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/**
 * The overrides as the result lists them, in the order they apply: values of secret-named variables replaced,
 * credentials dropped from URLs (everything is scrubbed by value as well).
 */
export function describeOverrides(overrides: ScenarioOverrides, secretEnv: readonly string[] = []): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(overrides.env ?? {}))
    lines.push(`-e ${name}=${secretVariableName(name, secretEnv) ? REDACTED : redactUrl(value)}`);
  if (overrides.target !== undefined) lines.push(`--target ${redactUrl(overrides.target)}`);
  for (const set of overrides.set ?? [])
    lines.push(`--set ${isSecretField(set.path) ? `${set.text.slice(0, set.text.indexOf('='))}=${REDACTED}` : set.text}`);
  if (overrides.workers !== undefined) lines.push(`--workers ${overrides.workers}`);
  return lines;
}
