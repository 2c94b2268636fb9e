import { errorReasons, reasonLine } from '../views/error-reasons.js';
import { checkRows, checksOverall, tokensOverall } from '../views/checks.js';
import type { Analysis } from '../../analysis/types.js';
import type { RunResult } from '../../result/types.js';
import { displayUrl, formatCores, formatMs, formatPercent, formatRate, formatShare } from '../views/format.js';
import { replayMarkdown, resilienceMarkdown, timeoutsMarkdown } from './advice.js';
import { escapeMarkdown as md } from './escape.js';
import { levelsView } from '../views/levels.js';
import { flowRows, jobRows } from '../views/flows.js';
import type { Verdict, VerdictCheck, VerdictStatus } from '../../analysis/types.js';
import { STATUS_WORD } from '../../analysis/verdict.js';

export const ICON: Record<VerdictStatus, string> = { pass: '✅', fail: '❌', invalid: '⚠️', interrupted: '⏹️', unchecked: '➖' };

/** Flows (end-to-end latency of completed iterations) and async jobs (time to completion, polls), when run. */
function flowsMarkdown(analysis: Analysis): string[] {
  const lines: string[] = [];
  const flows = flowRows(analysis);
  if (flows.length > 0)
    lines.push(
      '',
      '| flow | iterations | completed | failed | most failed at | p50 ms | p99 ms | max ms |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...flows.map(
        (f) => `| ${md(f.name)} | ${f.iterations} | ${f.completed} | ${f.failed} | ${md(f.failedAt)} | ${f.p50} | ${f.p99} | ${f.max} |`,
      ),
    );
  const jobs = jobRows(analysis);
  if (jobs.length > 0)
    lines.push(
      '',
      '| async step | mode | jobs | done | failed / expired / lost | completion p50 ms | completion p99 ms | polls per job |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...jobs.map(
        (j) =>
          `| ${md(j.name)} | ${j.mode} | ${j.submitted} | ${j.done} | ${j.failedExpiredLost} | ${j.completionP50} | ${j.completionP99} | ${j.pollsPerJob} |`,
      ),
    );
  return lines;
}

function checkRow(c: VerdictCheck): string {
  const verdict = c.pass === null ? 'not evaluated' : c.pass ? '✅ pass' : '❌ fail';
  return `| ${md(c.name)} | ${verdict} | ${md(c.observed)} | ${md(c.limit)} |`;
}

/** Response checks: the run's pass rate, then each check with its first failure (the target's words, escaped). */
function checksMarkdown(result: RunResult): string[] {
  const rows = checkRows(result);
  if (rows.length === 0) return [];
  const overall = checksOverall(result);
  return [
    '',
    `checks: ${overall.passes} of ${overall.evaluated} passed (${formatPercent(overall.evaluated > 0 ? overall.passes / overall.evaluated : 0)})`,
    '',
    '| request | check | passed | failed | first failure |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${md(row.request)} | ${md(row.label)} | ${row.passes} | ${row.fails} | ${row.firstFailure !== undefined ? md(row.firstFailure) : ''} |`,
    ),
  ];
}

/**
 * summary.md: the verdict in a few lines, fit for a pull-request comment or $GITHUB_STEP_SUMMARY. Every name
 * and URL is escaped (they come from users and servers); the figures are ours.
 */
/** Attempts and calls side by side, then what retries and waits added, and the 429s if there were any. */
function levelsMarkdown(totals: RunResult['totals']): string[] {
  const view = levelsView(totals);
  if (!view) return [];
  return [
    '',
    '| level | count | failed | error rate | p50 ms | p99 ms | max ms |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...view.rows.map(
      (r) =>
        `| ${r.level} | ${r.count} | ${r.failed} | ${formatPercent(r.errorRate)} | ${formatMs(r.p50)} | ${formatMs(r.p99)} | ${formatMs(r.max)} |`,
    ),
    '',
    view.added,
    view.outcomes,
    ...(view.rateLimited ? ['', `**${view.rateLimited}**`] : []),
  ];
}

