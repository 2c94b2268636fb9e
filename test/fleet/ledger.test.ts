import { describe, expect, it } from 'vitest';
import { FleetLedger } from '../../src/fleet/ledger.js';
import { emptyCalls, emptyCounters, emptyErrors, type MetricSnapshot } from '../../src/metrics/metric-set.js';
import type { GeneratorBeat } from '../../src/fleet/messages.js';

const snap = (requests: number): MetricSnapshot => ({
  requests,
  successes: requests,
  sent: requests,
  errors: emptyErrors(),
  counters: emptyCounters(),
  calls: emptyCalls(),
  inFlightMs: 0,
  histograms: {},
});
const beat = (shard: number, phase: GeneratorBeat['phase'] = 'running'): GeneratorBeat => ({ shard, count: 2, phase, plan: 'p' });
const id = (shard: number, index: number) => `r/${shard}/interval/${index}`;

describe('the coordinator ledger', () => {
  it('judges an interval once every live shard has sent it, in order', () => {
    const ledger = new FleetLedger(2, 3_000, 0);
    expect(ledger.addSnapshot(id(0, 1), { shard: 0, index: 1, snapshot: snap(5) }, 10).completed).toEqual([]);
    expect(ledger.addSnapshot(id(1, 1), { shard: 1, index: 1, snapshot: snap(5) }, 10).completed).toEqual([]);
    expect(ledger.addSnapshot(id(0, 0), { shard: 0, index: 0, snapshot: snap(3) }, 10).completed).toEqual([]);
    const { completed } = ledger.addSnapshot(id(1, 0), { shard: 1, index: 0, snapshot: snap(4) }, 10);
    expect(completed.map((c) => [c.index, c.merged.requests, c.missing])).toEqual([
      [0, 7, []],
      [1, 10, []],
    ]);
  });

  it('counts a snapshot delivered twice once', () => {
    const ledger = new FleetLedger(2, 3_000, 0);
    ledger.addSnapshot(id(0, 0), { shard: 0, index: 0, snapshot: snap(3) }, 10);
    expect(ledger.addSnapshot(id(0, 0), { shard: 0, index: 0, snapshot: snap(3) }, 20).duplicate).toBe(true);
    expect(ledger.liveRequests()).toBe(3);
    expect(ledger.shards[0]!.duplicates).toBe(1);
  });

  it('calls a shard lost after 3 s of silence, stops waiting for it, and still folds in what it sends late', () => {
    const ledger = new FleetLedger(2, 3_000, 0);
    ledger.beat(beat(0), 1_000);
    ledger.beat(beat(1), 1_000);
    ledger.addSnapshot(id(0, 0), { shard: 0, index: 0, snapshot: snap(3) }, 1_500);
    ledger.beat(beat(0), 3_900);
    expect(ledger.checkLost(3_999).lost).toEqual([]);
    const { lost, completed } = ledger.checkLost(4_000);
    expect(lost).toEqual([1]);
    expect(completed.map((c) => [c.index, c.merged.requests, c.missing])).toEqual([[0, 3, [1]]]);
    expect(ledger.checkLost(9_000).lost).toEqual([0]);
    const late = ledger.addSnapshot(id(1, 0), { shard: 1, index: 0, snapshot: snap(4) }, 9_100);
    expect(late.duplicate).toBe(false);
    expect(ledger.shards[1]!.late).toBe(1);
    expect(ledger.liveRequests()).toBe(7);
  });

  it('does not blame generators for a silence the coordinator caused (its own broker outage)', () => {
    const ledger = new FleetLedger(2, 3_000, 0);
    ledger.forgiveSilence(5_000);
    expect(ledger.checkLost(7_999).lost).toEqual([]);
    expect(ledger.checkLost(8_000).lost).toEqual([0, 1]);
  });

  it('puts a result sent in pieces back together, each piece once, and ends when every shard has one or is lost', () => {
    const ledger = new FleetLedger(2, 3_000, 0);
    expect(ledger.addFinalPart('r/0/final/1', { shard: 0, part: 1, parts: 2, text: 'def' }, 1)).toBe(false);
    expect(ledger.addFinalPart('r/0/final/1', { shard: 0, part: 1, parts: 2, text: 'def' }, 1)).toBe(false);
    expect(ledger.addFinalPart('r/0/final/0', { shard: 0, part: 0, parts: 2, text: 'abc' }, 1)).toBe(true);
    expect(ledger.shards[0]!.finalText).toBe('abcdef');
    expect(ledger.finished()).toBe(false);
    ledger.checkLost(3_000);
    expect(ledger.finished()).toBe(true);
  });

  it('does not wait on a finished shard for intervals it never ran', () => {
    const ledger = new FleetLedger(2, 3_000, 0);
    ledger.addSnapshot(id(0, 0), { shard: 0, index: 0, snapshot: snap(1) }, 1);
    ledger.addFinalPart('r/0/final/0', { shard: 0, part: 0, parts: 1, text: '{}' }, 1);
    ledger.addSnapshot(id(1, 0), { shard: 1, index: 0, snapshot: snap(1) }, 1);
    const { completed } = ledger.addSnapshot(id(1, 1), { shard: 1, index: 1, snapshot: snap(2) }, 1);
    expect(completed.map((c) => c.index)).toEqual([1]);
  });
});
