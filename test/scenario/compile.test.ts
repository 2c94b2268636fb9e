import { describe, expect, it } from 'vitest';
import { compileStages, StageSequenceError } from '../../src/scenario/compile.js';

describe('compileStages', () => {
  it('lays holds, ramps, steps and spikes end to end on one time axis', () => {
    const segments = compileStages(
      [
        { hold: 10_000, concurrency: 4 },
        { ramp: 20_000, to: 64 },
        { steps: [8, 16], each: 15_000 },
        { spike: 256, for: 5_000 },
      ],
      'closed',
    );
    expect(segments.map((s) => [s.kind, s.startMs, s.endMs, s.from, s.to])).toEqual([
      ['hold', 0, 10_000, 4, 4],
      ['ramp', 10_000, 30_000, 4, 64],
      ['step', 30_000, 45_000, 8, 8],
      ['step', 45_000, 60_000, 16, 16],
      ['spike', 60_000, 65_000, 256, 256],
    ]);
    expect(segments.map((s) => s.name)).toEqual(['hold 4 10s', 'ramp 4→64', 'step 8', 'step 16', 'spike 256']);
  });

  it('keeps the previous level on a hold without one, and ramps from zero at the start', () => {
    const segments = compileStages([{ ramp: 1000, to: 10 }, { hold: 2000 }], 'open');
    expect(segments.map((s) => [s.from, s.to])).toEqual([
      [0, 10],
      [10, 10],
    ]);
    expect(segments[0]!.name).toBe('ramp 0→10/s');
  });

  it('refuses a first hold with no level, naming the stage and field', () => {
    expect(() => compileStages([{ hold: 1000 }], 'closed')).toThrowError(StageSequenceError);
    try {
      compileStages([{ hold: 1000 }], 'closed');
    } catch (error) {
      expect((error as StageSequenceError).stageIndex).toBe(0);
      expect((error as StageSequenceError).field).toBe('concurrency');
    }
  });
});
