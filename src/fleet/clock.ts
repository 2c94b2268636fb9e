/**
 * Clock offset between a generator and the coordinator, estimated as NTP does from request/reply exchanges:
 * the generator notes when it asked (sentMs) and when the answer came (receivedMs) on its own clock, and the
 * coordinator's clock at the time it answered (remoteMs). Assuming the answer was read half-way through the
 * round trip, offset = local − remote at that moment; the error is at most half the round trip, so the exchange
 * with the shortest round trip wins.
 */
export interface ClockSample {
  sentMs: number;
  remoteMs: number;
  receivedMs: number;
}

export interface ClockOffset {
  /** local clock minus the coordinator's, ms (positive: this machine is ahead) */
  offsetMs: number;
  /** round trip of the exchange it came from; the offset is good to ± half of it */
  rttMs: number;
}

export function estimateOffset(samples: readonly ClockSample[]): ClockOffset | undefined {
  let best: ClockOffset | undefined;
  for (const { sentMs, remoteMs, receivedMs } of samples) {
    const rttMs = receivedMs - sentMs;
    if (rttMs < 0) continue;
    const offsetMs = (sentMs + receivedMs) / 2 - remoteMs;
    if (!best || rttMs < best.rttMs) best = { offsetMs, rttMs };
  }
  return best;
}

/** The coordinator's start time on this machine's clock (epoch ms), which the workers turn into a monotonic deadline. */
export function localStartMs(coordinatorStartMs: number, offset: ClockOffset): number {
  return coordinatorStartMs + offset.offsetMs;
}
