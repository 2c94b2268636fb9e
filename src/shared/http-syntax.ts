/**
 * What an HTTP/1.1 request head may carry, checked where the scenario is read: a CR or LF in a header value or
 * a path would split the request (header injection), and node:http throws ERR_INVALID_CHAR on them mid-run.
 * Each check returns the reason a value is refused, or undefined when it is fine.
 */

/** RFC 9110 token characters: what a header name is made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const NAMED: Record<number, string> = { 0: 'NUL', 9: 'TAB', 10: 'LF', 13: 'CR', 32: 'space', 127: 'DEL' };

function describeChar(char: string): string {
  const code = char.codePointAt(0)!;
  return NAMED[code] ?? `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Placeholders such as `{{ prompts.text }}` are filled per request; their own spelling may hold spaces. */
const PLACEHOLDER = /\{\{[^{}]*\}\}/g;

export function headerNameProblem(name: string): string | undefined {
  return TOKEN.test(name) ? undefined : `"${name}" is not a header name (letters, digits and !#$%&'*+.^_\`|~- only)`;
}

/** A field value is visible ASCII, space, tab or obs-text (0x80–0xFF), as node:http and RFC 9110 accept. */
export function headerValueProblem(value: string): string | undefined {
  const bad = /[^\t\x20-\x7e\x80-\xff]/.exec(value.replace(PLACEHOLDER, ''));
  return bad
    ? `a header value may not contain ${describeChar(bad[0])} (CR, LF, NUL and other control characters would split or break the request)`
    : undefined;
}

/** A request target is visible characters only: a space ends it, so it must be written %20. */
export function pathProblem(path: string): string | undefined {
  const bad = /[^\x21-\xff]/.exec(path.replace(PLACEHOLDER, ''));
  if (!bad) return undefined;
  return bad[0] === ' '
    ? 'a path may not contain spaces: write %20'
    : `a path may not contain ${describeChar(bad[0])} (write it percent-encoded)`;
}
