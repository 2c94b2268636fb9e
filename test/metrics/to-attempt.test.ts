import { describe, expect, it } from 'vitest';
import { toAttempt } from '../../src/metrics/attempt.js';
import { emptyTimings, type Outcome } from '../../src/engines/types.js';

function outcome(over: Partial<Outcome> & { ttfbUs: number; totalUs: number }): Outcome {
  const { ttfbUs, totalUs, ...rest } = over;
  return {
    status: 200,
    timings: { ...emptyTimings(), socketUs: 0, writeUs: 20, ttfbUs, totalUs },
    serviceUs: -1,
    queueUs: -1,
    retryAfterMs: -1,
    ...rest,
  };
}

describe('toAttempt: what one attempt records', () => {
  it.each([
    // name, ttfb, total, reported service, queue → service, queue, network, rejected
    ['service inside the wait: network is the rest', 20_500, 20_600, 20_000, 100, 20_000, 100, 500, false],
    ['service equal to the wait: network 0', 10_000, 10_000, 10_000, -1, 10_000, -1, 0, false],
    ['1 ms past the wait (a server rounding up): kept, network 0', 2_000, 2_000, 3_000, -1, 3_000, -1, 0, false],
    ['500 ms reported on a 0.6 ms answer: rejected, no split', 500, 600, 500_000, 10, -1, -1, -1, true],
    ['1e308 ms reported: rejected', 500, 600, 1e308 * 1000, -1, -1, -1, -1, true],
    ['no server timing: no split', 20_000, 20_100, -1, -1, -1, -1, -1, false],
  ])('%s', (_name, ttfbUs, totalUs, serviceUs, queueUs, service, queue, network, rejected) => {
    const attempt = toAttempt(outcome({ ttfbUs, totalUs, serviceUs, queueUs }), true, 0);
    expect(attempt.serviceUs).toBe(service);
    expect(attempt.queueUs).toBe(queue);
    expect(attempt.networkUs).toBe(network);
    expect(attempt.serverTimingRejected ?? false).toBe(rejected);
    expect(attempt.totalUs).toBe(totalUs);
  });

  it('holds a stream’s server timing against its first byte, where the headers carrying it arrived', () => {
    const stream = { ttftUs: 150_000, interTokenUs: [], chunks: 10 };
    const kept = toAttempt(outcome({ ttfbUs: 100_000, totalUs: 400_000, serviceUs: 99_000, stream }), true, 0);
    expect(kept.serviceUs).toBe(99_000);
    expect(kept.networkUs).toBe(1_000);
    // 300 ms of service on headers that came after 100 ms: impossible, though the stream lasted 400 ms.
    const rejected = toAttempt(outcome({ ttfbUs: 100_000, totalUs: 400_000, serviceUs: 300_000, stream }), true, 0);
    expect(rejected.serverTimingRejected).toBe(true);
    expect(rejected.serviceUs).toBe(-1);
  });

  it('counts an open-model attempt from its intended send time and keeps the uncorrected view beside it', () => {
    // Intended at 0 ms, sent at 5 ms (performance.now() values), answered 20 ms after the send.
    const attempt = toAttempt(outcome({ ttfbUs: 19_000, totalUs: 20_000 }), true, 5, 0);
    expect(attempt.totalUs).toBe(25_000);
    expect(attempt.totalUncorrectedUs).toBe(20_000);
  });
});
