import { decodeHistogram } from '../shared/histogram.js';
import { summarize } from '../shared/latency-summary.js';
import type { EncodedHistograms, RunResult } from '../result/types.js';
import type { Percentiles, SplitMethod, SplitView } from './types.js';

/**
 * Network vs service time of one set of histograms. With server-reported time, both come straight from
 * per-request histograms (network = each request's wait minus what its server reported, recorded per
 * request so that percentiles of the difference are true, not a difference of percentiles).
 * Without it, the connect time (one round trip) bounds the network share of each request.
 */
export function splitOf(
  histograms: EncodedHistograms,
  source: RunResult['serverTiming']['source'],
  probe?: RunResult['probe'],
): SplitView | undefined {
  const read = (encoded: string | undefined): (Percentiles & { count: number }) | undefined => {
    if (!encoded) return undefined;
    const summary = summarize(decodeHistogram(encoded));
    return summary.count > 0 ? { p50: summary.p50, p90: summary.p90, p99: summary.p99, count: summary.count } : undefined;
  };
  const percentiles = ({ p50, p90, p99 }: Percentiles): Percentiles => ({ p50, p90, p99 });
  const service = read(histograms.service);
  const network = read(histograms.network);
  const queue = read(histograms.queue);
  if (service && network && source !== 'none') {
    const method: SplitMethod = source === 'header' ? 'header' : 'server-timing';
    return {
      method,
      samples: network.count,
      network: percentiles(network),
      service: percentiles(service),
      ...(queue ? { queue: percentiles(queue) } : {}),
    };
  }
  const ttfb = read(histograms.ttfb);
  if (!ttfb) return undefined;
  // One round trip per request is the least network time a request can take; the rest is attributed to
  // the service. The method says so, because this is a bound, not a measurement. The round trip comes from
  // the idle probe taken before the load (unloaded), else from the run's own connects.
  const connect = read(histograms.connect);
  const rtt = probe
    ? { source: 'idle-probe' as const, ms: probe.rttMs.p50 }
    : connect
      ? { source: 'connect-times' as const, ms: connect.p50 }
      : undefined;
  const rttMs = rtt?.ms ?? 0;
  return {
    method: 'rtt-bound',
    samples: ttfb.count,
    network: { p50: rttMs, p90: rttMs, p99: rttMs },
    service: { p50: Math.max(0, ttfb.p50 - rttMs), p90: Math.max(0, ttfb.p90 - rttMs), p99: Math.max(0, ttfb.p99 - rttMs) },
    ...(rtt ? { rtt } : {}),
  };
}
