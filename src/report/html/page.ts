import { createHash } from 'node:crypto';
import { chartLibraries } from './assets.js';
import { escapeHtml, jsonForScript } from './escape.js';
import { renderSvg } from './svg.js';
import type { Chart } from './charts/types.js';

/** A piece of the page: ready HTML (already escaped by whoever built it), or a chart to embed. */
export type Block = { html: string } | { chart: Chart };

/**
 * Marks each live container when vega-embed has finished (data-rendered="true") or failed ("error"), and only
 * then hides the static fallback: a test, or a reader, can tell a live chart from the pre-rendered one.
 * A failure goes to console.error so it is never silent.
 */
const EMBED_SCRIPT = `(function () {
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  Object.keys(specs).forEach(function (id) {
    var host = document.getElementById('live-' + id);
    // ast: true evaluates expressions without eval, as the Content-Security-Policy requires.
    vegaEmbed(host, specs[id], { actions: false, ast: true, renderer: 'svg' }).then(function () {
      host.setAttribute('data-rendered', 'true');
      var fallback = document.getElementById('static-' + id);
      if (fallback) fallback.hidden = true;
    }).catch(function (error) {
      host.setAttribute('data-rendered', 'error');
      console.error('chart ' + id + ': ' + error);
    });
  });
})();`;

/**
 * The self-contained page around the blocks. Every value from the run is escaped by the block builders;
 * chart data sits in JSON with `<` escaped; a Content-Security-Policy allows only this page's own scripts
 * (by hash), so even a string that slipped through escaping could not run.
 */
export async function renderPage(title: string, header: string, blocks: Block[], style: string): Promise<string> {
  const charts = blocks.flatMap((block) => ('chart' in block ? [block.chart] : []));
  const svgs = new Map(await Promise.all(charts.map(async (chart) => [chart.id, await renderSvg(chart.spec)] as const)));
  const scripts = [...chartLibraries(), EMBED_SCRIPT];
  const hashes = scripts.map((script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  const csp = `default-src 'none'; script-src ${hashes.join(' ')}; style-src 'unsafe-inline'; img-src data:`;
  const specs = Object.fromEntries(charts.map((chart) => [chart.id, chart.spec]));
  const body = blocks.map((block) => ('chart' in block ? chartSection(block.chart, svgs.get(block.chart.id)) : block.html));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
${header}
${body.join('\n')}
<script type="application/json" id="chart-specs">${jsonForScript(specs)}</script>
${scripts.map((script) => `<script>${script}</script>`).join('\n')}
</body>
</html>
`;
}

function chartSection(chart: Chart, svg: string | undefined): string {
  const id = escapeHtml(chart.id);
  return `<section class="chart" id="${id}"><h2>${escapeHtml(chart.title)}</h2>
<p class="caption">${escapeHtml(chart.caption)}</p>
<div class="live" id="live-${id}"></div>
${svg ? `<div class="static" id="static-${id}">${svg}</div>` : ''}
</section>`;
}

export const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1000px; color: #222; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; overflow-wrap: anywhere; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
.meta, .caption { color: #666; overflow-wrap: anywhere; } .good { color: #1a7f37; } .bad { color: #b42318; } .warn { color: #9a6700; }
.badge { display: inline-block; padding: 0.2rem 0.7rem; border-radius: 4px; color: #fff; font-weight: 700; }
.badge.pass { background: #1a7f37; } .badge.fail, .badge.invalid { background: #b42318; } .badge.interrupted { background: #9a6700; } .badge.unchecked { background: #6e7781; }
table { border-collapse: collapse; margin: 0.5rem 0; } td, th { padding: 0.25rem 0.6rem; border-bottom: 1px solid #eee; text-align: right; }
th { color: #555; font-weight: 600; } td:first-child, th:first-child { text-align: left; overflow-wrap: anywhere; }
table.kv th { text-align: left; } td.rule { text-align: left; color: #555; font-size: 0.92em; } th.rule { text-align: left; }
table.advice td:first-child, table.advice th:first-child { white-space: nowrap; overflow-wrap: normal; }
pre { background: #f6f8fa; padding: 1rem; overflow: auto; } h3 { margin-bottom: 0.3rem; }
.static svg { max-width: 100%; height: auto; }
`;
