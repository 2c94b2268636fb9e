/** Field names whose values are secrets wherever they appear (matched case-insensitively). */
const SECRET_KEYS = /^(client_?secret|secret|password|passwd|token|access_?token|refresh_?token|api_?key|authorization|x-api-key|cookie|value)$/i;

export const REDACTED = '[redacted]';

/**
 * A copy of the scenario as written with secrets replaced. Works on the text before environment substitution
 * as well as after, and also hides any header value under `auth.header` (it is a credential by definition).
 */
export function redactScenario(raw: unknown): unknown {
  return redactValue(raw, []);
}

function redactValue(value: unknown, path: string[]): unknown {
  if (Array.isArray(value)) return value.map((item, index) => redactValue(item, [...path, String(index)]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const isSecret = SECRET_KEYS.test(key) && (key.toLowerCase() !== 'value' || path.at(-1) === 'header');
      const isAuthHeader = path.at(-1) === 'headers' && /^(authorization|x-api-key|cookie|proxy-authorization)$/i.test(key);
      out[key] = isSecret || isAuthHeader
        ? REDACTED
        : key === 'url' && typeof item === 'string'
          ? redactUrl(item)
          : redactValue(item, [...path, key]);
    }
    return out;
  }
  return value;
}

/** A URL without its user:password@ part, for logs and results: credentials in a target URL stay in the scenario. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1');
}
