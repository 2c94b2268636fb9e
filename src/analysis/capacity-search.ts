import type { RunResult, SearchProbe } from '../result/types.js';
import { bracketOf } from '../load/search.js';
import { fitUsl } from './usl.js';
import { formatMs } from '../shared/format.js';
import type { CapacityAtSlo, CapacityPoint } from './types.js';

/**
 * What a capacity search found (result.search), said once so that the terminal, the report and analysis.json
 * read the same sentence: the capacity with its bracket and the p99 at the highest pass, with its interval.
 * The sweep below the capacity gets a USL fit of its own: the probes jump around the capacity and would
 * make a poor curve.
 */
export function capacityAtSloOf(result: RunResult, points: readonly CapacityPoint[]): CapacityAtSlo | undefined {
  const search = result.search;
  if (!search) return undefined;
  const unit = result.model === 'closed' ? 'users' : 'req/s';
  const { conclusion, probes } = search;
  const bracket = bracketOf(probes);
  const passedAt = conclusion && 'passedAt' in conclusion ? conclusion.passedAt : bracket.passedAt;
  const failedAt = conclusion && 'failedAt' in conclusion ? conclusion.failedAt : bracket.failedAt;
  const load = conclusion && 'capacity' in conclusion ? conclusion.capacity : undefined;
  const sweepPoints = points.filter((p) => search.sweepStages.includes(p.stage));
  const usl = fitUsl(sweepPoints.map((p) => ({ concurrency: p.concurrency, throughput: p.throughput })));
  return {
    ...(load !== undefined && { load }),
    ...(passedAt !== undefined && { passedAt }),
    ...(failedAt !== undefined && { failedAt }),
    unit,
    outcome: conclusion?.kind ?? 'stopped',
    sentence: sentenceOf(result, passedAt, failedAt, unit),
    probes,
    sweep: sweepPoints,
    ...(usl ? { usl } : {}),
  };
}

function sentenceOf(result: RunResult, passedAt: number | undefined, failedAt: number | undefined, unit: string): string {
  const search = result.search!;
  const { conclusion, probes } = search;
  const at = (load: number) => probes.find((p) => p.load === load && p.verdict !== 'generator');
  const p99At = (load: number | undefined) => {
    const probe = load === undefined ? undefined : at(load);
    return probe?.p99Ms ? `; p99 at ${fmt(load!)}: ${interval(probe)}` : '';
  };
  if (!conclusion) {
    const sofar = [passedAt !== undefined && `passes at ${fmt(passedAt)}`, failedAt !== undefined && `fails at ${fmt(failedAt)}`].filter(
      Boolean,
    );
    return `the search was stopped before it concluded${sofar.length > 0 ? ` (so far: ${sofar.join(', ')} ${unit})` : ''}`;
  }
  switch (conclusion.kind) {
    case 'found':
      return `capacity at SLO: ${fmt(conclusion.capacity)} ${unit} (passes at ${fmt(conclusion.passedAt)}, fails at ${fmt(conclusion.failedAt)}${p99At(conclusion.passedAt)})`;
    case 'ceiling':
      return `capacity at SLO: at least ${fmt(conclusion.capacity)} ${unit}: it passes at ${fmt(conclusion.passedAt)}, the top of the search (load.search.to)${p99At(conclusion.passedAt)}`;
    case 'fails-at-lowest': {
      const probe = at(conclusion.failedAt);
      return `the SLO fails at the lowest load tried, ${fmt(conclusion.failedAt)} ${unit}${probe ? ` (${probe.reason})` : ''}`;
    }
    case 'generator': {
      const probe = probes[probes.length - 1];
      const kept = conclusion.passedAt !== undefined ? `; the target kept the SLO up to ${fmt(conclusion.passedAt)} ${unit}` : '';
      return `the ceiling is the generator's, not the target's: it could not drive ${fmt(conclusion.load)} ${unit}${probe ? ` (${probe.reason})` : ''}${kept}`;
    }
  }
}

function interval(probe: SearchProbe): string {
  const p = probe.p99Ms!;
  return `${formatMs(p.value)} ms [${formatMs(p.low)}, ${formatMs(p.high)}]`;
}

function fmt(load: number): string {
  return Number.isInteger(load) ? String(load) : load.toFixed(load >= 100 ? 0 : 1);
}
