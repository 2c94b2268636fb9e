import { latencyVsLoad } from './charts/latency-vs-load.js';
import { percentileSpectrum } from './charts/percentile-spectrum.js';
import { escapeHtml } from './escape.js';
import { displayUrl, formatMs, formatPercent, formatRate } from '../views/format.js';
import type { OverlayRun } from '../views/overlay.js';
import { renderPage, STYLE } from './page.js';
import { STATUS_WORD } from '../../analysis/verdict.js';
import { loadTitle, spectrum, stagePoints } from '../views/run.js';

/**
 * Several runs on one page: their percentile spectra and latency-vs-load curves overlaid, and a table with
 * each run's verdict and headline figures against the first run (the reference).
 */
export async function renderOverlayHtml(runs: OverlayRun[]): Promise<string> {
  const spectra = percentileSpectrum(
    runs.map((run) => ({ label: run.label, points: spectrum(run.result) })),
    'Total latency by percentile, one curve per run: a regression shows as a curve above the reference, and where on the nines axis it starts.',
  );
  const models = new Set(runs.map((run) => run.result.model));
  const load = latencyVsLoad(
    runs.map((run) => ({ run: run.label, points: stagePoints(run.result) })),
    models.size === 1 ? loadTitle(runs[0]!.result) : 'load (concurrency or offered rate: the runs differ in model)',
  );
  const base = runs[0]!.result.totals.latency;
  const delta = (value: number, reference: number) =>
    reference > 0 ? `${value >= reference ? '+' : ''}${(((value - reference) / reference) * 100).toFixed(1)}%` : '–';
  const rows = runs.map(({ label, result, verdict, reportPath }, i) => {
    const t = result.totals;
    const name = reportPath ? `<a href="${escapeHtml(relativeHref(reportPath))}">${escapeHtml(label)}</a>` : escapeHtml(label);
    return `<tr><td>${name}</td><td>${escapeHtml(result.scenario.name)}</td><td><span class="badge ${verdict.status}">${STATUS_WORD[verdict.status]}</span></td><td>${escapeHtml(result.startedAt)}</td><td>${t.requests}</td><td>${formatRate(t.throughput)}</td><td>${formatPercent(t.errorRate)}</td><td>${formatMs(t.latency.p50)}</td><td>${formatMs(t.latency.p99)}</td><td>${i === 0 ? 'reference' : delta(t.latency.p99, base.p99)}</td><td>${formatMs(t.latency.p999)}</td><td>${formatMs(t.latency.max)}</td></tr>`;
  });
  const targets = [...new Set(runs.map((run) => displayUrl(run.result.target.url)))];
  const header = `<header><h1>${runs.length} runs compared</h1><p class="meta">targets ${targets.map(escapeHtml).join(', ')}</p></header>`;
  const table = `<section id="comparison"><h2>Comparison</h2>
<table><thead><tr><th>run</th><th>scenario</th><th>verdict</th><th>started</th><th>requests</th><th>req/s</th><th>errors</th><th>p50 ms</th><th>p99 ms</th><th>p99 vs first</th><th>p99.9 ms</th><th>max ms</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<p class="caption">${runs.some((run) => run.reportPath) ? 'Each run name links to its own full report' : "Each run's own report is in its folder"}; percentiles come from each run's merged histogram, never averaged.</p></section>`;
  return renderPage('tailscope — runs compared', header, [{ html: table }, { chart: spectra }, { chart: load }], STYLE);
}

/**
 * A relative link made of path segments only: each segment percent-encoded (so a name cannot turn into a
 * scheme like javascript: or a query) and leading slashes dropped, so the link stays inside the folder.
 */
export function relativeHref(path: string): string {
  return path
    .split(/[\\/]/)
    .filter((part) => part && part !== '.' && part !== '..')
    .map(encodeURIComponent)
    .join('/');
}
