/**
 * Which values of a scenario are secrets, so they can be scrubbed by value from every output:
 * - the OAuth2 client secret and the value of `auth.header` (and the token inside `Bearer …`);
 * - the password (and user:password) of any URL with credentials, whatever field holds it (`target.url`,
 *   `auth.oauth2.tokenUrl`, a header);
 * - the value of every `${VAR}` whose name says it is a secret (SECRET, TOKEN, PASSWORD, PASSWD, KEY,
 *   CREDENTIAL, AUTH, COOKIE, anywhere in the name, any case) or that `secretEnv` lists by name;
 * - values of headers whose names say they carry credentials (authorization, cookie, x-api-key, …).
 */
const SECRET_VAR = /SECRET|TOKEN|PASSW(OR)?D|KEY|CREDENTIAL|AUTH|COOKIE/i;
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|api-?key|auth/i;
const URL_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/([^/@?#\s:]*)(?::([^/@?#\s]*))?@/gi;
const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g;

export function secretVariableName(name: string, listed: readonly string[] = []): boolean {
  return SECRET_VAR.test(name) || listed.includes(name);
}

/** Every secret value of a scenario: `raw` as written (for `${VAR}` names), `resolved` after substitution. */
export function collectSecrets(
  raw: unknown,
  resolved: unknown,
  env: Readonly<Record<string, string | undefined>>,
  listed: readonly string[],
): string[] {
  const found = new Set<string>();
  const add = (value: string | undefined) => {
    if (value) found.add(value);
  };
  eachString(raw, [], (text) => {
    for (const match of text.matchAll(VAR)) if (secretVariableName(match[1]!, listed)) add(env[match[1]!]);
  });
  eachString(resolved, [], (text, path) => {
    for (const match of text.matchAll(URL_CREDENTIALS)) {
      const [user, password] = [safeDecode(match[1] ?? ''), match[2] === undefined ? '' : safeDecode(match[2])];
      add(password);
      if (password) add(`${user}:${password}`);
      add(match[2]);
    }
    const key = String(path.at(-1) ?? '');
    const parent = String(path.at(-2) ?? '');
    if (key === 'clientSecret' || (parent === 'header' && key === 'value') || (parent === 'headers' && SECRET_HEADER.test(key))) {
      add(text);
      // `Bearer abc`, `Basic abc`: the credential is the part after the scheme.
      const scheme = /^[A-Za-z-]+ (.+)$/.exec(text);
      if (scheme) add(scheme[1]);
    }
  });
  return [...found];
}

function eachString(value: unknown, path: (string | number)[], visit: (text: string, path: (string | number)[]) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => eachString(item, [...path, index], visit));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) eachString(item, [...path, key], visit);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
