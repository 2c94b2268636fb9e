import type { ErrorCounts } from '../../result/types.js';

/** Error categories of one count: each HTTP status on its own, then every other kind (timeouts, resets …). */
export function errorCategories(errors: ErrorCounts): [string, number][] {
  const out: [string, number][] = Object.entries(errors.byStatus).map(([status, n]) => [`HTTP ${status}`, n]);
  for (const [kind, n] of Object.entries(errors.byKind)) if (kind !== 'status' && n) out.push([kind, n]);
  return out;
}
