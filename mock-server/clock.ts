/**
 * Time for the server: a monotonic clock, and a delay that never fires early.
 *
 * setTimeout schedules against libuv's cached loop time (whole milliseconds, taken at the start of the loop
 * turn), so a 20 ms timer measured with performance.now() fires anywhere in ~19.1–20.6 ms. The mock server
 * promises that what it reports is what it injected and that it injected at least what the profile drew, so the
 * timer aims at the deadline and, when it lands early, waits out the last fraction of a millisecond with
 * setImmediate. That costs a few loop turns on a minority of requests, never a busy loop.
 */
import { performance } from 'node:perf_hooks';

export const nowMs: () => number = () => performance.now();

/** Calls `callback` once at least `delayMs` have passed on the monotonic clock. Unref'd: it never holds the process open. */
export function delayAtLeast(delayMs: number, callback: () => void): void {
  if (delayMs <= 0) {
    callback();
    return;
  }
  const deadlineMs = performance.now() + delayMs;
  const check = (): void => {
    const remainingMs = deadlineMs - performance.now();
    if (remainingMs <= 0) callback();
    else if (remainingMs >= 1) setTimeout(check, remainingMs).unref();
    else setImmediate(check);
  };
  setTimeout(check, delayMs).unref();
}
