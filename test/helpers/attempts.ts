import type { AttemptRecord } from '../../src/metrics/metric-set.js';
import { failedAttempt } from '../../src/metrics/attempt.js';

/**
 * One attempt as a worker records it, for tests that feed metric sets by hand: `totalUs` split 90/10 into
 * first byte and download, and 80/20 into service and network time; phases a kept-alive request skips are -1.
 */
export function attemptOf(totalUs: number, ok = true, status = 200): AttemptRecord {
  return {
    ...failedAttempt('status', status, totalUs),
    ok,
    errorKind: ok ? undefined : 'status',
    ttfbUs: totalUs * 0.9,
    downloadUs: totalUs * 0.1,
    serviceUs: totalUs * 0.8,
    networkUs: totalUs * 0.2,
  };
}

/**
 * An attempt with only its total time known (every phase -1, as the metric layer's own `failedAttempt`): a 200,
 * or a failure cut by the total timeout. `ttfbUs` sets the first byte of a success.
 */
export function totalOnlyAttempt(totalUs: number, ok: boolean, ttfbUs = -1): AttemptRecord {
  const failed = failedAttempt('timeout_total', 0, totalUs);
  return ok ? { ...failed, ok: true, status: 200, errorKind: undefined, ttfbUs } : failed;
}
