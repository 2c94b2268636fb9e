import { describe, expect, it } from 'vitest';
import { evaluateHealth, HEALTH_LIMITS, type HealthInputs } from '../../src/runner/health.js';

const calm = { eventLoopUtilization: 0.3, eventLoopDelayP99Ms: 11, eventLoopDelayMaxMs: 15 };
const busy = { eventLoopUtilization: 0.99, eventLoopDelayP99Ms: 80, eventLoopDelayMaxMs: 120 };

function inputs(overrides: Partial<HealthInputs>): HealthInputs {
  return {
    intervals: Array.from({ length: 10 }, () => ({ health: [calm, calm] })),
    workers: 2, model: 'closed', scheduleLag: { p50Ms: 0, p99Ms: 0, maxMs: 0 },
    dropped: 0, sent: 1000, socketErrors: 0, workerErrors: [], ...overrides,
  };
}

describe('generator health', () => {
  it('passes a calm run', () => {
    const health = evaluateHealth(inputs({}));
    expect(health).toMatchObject({ valid: true, reasons: [] });
    expect(health.workerCpu.mean).toBeCloseTo(0.3, 9);
    expect(health.eventLoopDelayMs.p99).toBe(11);
  });

  it.each([
    ['saturated intervals', inputs({ intervals: Array.from({ length: 10 }, (_, i) => ({ health: [i < 4 ? busy : calm, calm] })) }), /saturated in 4 of 9/],
    ['late arrivals', inputs({ model: 'open', scheduleLag: { p50Ms: 5, p99Ms: HEALTH_LIMITS.scheduleLagP99Ms + 1, maxMs: 300 } }), /late at p99/],
    ['dropped arrivals', inputs({ model: 'open', dropped: 20, sent: 980 }), /20 of 1000 arrivals dropped/],
    ['socket exhaustion', inputs({ socketErrors: 3 }), /3 generator-side socket errors/],
    ['a failed worker', inputs({ workerErrors: ['Error: boom\n at x'] }), /worker failed: Error: boom$/],
  ])('marks a run invalid for %s, saying why', (_what, input, reason) => {
    const health = evaluateHealth(input);
    expect(health.valid).toBe(false);
    expect(health.reasons.join('\n')).toMatch(reason);
  });

  it('tolerates one saturated interval in ten (start-up, a GC pause) and ignores the teardown interval', () => {
    const intervals = Array.from({ length: 10 }, (_, i) => ({ health: [i === 3 || i === 9 ? busy : calm] }));
    expect(evaluateHealth(inputs({ intervals, workers: 1 })).valid).toBe(true);
  });
});
