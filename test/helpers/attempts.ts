import type { AttemptRecord } from '../../src/metrics/metric-set.js';

/**
 * One attempt as a worker records it, for tests that feed metric sets by hand: `totalUs` split 90/10 into
 * first byte and download, and 80/20 into service and network time; phases a kept-alive request skips are -1.
 */
export function attemptOf(totalUs: number, ok = true, status = 200): AttemptRecord {
  return {
    ok,
    status,
    errorKind: ok ? undefined : 'status',
    totalUs,
    totalUncorrectedUs: -1,
    dnsUs: -1,
    connectUs: -1,
    tlsUs: -1,
    writeUs: -1,
    ttfbUs: totalUs * 0.9,
    downloadUs: totalUs * 0.1,
    serviceUs: totalUs * 0.8,
    queueUs: -1,
    networkUs: totalUs * 0.2,
    ttftUs: -1,
  };
}
