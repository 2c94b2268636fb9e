/**
 * Fault selection: pure functions of a uniform draw and the profile, so a seed reproduces the same faults.
 */
import type { ResolvedProfile } from './profile-schema.js';

export type FaultsConfig = ResolvedProfile['faults'];

/** What to do instead of (or to) a normal response. */
export const FaultKind = {
  None: 0,
  /** Answer with an injected status (after the service time, like a backend that failed while working). */
  Status: 1,
  /** Destroy the connection with a TCP RST instead of answering. */
  Reset: 2,
  /** Never answer; the connection stays open until the client gives up or the server closes. */
  Hang: 3,
  /** Write bytes that are not HTTP on the raw socket, then close it. */
  Garbage: 4,
  /** Answer normally but trickle the body out in small chunks. */
  SlowBody: 5,
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

export interface FaultChoice {
  kind: FaultKind;
  /** Set for FaultKind.Status. */
  status: number;
}

const NO_FAULT: FaultChoice = { kind: FaultKind.None, status: 0 };

/** One uniform draw `u` in [0, 1) picks at most one fault; the probabilities partition [0, 1). */
export function chooseFault(u: number, faults: FaultsConfig): FaultChoice {
  let edge = 0;
  for (const entry of faults.status) {
    edge += entry.probability;
    if (u < edge) return { kind: FaultKind.Status, status: entry.status };
  }
  if (u < (edge += faults.resetProbability)) return { kind: FaultKind.Reset, status: 0 };
  if (u < (edge += faults.hangProbability)) return { kind: FaultKind.Hang, status: 0 };
  if (u < (edge += faults.garbageProbability)) return { kind: FaultKind.Garbage, status: 0 };
  if (faults.slowBody && u < (edge += faults.slowBody.probability)) return { kind: FaultKind.SlowBody, status: 0 };
  return NO_FAULT;
}

export function hasFaults(faults: FaultsConfig): boolean {
  return (
    faults.status.length > 0 ||
    faults.resetProbability > 0 ||
    faults.hangProbability > 0 ||
    faults.garbageProbability > 0 ||
    (faults.slowBody?.probability ?? 0) > 0
  );
}

/**
 * Periodic stalls: windows [k·every, k·every + for) for k ≥ 1, counted from server start. A response that would
 * complete inside a window is held until the window ends; returns how long to hold it (0 outside windows).
 * This freezes output the way a GC pause or a stuck proxy does, which is what a coordinated-omission test needs:
 * a client that waits for the stalled response before sending the next one under-reports the stall.
 */
export function stallHoldMs(sinceStartMs: number, stall: { everyMs: number; forMs: number } | undefined): number {
  if (!stall || sinceStartMs < stall.everyMs) return 0;
  const intoPeriodMs = sinceStartMs % stall.everyMs;
  return intoPeriodMs < stall.forMs ? stall.forMs - intoPeriodMs : 0;
}
