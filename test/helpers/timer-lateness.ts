import { performance } from 'node:perf_hooks';

/**
 * How late this thread's timers fire while a test runs: the floor under every in-process timing assertion.
 *
 * The mock servers in these tests run on the test's own event loop, so when the machine is busy (other test
 * files, other jobs on a shared 2-core runner) their injected delays and our clocks are late by what any timer
 * on this loop is late by. A probe timer armed every `everyMs` during the test measures exactly that, in the
 * same window; an upper bound is then "model + allowance + probe lateness at the same quantile", which holds on
 * a quiet machine as tightly as before and moves only as far as the measured scheduling delay.
 */
export interface TimerLateness {
  /** stops the probe and returns its lateness samples in ms (fire time − due time, never negative) */
  stop(): LatenessSamples;
}

export interface LatenessSamples {
  count: number;
  /** nearest-rank quantile of lateness, in ms (0 when nothing was sampled) */
  quantile(q: number): number;
  maxMs: number;
}

export function probeTimerLateness(everyMs = 5): TimerLateness {
  const samples: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = true;
  const arm = () => {
    const dueAt = performance.now() + everyMs;
    timer = setTimeout(() => {
      // libuv fires timers against its whole-millisecond loop clock: up to ~1 ms early is resolution, not slack.
      samples.push(Math.max(0, performance.now() - dueAt));
      if (running) arm();
    }, everyMs);
  };
  arm();
  return {
    stop() {
      running = false;
      clearTimeout(timer);
      return latenessOf(samples);
    },
  };
}

export function latenessOf(samples: number[]): LatenessSamples {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    quantile: (q) => (sorted.length === 0 ? 0 : sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!),
    maxMs: sorted.at(-1) ?? 0,
  };
}

/** Runs `work` with a probe alongside and returns both. */
export async function withTimerLateness<T>(work: () => Promise<T>, everyMs = 5): Promise<{ result: T; lateness: LatenessSamples }> {
  const probe = probeTimerLateness(everyMs);
  try {
    const result = await work();
    return { result, lateness: probe.stop() };
  } catch (error) {
    probe.stop();
    throw error;
  }
}
