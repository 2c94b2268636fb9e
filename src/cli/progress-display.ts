import cliProgress from 'cli-progress';
import type { Io } from './io.js';

/** Where a run's per-interval progress lines go: a redrawn bar on a terminal, plain lines anywhere else. */
export interface ProgressDisplay {
  /** the progress line of the interval that ended at `elapsedMs` */
  interval(elapsedMs: number, line: string): void;
  /** the run ended: a terminal's bar is finished and left on its line */
  stop(): void;
}

/**
 * On an interactive terminal (see Io.interactive: a TTY with columns, not CI) a cli-progress bar over the
 * scheduled duration with its ETA, the latest interval's figures beside it; elsewhere, as before, one plain
 * line per interval, which CI logs keep readable. The bar writes through Io like every other output, so the
 * secret scrubbing applies to it too.
 */
export function progressDisplay(io: Io, scheduledMs: number): ProgressDisplay {
  if (!io.interactive) return { interval: (_elapsedMs, line) => io.stderr(`${line}\n`), stop: () => undefined };
  const stream = { isTTY: true, columns: io.columns, write: (text: string) => (io.stderr(text), true) } as unknown as NodeJS.WritableStream;
  const totalSeconds = Math.max(1, Math.round(scheduledMs / 1000));
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {percentage}% | ETA {eta_formatted} | {line}',
      barsize: 24,
      hideCursor: false,
      clearOnComplete: false,
      etaBuffer: 5,
      // Redrawn when an interval arrives, not on a timer: between intervals there is nothing new to show.
      fps: 1,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    interval(elapsedMs, line) {
      const seconds = Math.min(totalSeconds, Math.round(elapsedMs / 1000));
      if (!started) {
        started = true;
        bar.start(totalSeconds, seconds, { line });
      } else bar.update(seconds, { line });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
