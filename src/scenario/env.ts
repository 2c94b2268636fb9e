/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed document with the environment's value,
 * so secrets stay out of scenario files. Returns the names that were missing with no default, by field path.
 */
export function substituteEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  path: (string | number)[] = [],
  missing: { path: (string | number)[]; name: string }[] = [],
): { value: unknown; missing: { path: (string | number)[]; name: string }[] } {
  if (typeof value === 'string') {
    const replaced = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_whole, name: string, fallback?: string) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      missing.push({ path, name });
      return '';
    });
    return { value: replaced, missing };
  }
  if (Array.isArray(value)) {
    return { value: value.map((item, index) => substituteEnv(item, env, [...path, index], missing).value), missing };
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = substituteEnv(item, env, [...path, key], missing).value;
    return { value: out, missing };
  }
  return { value, missing };
}
