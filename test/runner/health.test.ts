import { describe, expect, it } from 'vitest';
import { evaluateHealth, HEALTH_LIMITS, type HealthInputs } from '../../src/runner/health.js';

const calm = { eventLoopUtilization: 0.3, threadCpuShare: null, processCpuCores: 0.6, eventLoopDelayP99Ms: 11, eventLoopDelayMaxMs: 15 };
const busy = { eventLoopUtilization: 0.99, threadCpuShare: null, processCpuCores: 1.1, eventLoopDelayP99Ms: 80, eventLoopDelayMaxMs: 120 };

function inputs(overrides: Partial<HealthInputs>): HealthInputs {
  return {
    intervals: Array.from({ length: 10 }, () => ({ health: [calm, calm] })),
    workers: 2,
    model: 'closed',
    scheduleLag: { p50Ms: 0, p99Ms: 0, maxMs: 0 },
    dropped: 0,
    sent: 1000,
    socketErrors: 0,
    workerErrors: [],
    availableCores: 2,
    targetInProcess: false,
    ...overrides,
  };
}

describe('generator health', () => {
  it('passes a calm run', () => {
    const health = evaluateHealth(inputs({}));
    expect(health).toMatchObject({ valid: true, reasons: [] });
    expect(health.eventLoopUtilization.mean).toBeCloseTo(0.3, 9);
    expect(health.threadCpu).toBeNull();
    expect(health.processCpu).toEqual({ meanCores: expect.closeTo(0.6, 9), maxCores: 0.6, availableCores: 2 });
    expect(health.eventLoopDelayMs.p99).toBe(11);
  });

  it.each([
    [
      'saturated intervals',
      inputs({ intervals: Array.from({ length: 10 }, (_, i) => ({ health: [i < 4 ? busy : calm, calm] })) }),
      /saturated in 4 of 9/,
    ],
    [
      'late arrivals',
      inputs({ model: 'open', scheduleLag: { p50Ms: 5, p99Ms: HEALTH_LIMITS.scheduleLagP99Ms + 1, maxMs: 300 } }),
      /late at p99/,
    ],
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

describe('how many stalled intervals make a saturated generator', () => {
  // [intervals judged (the teardown interval comes on top), stalled among them, valid]
  it.each([
    [1, 1, false],
    [2, 1, true],
    [2, 2, false],
    [5, 1, true],
    [5, 2, false],
    [10, 2, true],
    [10, 3, false],
  ])('%i intervals, %i stalled → valid %s', (judged, stalled, valid) => {
    const intervals = [...Array.from({ length: judged }, (_, i) => ({ health: [i < stalled ? busy : calm] })), { health: [busy] }];
    expect(evaluateHealth(inputs({ intervals, workers: 1 })).valid).toBe(valid);
  });
});

describe('generator CPU in the saturation rule', () => {
  const cpuHog = { ...calm, processCpuCores: 1.95 };
  const threadBusy = { ...calm, eventLoopUtilization: 0.5, threadCpuShare: 0.99 };
  const threadCalm = { ...calm, eventLoopUtilization: 0.99, threadCpuShare: 0.4 };
  const ten = (sample: typeof calm | typeof cpuHog | typeof threadBusy | typeof threadCalm) =>
    Array.from({ length: 10 }, () => ({ health: [sample] }));

  // [what, intervals, target in process, valid]
  it.each([
    ['the process using every core of the machine', ten(cpuHog), false, false],
    ['the same, when the in-process mock shares the count', ten(cpuHog), true, true],
    ['a worker thread whose own CPU clock reads busy', ten(threadBusy), false, false],
    ['a busy event loop whose thread CPU clock says it waited', ten(threadCalm), false, true],
  ] as const)('%s → valid %s', (_what, intervals, targetInProcess, valid) => {
    const health = evaluateHealth(inputs({ intervals, targetInProcess, workers: 1 }));
    expect(health.valid).toBe(valid);
  });

  it("reports thread CPU only where it was measured, and process CPU in cores beside the machine's", () => {
    const health = evaluateHealth(inputs({ intervals: ten(threadCalm), workers: 1 }));
    expect(health.threadCpu).toEqual({ mean: expect.closeTo(0.4, 9), max: 0.4 });
    expect(health.processCpu.availableCores).toBe(2);
  });

  it('names a target that stopped answering instead of a saturated generator', () => {
    const health = evaluateHealth(
      inputs({
        intervals: Array.from({ length: 5 }, () => ({ health: [busy] })),
        unreachable: { forMs: 2000, attempts: 9000, errors: 'ECONNREFUSED 9000' },
      }),
    );
    expect(health.reasons).toEqual([
      'target unreachable: all 9000 attempts of the last 2 s failed to connect (ECONNREFUSED 9000); the run was stopped',
    ]);
  });
});
