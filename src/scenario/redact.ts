/** Field names whose values are secrets wherever they appear (matched case-insensitively). */
const SECRET_KEYS =
  /^(client_?secret|secret|password|passwd|token|access_?token|refresh_?token|api_?key|authorization|x-api-key|cookie|value)$/i;

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
      out[key] =
        isSecret || isAuthHeader
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

/** Shorter values are not scrubbed by value: "[redacted]" in place of every "ab" would wreck the output. */
export const MIN_SECRET_CHARS = 4;

/**
 * Replaces secrets by value wherever they appear, whatever the field: as written, URL-encoded, JSON-escaped and
 * base64 (at each of the three byte alignments, so a password inside `Basic base64(user:password)` is found too).
 * A target that echoes a token into an error body, a header or a message cannot carry it into a report.
 */
export class Redactor {
  private readonly forms: string[];

  constructor(secrets: Iterable<string>) {
    this.forms = formsOf(secrets);
  }

  /** `extra`: secrets known only now (a freshly issued token), scrubbed with the fixed ones. */
  scrub(text: string, extra: readonly (string | undefined)[] = []): string {
    const forms = extra.length === 0 ? this.forms : [...this.forms, ...formsOf(extra.filter((s): s is string => s !== undefined))];
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  }

  get empty(): boolean {
    return this.forms.length === 0;
  }

  /**
   * A deep copy of a JSON value with every string scrubbed, except encoded histograms (under a `histograms`
   * key): they are base64 numbers, and a chance match of a secret's base64 would corrupt them.
   */
  scrubJson<T>(value: T): T {
    if (this.empty) return value;
    const walk = (item: unknown, key: string): unknown => {
      if (typeof item === 'string') return this.scrub(item);
      if (key === 'histograms') return item;
      if (Array.isArray(item)) return item.map((entry) => walk(entry, ''));
      if (item !== null && typeof item === 'object') {
        return Object.fromEntries(Object.entries(item).map(([k, v]) => [this.scrub(k), walk(v, k)]));
      }
      return item;
    };
    return walk(value, '') as T;
  }
}

function formsOf(secrets: Iterable<string>): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_CHARS) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
    forms.add(JSON.stringify(secret).slice(1, -1));
    for (const fragment of base64Fragments(secret)) forms.add(fragment);
  }
  // Longest first, so a secret inside a longer one is not replaced piecemeal.
  return [...forms].filter((form) => form.length >= MIN_SECRET_CHARS).sort((a, b) => b.length - a.length);
}

/**
 * The base64 characters that encode `secret` whatever bytes precede it: for each of the three alignments, the
 * encoding of the secret behind 0–2 filler bytes, without the characters the filler or what follows touch.
 */
function base64Fragments(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const fragments: string[] = [];
  for (let lead = 0; lead < 3; lead++) {
    const encoded = Buffer.concat([Buffer.alloc(lead), bytes]).toString('base64');
    const total = lead + bytes.length;
    const start = lead === 0 ? 0 : lead === 1 ? 2 : 3;
    const end = Math.floor(total / 3) * 4 + (total % 3 === 0 ? 0 : total % 3);
    const fragment = encoded.slice(start, end);
    // Too short a fragment would match by chance inside unrelated base64.
    if (fragment.length >= 6) fragments.push(fragment);
    if (lead === 0) fragments.push(Buffer.from(bytes).toString('base64url').slice(0, end));
  }
  return fragments;
}
