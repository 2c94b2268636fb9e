import { describe, expect, it } from 'vitest';
import { estimateOffset, localStartMs } from '../../src/fleet/clock.js';
import { splitFinal, checkRunId, runFingerprint } from '../../src/fleet/messages.js';

describe('the clock offset against the coordinator', () => {
  it.each([
    // a generator 100 ms ahead, symmetric 10 ms round trip
    { samples: [{ sentMs: 1_100, remoteMs: 1_005, receivedMs: 1_110 }], offsetMs: 100, rttMs: 10 },
    // the shortest round trip wins: the 40 ms exchange is off by its asymmetry, the 2 ms one is not
    {
      samples: [
        { sentMs: 0, remoteMs: 30, receivedMs: 40 },
        { sentMs: 100, remoteMs: 251, receivedMs: 102 },
      ],
      offsetMs: -150,
      rttMs: 2,
    },
    // a clock that stepped back mid-exchange gives a negative round trip: ignored
    {
      samples: [
        { sentMs: 10, remoteMs: 0, receivedMs: 5 },
        { sentMs: 0, remoteMs: 0, receivedMs: 4 },
      ],
      offsetMs: 2,
      rttMs: 4,
    },
  ])('is $offsetMs ms from exchanges whose best round trip is $rttMs ms', ({ samples, offsetMs, rttMs }) => {
    expect(estimateOffset(samples)).toEqual({ offsetMs, rttMs });
  });

  it('has no estimate without an exchange', () => {
    expect(estimateOffset([])).toBeUndefined();
  });

  it("turns the coordinator's start time into this machine's clock", () => {
    expect(localStartMs(10_000, { offsetMs: 250, rttMs: 1 })).toBe(10_250);
    expect(localStartMs(10_000, { offsetMs: -40, rttMs: 1 })).toBe(9_960);
  });
});

describe('the bus messages', () => {
  it('splits a result into pieces under the broker limit that join back to the same text', () => {
    const text = 'x'.repeat(10_000);
    const parts = splitFinal(3, text, 4_096);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.shard === 3 && p.parts === parts.length && JSON.stringify(p).length < 4_096)).toBe(true);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(splitFinal(0, '{}', 1_048_576)).toEqual([{ shard: 0, part: 0, parts: 1, text: '{}' }]);
  });

  it('takes run ids that fit in a subject and a stream name', () => {
    expect(checkRunId('nightly-2026_11')).toBeUndefined();
    expect(checkRunId('a.b')).toMatch(/letters, digits/);
    expect(checkRunId('')).toMatch(/letters, digits/);
  });

  it('fingerprints the run every process must agree on: name, curve and interval', () => {
    const plan = {
      model: 'closed' as const,
      segments: [{ index: 0, name: 'hold', kind: 'hold' as const, startMs: 0, endMs: 1_000, from: 4, to: 4 }],
    };
    const base = runFingerprint('s', plan, 1_000);
    expect(runFingerprint('s', structuredClone(plan), 1_000)).toBe(base);
    expect(runFingerprint('s', plan, 500)).not.toBe(base);
    expect(runFingerprint('t', plan, 1_000)).not.toBe(base);
    expect(runFingerprint('s', { ...plan, segments: [{ ...plan.segments[0]!, to: 8 }] }, 1_000)).not.toBe(base);
  });
});
