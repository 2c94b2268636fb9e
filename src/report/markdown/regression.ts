import type { Comparison } from '../../analysis/compare/compare.js';
import { HEADER, methodText, rows } from '../views/regression.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[<>&]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[ch]!);
}

/** A summary.md section (GitHub-flavoured Markdown), for $GITHUB_STEP_SUMMARY or a PR comment. */
export function compareMarkdown(comparison: Comparison): string {
  const verdict = comparison.regression
    ? `**Regression** — ${comparison.rules
        .filter((r) => r.outcome === 'regression')
        .map((r) => `\`${r.rule}\``)
        .join(', ')}`
    : '**No regression** against the baseline';
  const lines = [
    '## Comparison with the baseline',
    '',
    verdict,
    '',
    `| ${HEADER.map(cell).join(' | ')} |`,
    `| ${HEADER.map((_, i) => (i === 0 || i === HEADER.length - 1 ? '---' : '---:')).join(' | ')} |`,
    ...rows(comparison).map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
    `A change fails a rule only when it is beyond the rule's tolerance and significant. ${methodText(comparison)}.`,
    `Baseline: ${comparison.baseline.requests} requests (${comparison.baseline.startedAt}); current: ${comparison.current.requests} requests (${comparison.current.startedAt}).`,
  ];
  for (const w of comparison.warnings) lines.push('', `> warning: ${cell(w)}`);
  return `${lines.join('\n')}\n`;
}
