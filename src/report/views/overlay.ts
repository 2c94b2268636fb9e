import type { RunResult } from '../../result/types.js';
import type { Verdict } from '../../analysis/types.js';

/** One run of a multi-run overlay (`tailscope report a/result.json b/result.json`), as its pages show it. */
export interface OverlayRun {
  label: string;
  result: RunResult;
  verdict: Verdict;
  /** the run's own report, relative to the overlay page (its sub-folder's index.html) */
  reportPath?: string;
}

/** A short, unique folder-safe label per run, from the folder each result sits in (a/result.json → a). */
export function runLabels(paths: readonly string[]): string[] {
  const base = paths.map((path) => {
    const parts = path.split(/[\\/]/).filter(Boolean);
    return (parts.length > 1 ? parts.at(-2)! : parts.at(-1)!.replace(/\.json$/, '')) || 'run';
  });
  return base.map((label, i) => (base.indexOf(label) !== i || base.lastIndexOf(label) !== i ? `${i + 1}-${label}` : label));
}
