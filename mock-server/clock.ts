/**
 * Time for the server: a monotonic clock, and a delay that never fires early.
 *
 * setTimeout schedules against libuv's cached loop time (whole milliseconds, taken at the start of the loop
 * turn), so a 20 ms timer measured with performance.now() fires anywhere in ~19.2–20.8 ms; under load about a
 * quarter fire early, by up to ~0.8 ms. The mock server promises that it injects at least what the profile drew
 * (and reports what it really spent), so a timer that lands early hands its callback to a shared finisher that
 * re-checks once per loop turn until the deadline passes. One finisher serves every pending delay: the cost is
 * one setImmediate per loop turn while anything is within a millisecond of due, not one per request.
 */
import { performance } from 'node:perf_hooks';

export const nowMs: () => number = () => performance.now();

interface NearDue {
  deadlineMs: number;
  callback: () => void;
}

let nearDue: NearDue[] = [];
let finisherScheduled = false;

function runFinisher(): void {
  const now = performance.now();
  const pending = nearDue;
  nearDue = [];
  for (const item of pending) {
    if (item.deadlineMs <= now) item.callback();
    else nearDue.push(item);
  }
  if (nearDue.length > 0) setImmediate(runFinisher);
  else finisherScheduled = false;
}

function finishLater(deadlineMs: number, callback: () => void): void {
  nearDue.push({ deadlineMs, callback });
  if (!finisherScheduled) {
    finisherScheduled = true;
    setImmediate(runFinisher);
  }
}

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
    else finishLater(deadlineMs, callback);
  };
  setTimeout(check, delayMs).unref();
}
