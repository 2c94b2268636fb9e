import type { RunResult } from '../../result/types.js';
import { TailscopeError } from '../../shared/errors.js';

/** Two results that do not measure the same thing; `--force` compares them anyway. */
export class IncomparableRunsError extends TailscopeError {
  readonly code = 'E_INCOMPARABLE';
  constructor(readonly problems: readonly string[]) {
    super(`these runs are not comparable (use --force to compare anyway):\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * Why two runs do not measure the same thing: another scenario, model or load shape (stage kinds, targets and
 * lengths). A closed run at concurrency 8 and one at 16 differ in latency by design, not by regression.
 * The target may differ: comparing a build against the previous one is the point.
 */
export function comparabilityProblems(baseline: RunResult, current: RunResult): string[] {
  const problems: string[] = [];
  if (baseline.scenario.name !== current.scenario.name) problems.push(`scenario "${baseline.scenario.name}" vs "${current.scenario.name}"`);
  if (baseline.model !== current.model) problems.push(`${baseline.model} model vs ${current.model} model`);
  if (baseline.stages.length !== current.stages.length) {
    problems.push(`${baseline.stages.length} load stages vs ${current.stages.length}`);
    return problems;
  }
  baseline.stages.forEach((b, i) => {
    const c = current.stages[i]!;
    if (b.kind !== c.kind) problems.push(`stage ${i + 1}: ${b.kind} vs ${c.kind}`);
    if (b.target !== c.target || b.targetFrom !== c.targetFrom) {
      problems.push(`stage ${i + 1}: target ${b.targetFrom}→${b.target} vs ${c.targetFrom}→${c.target}`);
    }
    // The last stage's end includes the drain after the schedule, which varies: compare where stages start,
    // which fixes every stage's length but the last.
    if (b.startMs !== c.startMs) problems.push(`stage ${i + 1}: starts at ${b.startMs} ms vs ${c.startMs} ms`);
  });
  // The scheduled length fixes the last stage's length too (the drain after it varies, so durationMs would not).
  if (baseline.scheduledDurationMs !== current.scheduledDurationMs) {
    problems.push(
      `load curve lasts ${(baseline.scheduledDurationMs / 1000).toFixed(1)} s vs ${(current.scheduledDurationMs / 1000).toFixed(1)} s`,
    );
  }
  if (baseline.intervalMs !== current.intervalMs) problems.push(`interval ${baseline.intervalMs} ms vs ${current.intervalMs} ms`);
  return problems;
}
