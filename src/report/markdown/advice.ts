import type { ReplayResult, ResilienceAdvice, TimeoutAdvice } from '../../analysis/types.js';
import {
  failureRows,
  policyLines,
  replayRows,
  requestAdviceTable,
  requestWarnings,
  resilienceRows,
  snippetBlocks,
  timeoutBasis,
  timeoutCutText,
  timeoutLevelTable,
  timeoutReading,
  timeoutValue,
} from '../views/advice.js';
import { formatMs, formatPercent } from '../views/format.js';
import { fencedCode, escapeMarkdown as md } from './escape.js';

/**
 * The advice parts of summary.md, as lines. Every cell goes through escapeMarkdown, figures included: the
 * analysis is a file that may have been edited, and an escaped figure renders the same.
 */

const row = (cells: readonly unknown[]) => `| ${cells.map(md).join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly unknown[])[]) => [
  row(head),
  `|${head.map(() => ' --- |').join('')}`,
  ...rows.map(row),
];
const quoted = (warnings: readonly string[]) => warnings.flatMap((w) => ['', `> ${md(w)}`]);

export function timeoutsMarkdown(advice: TimeoutAdvice, model: 'closed' | 'open'): string[] {
  if (advice.recommended.length === 0) return [];
  const lines = [
    '',
    `**Timeouts** (${md(timeoutBasis(advice))})`,
    '',
    ...table(
      ['phase', 'timeout', 'cuts', 'data', 'mean+2σ instead'],
      advice.recommended.map((c) => [
        c.phase,
        timeoutValue(c),
        timeoutCutText(c),
        timeoutReading(c),
        `${formatMs(c.meanPlus2Sd.timeoutMs)} ms (cuts ${formatPercent(c.meanPlus2Sd.cutShare, 3)})`,
      ]),
    ),
  ];
  lines.push(...quoted(advice.warnings));
  const levels = timeoutLevelTable(advice, model);
  if (levels.rows.length > 0 && levels.phases.length > 0) {
    lines.push(
      '',
      'By load level:',
      '',
      ...table(
        ['level', 'stage', levels.loadTitle, 'req/s', ...levels.phases],
        levels.rows.map((r) => [r.level, r.stage, r.load, r.throughput, ...r.cells]),
      ),
    );
  }
  const requests = requestAdviceTable(advice);
  if (requests.rows.length > 0 && requests.phases.length > 0) {
    lines.push(
      '',
      'By request:',
      '',
      ...table(
        ['request', 'transport', ...requests.phases, 'retry after a timeout'],
        requests.rows.map((r) => [r.request, r.transport, ...r.cells, r.retryOnTimeout]),
      ),
      ...quoted(requestWarnings(advice)),
    );
  }
  return lines;
}

export function resilienceMarkdown(r: ResilienceAdvice): string[] {
  return [
    '',
    '**Retries and resilience**',
    '',
    ...table(
      ['setting', 'value', 'rule'],
      resilienceRows(r).map((a) => [a.setting, a.value, a.rule]),
    ),
    ...quoted(r.warnings),
    ...snippetBlocks(r).flatMap((b) => [
      '',
      `<details><summary>${b.title}</summary>`,
      '',
      fencedCode(b.code, b.language),
      '',
      '</details>',
    ]),
  ];
}

export function replayMarkdown(r: ReplayResult | undefined): string[] {
  if (!r) return [];
  const failures = failureRows(r);
  return [
    '',
    '**What-if replay**',
    '',
    ...policyLines(r.policy).map((line) => `- ${md(line)}`),
    '',
    ...table(
      ['', 'with the policy', 'no policy (as recorded)'],
      replayRows(r).map((c) => [c.measure, c.withPolicy, c.baseline]),
    ),
    '',
    failures.length ? `failed: ${failures.map((f) => `${md(f.cause)} ${f.count} (${md(f.share)})`).join(', ')}` : 'failed: none',
    '',
    `method: ${md(r.method)}`,
    ...quoted(r.warnings),
  ];
}
