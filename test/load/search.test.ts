import { describe, expect, it } from 'vitest';
import { bracketOf, nextSearchStep, sweepLoads, type ProbeOutcome, type ProbeVerdict } from '../../src/load/search.js';
import type { SearchSettings } from '../../src/load/types.js';

const settings: SearchSettings = { from: 10, to: 5000, holdMs: 20_000, settleMs: 2_000, precision: 0.05, sweep: 5 };

/**
 * Runs the search against a target whose capacity is `capacity`: every probe at or below it passes, every
 * probe above fails. Returns the loads probed and the final step.
 */
function searchAgainst(
  capacity: number,
  model: 'open' | 'closed',
  overrides: Partial<SearchSettings> = {},
  verdictOf?: (load: number) => ProbeVerdict,
) {
  const s = { ...settings, ...overrides };
  const probes: ProbeOutcome[] = [];
  for (let i = 0; i < 50; i++) {
    const step = nextSearchStep(s, model, probes);
    if (step.kind === 'done') return { loads: probes.map((p) => p.load), step };
    probes.push({ load: step.load, verdict: verdictOf ? verdictOf(step.load) : step.load <= capacity ? 'pass' : 'fail' });
  }
  throw new Error('the search did not end');
}

describe('capacity search state machine', () => {
  it('starts at `from`', () => {
    expect(nextSearchStep(settings, 'open', [])).toEqual({ kind: 'probe', load: 10 });
  });

  it.each([
    // passes so far → next probe
    [[{ load: 10, verdict: 'pass' }], 20],
    [
      [
        { load: 10, verdict: 'pass' },
        { load: 20, verdict: 'pass' },
      ],
      40,
    ],
    // growth stops at `to`
    [[{ load: 3000, verdict: 'pass' }], 5000],
    // the first failure starts the bisection: the middle of [pass, fail]
    [
      [
        { load: 40, verdict: 'pass' },
        { load: 80, verdict: 'fail' },
      ],
      60,
    ],
    [
      [
        { load: 40, verdict: 'pass' },
        { load: 80, verdict: 'fail' },
        { load: 60, verdict: 'pass' },
      ],
      70,
    ],
    [
      [
        { load: 40, verdict: 'pass' },
        { load: 80, verdict: 'fail' },
        { load: 60, verdict: 'fail' },
      ],
      50,
    ],
    // rates keep three significant figures
    [
      [
        { load: 75, verdict: 'pass' },
        { load: 80, verdict: 'fail' },
        { load: 77.5, verdict: 'fail' },
      ],
      76.3,
    ],
  ] as [ProbeOutcome[], number][])('after %j probes %d (open)', (probes, next) => {
    expect(nextSearchStep({ ...settings, precision: 0.01 }, 'open', probes)).toEqual({ kind: 'probe', load: next });
  });

  it('grows geometrically (doubling) until a probe fails, then bisects', () => {
    const { loads, step } = searchAgainst(78, 'open');
    expect(loads).toEqual([10, 20, 40, 80, 60, 70, 75, 77.5]);
    expect(step).toMatchObject({ kind: 'done', conclusion: { kind: 'found', passedAt: 77.5, failedAt: 80 } });
  });

  it('stops once the bracket is within the precision, and states the capacity inside it', () => {
    const { step } = searchAgainst(78, 'open', { precision: 0.05 });
    if (step.kind !== 'done' || step.conclusion.kind !== 'found') throw new Error('expected a capacity');
    const { passedAt, failedAt, capacity } = step.conclusion;
    expect((failedAt - passedAt) / passedAt).toBeLessThanOrEqual(0.05);
    expect(capacity).toBeGreaterThanOrEqual(passedAt);
    expect(capacity).toBeLessThan(failedAt);
    // a coarser precision stops sooner
    expect(searchAgainst(78, 'open', { precision: 0.2 }).loads.length).toBeLessThan(
      searchAgainst(78, 'open', { precision: 0.01 }).loads.length,
    );
  });

  it.each([
    [5, 0.05],
    [13, 0.05],
    [78, 0.05],
    [1234, 0.05],
    [78, 0.2],
  ])('brackets a capacity of %d within the precision %d', (capacity, precision) => {
    const { step } = searchAgainst(capacity, 'open', { from: 1, precision });
    if (step.kind !== 'done' || step.conclusion.kind !== 'found') throw new Error('expected a capacity');
    expect(step.conclusion.passedAt).toBeLessThanOrEqual(capacity);
    expect(step.conclusion.failedAt).toBeGreaterThan(capacity);
    expect(Math.abs(step.conclusion.capacity - capacity) / capacity).toBeLessThanOrEqual(precision);
  });

  it('a closed search counts whole users and states the highest concurrency that passed', () => {
    const { loads, step } = searchAgainst(6, 'closed', { from: 1, to: 64 });
    expect(loads).toEqual([1, 2, 4, 8, 6, 7]);
    expect(step).toMatchObject({ kind: 'done', conclusion: { kind: 'found', capacity: 6, passedAt: 6, failedAt: 7 } });
    expect(loads.every(Number.isInteger)).toBe(true);
  });

  it('says so when the first probe already fails', () => {
    const { loads, step } = searchAgainst(5, 'open');
    expect(loads).toEqual([10]);
    expect(step).toEqual({ kind: 'done', conclusion: { kind: 'fails-at-lowest', failedAt: 10 }, sweep: [] });
  });

  it('stops at `to` when even that keeps the SLO', () => {
    const { loads, step } = searchAgainst(Infinity, 'open', { to: 100, sweep: 0 });
    expect(loads).toEqual([10, 20, 40, 80, 100]);
    expect(step).toEqual({ kind: 'done', conclusion: { kind: 'ceiling', capacity: 100, passedAt: 100 }, sweep: [] });
  });

  it('stops when the generator cannot drive a probe, keeping the last pass', () => {
    const { loads, step } = searchAgainst(1000, 'open', {}, (load) => (load >= 160 ? 'generator' : 'pass'));
    expect(loads).toEqual([10, 20, 40, 80, 160]);
    expect(step).toEqual({ kind: 'done', conclusion: { kind: 'generator', load: 160, passedAt: 80 }, sweep: [] });
  });

  it('a pass above a failure (noise at the edge) does not widen the bracket', () => {
    expect(
      bracketOf([
        { load: 40, verdict: 'pass' },
        { load: 80, verdict: 'fail' },
        { load: 60, verdict: 'fail' },
        { load: 70, verdict: 'pass' },
      ]),
    ).toEqual({ passedAt: 40, failedAt: 60 });
  });

  it('sweeps from 20% to 100% of the capacity', () => {
    expect(sweepLoads(80, 5, 'open')).toEqual([16, 32, 48, 64, 80]);
    expect(sweepLoads(80, 1, 'open')).toEqual([80]);
    expect(sweepLoads(80, 0, 'open')).toEqual([]);
    // whole users, never twice the same
    expect(sweepLoads(4, 5, 'closed')).toEqual([1, 2, 3, 4]);
    const { step } = searchAgainst(78, 'open');
    expect(step.kind === 'done' && step.sweep.length).toBe(5);
  });
});
