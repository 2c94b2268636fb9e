import type { CapacityAnalysis, CapacityPoint, LoadLevelRef } from './types.js';

/** The nominal level is the stage closest to this share of the knee's throughput: a common operating headroom. */
export const NOMINAL_SHARE_OF_KNEE = 0.7;

/**
 * Three load levels to read recommendations at: light (the lightest stage), near the knee (the capacity
 * analysis's knee, or the heaviest stage when there is none) and nominal (in between, ~70% of the knee's
 * throughput). With one stage all three are that stage.
 */
export function loadLevels(capacity: CapacityAnalysis): LoadLevelRef[] {
  const points = capacity.points;
  if (points.length === 0) return [];
  const ref = (level: LoadLevelRef['level'], p: CapacityPoint): LoadLevelRef => ({
    level,
    stage: p.stage,
    name: p.name,
    target: p.load,
    throughput: p.throughput,
  });
  const knee = points.find((p) => p.stage === capacity.knee?.stage) ?? points[points.length - 1]!;
  const upToKnee = points.filter((p) => p.load <= knee.load);
  const goal = NOMINAL_SHARE_OF_KNEE * knee.throughput;
  const nominal = upToKnee.reduce((best, p) => (Math.abs(p.throughput - goal) < Math.abs(best.throughput - goal) ? p : best), upToKnee[0]!);
  return [ref('light', points[0]!), ref('nominal', nominal), ref('knee', knee)];
}
