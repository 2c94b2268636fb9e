import type { GcTally } from './types.js';

/** Collections of several threads (or shards) together: counts and pause time add up, the longest pause is one. */
export function sumGcTallies(tallies: readonly GcTally[]): GcTally {
  return {
    collections: tallies.reduce((sum, t) => sum + t.collections, 0),
    majorCollections: tallies.reduce((sum, t) => sum + t.majorCollections, 0),
    pauseTotalMs: tallies.reduce((sum, t) => sum + t.pauseTotalMs, 0),
    pauseMaxMs: Math.max(0, ...tallies.map((t) => t.pauseMaxMs)),
  };
}
