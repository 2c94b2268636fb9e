import { createHash } from 'node:crypto';
import type { RunResult } from '../result/types.js';
import type { Analysis } from '../analysis/types.js';
import { chartLibraries } from './assets.js';
import { escapeHtml, jsonForScript } from './escape.js';
import { renderSvg } from './svg.js';
import type { Chart } from './charts/types.js';
import { latencyOverTime } from './charts/latency-over-time.js';
import { loadOverTime } from './charts/load-over-time.js';
import { latencyVsLoad } from './charts/latency-vs-load.js';

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));

/**
 * The self-contained report page. Every value from the run (names, URLs, bodies) is escaped; chart data
 * sits in JSON with `<` escaped; a Content-Security-Policy allows only this page's own scripts (by hash),
 * so even a string that slipped through escaping could not run.
 */
export async function renderHtml(result: RunResult, analysis: Analysis): Promise<string> {
  const charts: Chart[] = [loadOverTime(result), latencyOverTime(result), latencyVsLoad(result)];
  const svgs = await Promise.all(charts.map((chart) => renderSvg(chart.spec)));

  const embedScript = `(function () {
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  Object.keys(specs).forEach(function (id) {
    var host = document.getElementById('live-' + id);
    // ast: true evaluates expressions without eval, as the Content-Security-Policy requires.
    vegaEmbed(host, specs[id], { actions: false, ast: true, renderer: 'svg' }).then(function () {
      var fallback = document.getElementById('static-' + id);
      if (fallback) fallback.hidden = true;
    }).catch(function (error) { console.warn('chart ' + id + ': ' + error); });
  });
})();`;
  const scripts = [...chartLibraries(), embedScript];
  const hashes = scripts.map((script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  const csp = `default-src 'none'; script-src ${hashes.join(' ')}; style-src 'unsafe-inline'; img-src data:`;
  const specs = Object.fromEntries(charts.map((chart) => [chart.id, chart.spec]));

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tailscope — ${escapeHtml(result.scenario.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(result.scenario.name)}</h1>
<p class="meta">${escapeHtml(result.startedAt)} · target ${escapeHtml(result.target.url)}${result.target.mock ? ` (mock profile ${escapeHtml(result.target.mock.profile)}, seed ${escapeHtml(result.target.mock.seed)})` : ''} · ${escapeHtml(result.model)} model · engine ${escapeHtml(result.engine)} · ${escapeHtml((result.durationMs / 1000).toFixed(1))} s</p>
</header>
${verdictSection(result)}
${totalsSection(result, analysis)}
${charts.map((chart, i) => chartSection(chart, svgs[i])).join('\n')}
${stagesSection(result, analysis)}
${errorsSection(result)}
<section><h2>Scenario as run</h2><p class="caption">Secrets are shown as [redacted].</p><pre>${escapeHtml(JSON.stringify(result.scenario.definition, null, 2))}</pre></section>
<script type="application/json" id="chart-specs">${jsonForScript(specs)}</script>
${scripts.map((script) => `<script>${script}</script>`).join('\n')}
</body>
</html>
`;
}

function verdictSection(result: RunResult): string {
  const notes: string[] = [];
  if (!result.health.valid) notes.push(`<p class="bad"><strong>Invalid run:</strong> ${result.health.reasons.map(escapeHtml).join('; ')}</p>`);
  if (result.interrupted) notes.push('<p class="warn"><strong>Interrupted:</strong> the run was stopped early; these figures cover what completed.</p>');
  if (result.model === 'closed') notes.push('<p class="caption">Closed model: each virtual user sends its next request when the previous one ends, so latency is measured at a concurrency, not under an arrival rate.</p>');
  if (notes.length === 0) notes.push('<p class="good">Generator healthy: the figures below measure the target, not the load generator.</p>');
  return `<section id="verdict"><h2>Verdict</h2>${notes.join('\n')}</section>`;
}

function totalsSection(result: RunResult, analysis: Analysis): string {
  const t = result.totals;
  const split = analysis.split;
  return `<section id="totals"><h2>Totals</h2>
<table class="kv">
<tr><th>requests</th><td>${t.requests}</td><th>throughput</th><td>${t.throughput.toFixed(1)} req/s</td></tr>
<tr><th>errors</th><td>${t.errors} (${(t.errorRate * 100).toFixed(2)}%)</td><th>mean concurrency</th><td>${t.achievedConcurrency.toFixed(1)}</td></tr>
<tr><th>p50 / p90 / p99</th><td>${ms(t.latency.p50)} / ${ms(t.latency.p90)} / ${ms(t.latency.p99)} ms</td><th>p99.9 / max</th><td>${ms(t.latency.p999)} / ${ms(t.latency.max)} ms</td></tr>
<tr><th>network p50 / p99</th><td>${ms(split.network.p50)} / ${ms(split.network.p99)} ms</td><th>service p50 / p99</th><td>${ms(split.service.p50)} / ${ms(split.service.p99)} ms</td></tr>
</table>
<p class="caption">Network vs service split by ${escapeHtml(split.method)}${split.method === 'rtt-bound' ? ' (no server timing: network is bounded by one connect round trip)' : ' (the server reported its own time per response)'}.</p>
</section>`;
}

function chartSection(chart: Chart, svg: string | undefined): string {
  return `<section class="chart" id="${escapeHtml(chart.id)}"><h2>${escapeHtml(chart.title)}</h2>
<p class="caption">${escapeHtml(chart.caption)}</p>
<div class="live" id="live-${escapeHtml(chart.id)}"></div>
${svg ? `<div class="static" id="static-${escapeHtml(chart.id)}">${svg}</div>` : ''}
</section>`;
}

function stagesSection(result: RunResult, analysis: Analysis): string {
  const unit = result.model === 'open' ? '/s' : '';
  const rows = result.stages.map((stage, i) => {
    const split = analysis.stages[i]?.split;
    return `<tr><td>${escapeHtml(stage.name)}</td><td>${stage.targetFrom === stage.target ? stage.target : `${stage.targetFrom}→${stage.target}`}${unit}</td><td>${stage.achievedConcurrency.toFixed(1)}</td><td>${stage.requests}</td><td>${stage.throughput.toFixed(1)}</td><td>${(stage.errorRate * 100).toFixed(2)}%</td><td>${ms(stage.latency.p50)}</td><td>${ms(stage.latency.p90)}</td><td>${ms(stage.latency.p99)}</td><td>${ms(stage.latency.max)}</td><td>${split ? ms(split.network.p50) : '–'}</td><td>${split ? ms(split.service.p50) : '–'}</td></tr>`;
  });
  return `<section id="stages"><h2>Stages</h2>
<table><thead><tr><th>stage</th><th>target</th><th>concurrency</th><th>requests</th><th>req/s</th><th>errors</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>network p50</th><th>service p50</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

function errorsSection(result: RunResult): string {
  const { byKind, byStatus } = result.totals.errorsByKind;
  const kinds = Object.entries(byKind);
  const statuses = Object.entries(byStatus);
  if (kinds.length === 0 && statuses.length === 0) return '<section id="errors"><h2>Errors</h2><p>None.</p></section>';
  return `<section id="errors"><h2>Errors</h2>
<table><thead><tr><th>kind</th><th>count</th></tr></thead><tbody>${kinds.map(([k, n]) => `<tr><td>${escapeHtml(k)}</td><td>${n}</td></tr>`).join('')}</tbody></table>
${statuses.length ? `<table><thead><tr><th>status</th><th>count</th></tr></thead><tbody>${statuses.map(([s, n]) => `<tr><td>${escapeHtml(s)}</td><td>${n}</td></tr>`).join('')}</tbody></table>` : ''}
</section>`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #222; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
.meta, .caption { color: #666; } .good { color: #1a7f37; } .bad { color: #b42318; } .warn { color: #9a6700; }
table { border-collapse: collapse; margin: 0.5rem 0; } td, th { padding: 0.25rem 0.6rem; border-bottom: 1px solid #eee; text-align: right; }
th { color: #555; font-weight: 600; } td:first-child, th:first-child { text-align: left; }
table.kv th { text-align: left; } pre { background: #f6f8fa; padding: 1rem; overflow: auto; }
.static svg { max-width: 100%; height: auto; }
`;
