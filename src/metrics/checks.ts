/**
 * Response checks as counted: per check (by its label), how many responses passed and failed it, and why the
 * first failure failed. Tallies add exactly, so intervals, workers and shards merge like every other count.
 */

/** One check's result on one response: a pass, or the reason it failed. */
export interface CheckOutcome {
  label: string;
  /** why it failed, in one line (`$.ok is false, expected true`); absent when it passed */
  failure?: string;
}

export interface CheckTally {
  /** the check as written, or its `name` (unique within a request) */
  label: string;
  passes: number;
  fails: number;
  /** the first failure's reason, secrets scrubbed */
  firstFailure?: string;
}

/**
 * Adds `from` into `into`, matching by label; checks `into` has not seen are appended in their order, so a
 * request's checks stay listed as the scenario declares them. The first failure reason already held wins: parts
 * are merged in time order.
 */
export function addCheckTallies(into: CheckTally[], from: readonly CheckTally[]): void {
  for (const tally of from) {
    const held = into.find((t) => t.label === tally.label);
    if (!held) {
      into.push({ ...tally });
      continue;
    }
    held.passes += tally.passes;
    held.fails += tally.fails;
    if (held.firstFailure === undefined && tally.firstFailure !== undefined) held.firstFailure = tally.firstFailure;
  }
}

/** Passed and evaluated checks over tallies: the `checks` threshold's population. */
export function checkTotals(tallies: readonly CheckTally[]): { passes: number; evaluated: number } {
  let passes = 0;
  let evaluated = 0;
  for (const tally of tallies) {
    passes += tally.passes;
    evaluated += tally.passes + tally.fails;
  }
  return { passes, evaluated };
}
