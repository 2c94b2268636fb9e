/**
 * Loading profiles: builtin names, YAML/JSON files, and objects passed in code, all through the one schema.
 * Errors name the file, the field and (for files) the line, because a profile is usually fixed by hand.
 */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readLocatedYaml, type LocatedYaml } from '../src/shared/located-yaml.js';
import { z } from 'zod';
import { ProfileError } from './errors.js';
import { profileSchema, type MockProfile, type ResolvedProfile } from './profile-schema.js';

/**
 * The builtin profiles ship as YAML beside the sources. When running compiled code from dist/, the YAML is not
 * copied there, so fall back to the source tree shipped with the package.
 */
function builtinDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'profiles'), path.join(here, '..', '..', 'mock-server', 'profiles')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

export async function builtinProfileNames(): Promise<string[]> {
  const files = await readdir(builtinDir());
  return files
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

const BUILTIN_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** A profile as written (validated) and as resolved (defaults filled in, durations in ms). */
export interface LoadedProfile {
  written: MockProfile;
  resolved: ResolvedProfile;
}

/** A builtin name (`llm-default`) or a path to a YAML or JSON file. */
export async function loadProfile(nameOrPath: string): Promise<LoadedProfile> {
  const builtinPath = path.join(builtinDir(), `${nameOrPath}.yaml`);
  const file = BUILTIN_NAME.test(nameOrPath) && existsSync(builtinPath) ? builtinPath : nameOrPath;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const builtins = await builtinProfileNames().catch(() => []);
    throw new ProfileError(
      `cannot read profile (${(error as NodeJS.ErrnoException).code ?? String(error)}); builtin profiles are: ${builtins.join(', ')}`,
      { file },
    );
  }
  return parseProfileText(text, file);
}

/** Parses YAML or JSON (JSON is YAML) and validates it; `file` only labels errors. */
export function parseProfileText(text: string, file?: string): LoadedProfile {
  const yaml = readLocatedYaml(
    text,
    ([first]) =>
      new ProfileError(first?.message ?? 'invalid YAML', { ...(file && { file }), ...(first?.line !== undefined && { line: first.line }) }),
  );
  const value: unknown = yaml.value ?? {};
  return { written: value as MockProfile, resolved: validate(value, file, yaml) };
}

/**
 * JSON Schema (draft 2020-12) of a profile as written, for editor completion. Latency models accept a bare
 * duration or an object, which the schema cannot express exactly, so they are left open there.
 */
export function profileJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(profileSchema, { io: 'input', unrepresentable: 'any' });
}

/** Validates a profile given as an object (for `setProfile` and `startMockServer({ profile: {...} })`). */
export function resolveProfile(profile: MockProfile): ResolvedProfile {
  return validate(profile, undefined);
}

function validate(value: unknown, file: string | undefined, yaml?: LocatedYaml): ResolvedProfile {
  const parsed = profileSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = mostSpecificIssue(parsed.error.issues);
  const fieldPath = issue.path.map(String);
  const line = yaml?.locate(issue.path as (string | number)[]).line;
  throw new ProfileError(issue.message, {
    ...(file && { file }),
    ...(fieldPath.length > 0 && { field: fieldPath.join('.') }),
    ...(line !== undefined && { line }),
  });
}

/** Unions report "invalid input" at their own level; the deepest nested issue is the one a person can act on. */
function mostSpecificIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  let best = issues[0]!;
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      for (const branch of issue.errors) {
        if (branch.length === 0) continue;
        const nested = mostSpecificIssue(branch);
        const candidate = { ...nested, path: [...issue.path, ...nested.path] } as z.core.$ZodIssue;
        if (candidate.path.length > best.path.length || best === issue) best = candidate;
      }
    }
  }
  return best;
}
