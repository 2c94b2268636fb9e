/**
 * Other work on a small machine distorts every figure. Before a final measurement, wait (bounded) until the
 * 1-minute load average is low, and report what it was if it never got there.
 */
import { loadAverage } from './machine.js';
import { sleep } from './proc.js';

export interface QuietReport {
  waitedSec: number;
  load: number;
  quiet: boolean;
}

export async function waitForQuiet(options: {
  below: number;
  pollSec: number;
  maxWaitSec: number;
  log: (line: string) => void;
}): Promise<QuietReport> {
  const began = performance.now();
  for (;;) {
    const load = loadAverage();
    const waitedSec = (performance.now() - began) / 1000;
    if (load < options.below) return { waitedSec, load, quiet: true };
    if (waitedSec + options.pollSec > options.maxWaitSec) return { waitedSec, load, quiet: false };
    options.log(`load average ${load.toFixed(2)} ≥ ${options.below}; waiting (${Math.round(waitedSec)} s so far)`);
    await sleep(options.pollSec * 1000);
  }
}
