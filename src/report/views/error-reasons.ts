import type { ErrorCounts, ErrorKind } from '../../result/types.js';

/**
 * Why the run's requests failed, once per kind, most frequent first: `[kind, count, first message]`. The
 * message is the first failure of that kind as the client saw it (secrets already scrubbed from the result).
 */
export function errorReasons(errors: ErrorCounts): [kind: ErrorKind, count: number, message: string | undefined][] {
  return (Object.entries(errors.byKind) as [ErrorKind, number][])
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => [kind, count, errors.firstMessages?.[kind]]);
}

/** `auth: 401 invalid_client from /oauth/token` — the line a terminal or a pull-request comment shows. */
export function reasonLine(kind: ErrorKind, count: number, requests: number, message: string | undefined): string {
  const share = requests > 0 ? ` (${((count / requests) * 100).toFixed(count === requests ? 0 : 2)}%)` : '';
  return `${kind}: ${count}${share}${message ? `, first: ${message}` : ''}`;
}
