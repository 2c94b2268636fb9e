import { formatMs, formatPercent, formatRate } from '../views/format.js';
import type { OverlayRun } from '../views/overlay.js';
import { STATUS_WORD } from '../../analysis/verdict.js';
import { escapeMarkdown as md } from './escape.js';
import { ICON } from './render.js';

/** The overlay of several runs as one Markdown table, the first run being the reference. */
export function renderOverlayMarkdown(runs: OverlayRun[]): string {
  const base = runs[0]!.result.totals.latency.p99;
  const rows = runs.map(({ label, result, verdict }, i) => {
    const t = result.totals;
    const delta =
      i === 0 ? 'reference' : base > 0 ? `${t.latency.p99 >= base ? '+' : ''}${(((t.latency.p99 - base) / base) * 100).toFixed(1)}%` : '–';
    return `| ${md(label)} | ${ICON[verdict.status]} ${STATUS_WORD[verdict.status]} | ${t.requests} | ${formatRate(t.throughput)} | ${formatPercent(t.errorRate)} | ${formatMs(t.latency.p50)} | ${formatMs(t.latency.p99)} | ${delta} | ${formatMs(t.latency.max)} |`;
  });
  return [
    `### tailscope: ${runs.length} runs compared`,
    '',
    '| run | verdict | requests | req/s | errors | p50 ms | p99 ms | p99 vs first | max ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