export function renderMarkdown(result: RunResult, analysis: Analysis, verdict: Verdict): string {
  const t = result.totals;
  const lines: string[] = [
    `### tailscope: ${md(result.scenario.name)} — ${ICON[verdict.status]} ${STATUS_WORD[verdict.status]}`,
    '',
    `${t.requests} requests in ${(result.durationMs / 1000).toFixed(1)} s against ${md(displayUrl(result.target.url))} (${result.model} model) · ${formatRate(t.throughput)} req/s · errors ${formatPercent(t.errorRate)}`,
    '',
    ...errorReasons(t.errorsByKind).map(([kind, count, message]) => `- ${md(reasonLine(kind, count, t.requests, message))}`),
    ...(t.errors > 0 ? [''] : []),
    `latency p50 ${formatMs(t.latency.p50)} ms · p90 ${formatMs(t.latency.p90)} ms · p99 ${formatMs(t.latency.p99)} ms · p99.9 ${formatMs(t.latency.p999)} ms · max ${formatMs(t.latency.max)} ms`,
    ...levelsMarkdown(t),
  ];
  const tokens = tokensOverall(result);
  if (tokens)
    lines.push(
      '',
      `tokens: ${tokens.tokens} completion tokens · ${formatRate(tokens.perSec)} tokens/s${tokens.tpot ? ` · time per output token p50 ${formatMs(tokens.tpot.p50)} ms · p99 ${formatMs(tokens.tpot.p99)} ms` : ''}`,
    );
  lines.push(...checksMarkdown(result));
  const w = result.warmup;
  if (w)
    lines.push(
      '',
      `warm-up before time zero, kept out of the figures above: ${w.requests} requests in ${(w.durationMs / 1000).toFixed(1)} s · p50 ${formatMs(w.latency.p50)} ms · p99 ${formatMs(w.latency.p99)} ms · errors ${formatPercent(w.errorRate)}`,
    );
  if (!verdict.validity.valid)
    lines.push(
      '',
      `**Invalid run:** ${verdict.validity.reasons.map(md).join('; ') || 'the generator did not keep up'}. These figures do not describe the target.`,
    );
  if (verdict.validity.interrupted) lines.push('', '**Interrupted:** figures cover what completed.');
  if (verdict.validity.abortedBy) lines.push('', `**Stopped by abortOnFail:** ${md(verdict.validity.abortedBy)}`);
  for (const warning of verdict.validity.warnings) lines.push('', `> ${md(warning)}`);
  const checks = verdict.checks;
  if (checks.length) lines.push('', '| check | verdict | observed | limit |', '| --- | --- | --- | --- |', ...checks.map(checkRow));
  lines.push(...flowsMarkdown(analysis));
  const split = analysis.split;
  lines.push(
    '',
    `split (${split.method === 'none' ? 'n/a' : split.method}): network p50 ${formatMs(split.network?.p50)} ms, service p50 ${formatMs(split.service?.p50)} ms${split.queue ? `, queue p50 ${formatMs(split.queue.p50)} ms` : ''}`,
  );
  if (analysis.capacity.atSlo) lines.push('', md(analysis.capacity.atSlo.sentence));
  const knee = analysis.capacity.knee;
  if (knee) lines.push('', `capacity: knee at ${md(knee.name)} (load ${knee.load.toFixed(1)}, ${formatRate(knee.throughput)} req/s)`);
  const h = result.health;
  lines.push(
    '',
    `generator: ${h.valid ? 'healthy' : 'not a valid measurement'}, ${h.workers} workers · event-loop delay p99 ${formatMs(h.eventLoopDelayMs.p99)} ms · event loop busy max ${formatShare(h.eventLoopUtilization?.max)} · worker thread CPU max ${formatShare(h.threadCpu?.max)} · process CPU max ${formatCores(h.processCpu?.maxCores, h.processCpu?.availableCores)}${h.gc ? ` · load-thread GC pauses max ${formatMs(h.gc.pauseMaxMs)} ms (${h.gc.collections} collections, ${h.gc.majorCollections} full)` : ''}`,
  );
  // The advice last: the verdict and headline figures stay on top of a pull-request comment.
  lines.push(
    ...timeoutsMarkdown(analysis.timeouts, analysis.run.model),
    ...resilienceMarkdown(analysis.resilience),
    ...replayMarkdown(analysis.replay),
  );
  return `${lines.join('\n')}\n`;
}
