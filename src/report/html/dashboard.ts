import { createHash } from 'node:crypto';
import type { Analysis } from '../../analysis/types.js';
import type { RunResult } from '../../result/types.js';
import { chartLibraries } from './assets.js';
import { breakdownChart } from './charts/breakdown.js';
import { errorsOverTime } from './charts/errors-over-time.js';
import { latencyOverTime } from './charts/latency-over-time.js';
import { loadOverTime } from './charts/load-over-time.js';
import { isNoData, type ChartSpec } from './charts/types.js';
import { escapeHtml } from './escape.js';
import { STYLE } from './page.js';
import { verdictSection } from './sections.js';

/**
 * The live dashboard of a running scenario: the report's own charts (load vs achieved, latency percentiles over
 * time, errors by kind, the network/service split) and verdict, redrawn from each interval's update pushed over
 * Server-Sent Events, with a Stop button. Like the report it needs no network beyond its own server: the chart
 * libraries are inlined, and a Content-Security-Policy admits only this page's scripts (by hash) and
 * connections back to where it came from.
 */

/** The charts of the dashboard, in page order; each is drawn by the report's chart module of the same id. */
const CHARTS = [
  { id: 'load-over-time', title: 'Load and throughput over time', waiting: 'waiting for the first interval.' },
  { id: 'latency-over-time', title: 'Latency percentiles over time', waiting: 'waiting for the first completed request.' },
  { id: 'errors-over-time', title: 'Errors over time', waiting: 'no request has failed so far.' },
  { id: 'latency-breakdown', title: 'Where the time goes, per stage', waiting: 'no network/service split yet.' },
] as const;

type ChartId = (typeof CHARTS)[number]['id'];

/** One chart's state in an update: a spec to draw, or why there is nothing yet. */
export type LiveChart = { spec: ChartSpec; caption: string } | { noData: string };

/** What each interval pushes to the page (event `update`); HTML fields are escaped by the sections that build them. */
export interface DashboardUpdate {
  /** run time covered so far, seconds */
  elapsedSeconds: number;
  /** the scheduled length of the run, seconds */
  scheduledSeconds: number;
  requests: number;
  errors: number;
  charts: Record<ChartId, LiveChart>;
  verdictHtml: string;
  /** a capacity search's probes decided so far, one line each as the terminal prints them (plain text) */
  probes: string[];
}

/** The run so far, drawn by the report's chart and verdict code. */
export function dashboardUpdate(result: RunResult, analysis: Analysis, probes: readonly string[] = []): DashboardUpdate {
  const optional = (chart: ReturnType<typeof errorsOverTime>, waiting: string): LiveChart =>
    chart && !isNoData(chart) ? { spec: chart.spec, caption: chart.caption } : { noData: waiting };
  const either = (chart: ReturnType<typeof loadOverTime>): LiveChart =>
    isNoData(chart) ? { noData: chart.noData } : { spec: chart.spec, caption: chart.caption };
  return {
    elapsedSeconds: result.durationMs / 1000,
    scheduledSeconds: result.scheduledDurationMs / 1000,
    requests: result.totals.requests,
    errors: result.totals.errors,
    charts: {
      'load-over-time': either(loadOverTime(result)),
      'latency-over-time': either(latencyOverTime(result)),
      'errors-over-time': optional(errorsOverTime(result), CHARTS[2].waiting),
      'latency-breakdown': optional(breakdownChart(analysis), CHARTS[3].waiting),
    },
    verdictHtml: verdictSection(result, analysis.verdict),
    probes: [...probes],
  };
}

/**
 * Applies each update: re-embeds every chart (finalizing the previous view, so an hour of updates does not pile
 * up views), swaps the verdict, and counts updates on the body (data-updates) so a test can see it change.
 * `done` carries the final report's address; the event stream is closed first so that the server going away
 * afterwards is not a reconnect error. Stop sends the per-run token in a header, which a cross-origin page
 * cannot do without a CORS preflight the server never grants.
 */
const DASHBOARD_SCRIPT = `(function () {
  var root = document.getElementById('dashboard');
  var token = root.getAttribute('data-token');
  var views = {};
  var updates = 0;
  function text(id, value) { document.getElementById(id).textContent = value; }
  function draw(id, chart) {
    var host = document.getElementById('live-' + id);
    var caption = document.getElementById('caption-' + id);
    if (views[id]) { views[id].finalize(); delete views[id]; }
    if (chart.noData) {
      host.textContent = '';
      host.removeAttribute('data-rendered');
      caption.textContent = 'No data: ' + chart.noData;
      return;
    }
    caption.textContent = chart.caption;
    vegaEmbed(host, chart.spec, { actions: false, ast: true, renderer: 'svg' }).then(function (result) {
      views[id] = result.view;
      host.setAttribute('data-rendered', 'true');
    }).catch(function (error) {
      host.setAttribute('data-rendered', 'error');
      console.error('chart ' + id + ': ' + error);
    });
  }
  var source = new EventSource('events');
  source.addEventListener('update', function (event) {
    var update = JSON.parse(event.data);
    updates += 1;
    root.setAttribute('data-updates', String(updates));
    text('elapsed', update.elapsedSeconds.toFixed(0) + ' s of ' + update.scheduledSeconds.toFixed(0) + ' s');
    text('requests', String(update.requests));
    text('errors', String(update.errors));
    Object.keys(update.charts).forEach(function (id) { draw(id, update.charts[id]); });
    document.getElementById('verdict-live').innerHTML = update.verdictHtml;
    // A search's probes as they end, as text: each line says the load, the p99 and whether it kept the SLO.
    var list = document.getElementById('probe-list');
    list.textContent = '';
    update.probes.forEach(function (line) {
      var item = document.createElement('li');
      item.textContent = line;
      list.appendChild(item);
    });
    document.getElementById('probes').hidden = update.probes.length === 0;
  });
  source.addEventListener('done', function (event) {
    var done = JSON.parse(event.data);
    source.close();
    root.setAttribute('data-state', 'done');
    text('state', done.interrupted ? 'stopped' : 'finished');
    document.getElementById('stop').disabled = true;
    var link = document.getElementById('report-link');
    link.href = done.reportUrl;
    link.hidden = false;
    text('report-path', done.reportPath);
  });
  document.getElementById('stop').addEventListener('click', function () {
    var button = document.getElementById('stop');
    button.disabled = true;
    fetch('stop', { method: 'POST', headers: { 'x-tailscope-token': token } }).then(function (response) {
      text('state', response.ok ? 'stopping: writing the report of what ran' : 'stop refused (' + response.status + ')');
      if (!response.ok) button.disabled = false;
    }).catch(function (error) {
      button.disabled = false;
      console.error('stop: ' + error);
    });
  });
})();`;

const DASHBOARD_STYLE = `
.status { display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap; } .status b { font-variant-numeric: tabular-nums; }
button#stop { padding: 0.4rem 1.2rem; font-weight: 700; color: #fff; background: #b42318; border: 0; border-radius: 4px; cursor: pointer; }
button#stop:disabled { background: #6e7781; cursor: default; }
`;

/**
 * The page, before any interval: every chart waits for its first update. `token` is the per-run secret the Stop
 * button sends back; the page is only served to the loopback origin the server checks.
 */
export function renderDashboardPage(scenarioName: string, token: string): string {
  const scripts = [...chartLibraries(), DASHBOARD_SCRIPT];
  const hashes = scripts.map((script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  const csp = `default-src 'none'; script-src ${hashes.join(' ')}; style-src 'unsafe-inline'; img-src data:; connect-src 'self'`;
  const sections = CHARTS.map(
    ({ id, title, waiting }) => `<section class="chart" id="${id}"><h2>${escapeHtml(title)}</h2>
<p class="caption" id="caption-${id}">No data: ${escapeHtml(waiting)}</p>
<div class="live" id="live-${id}"></div>
</section>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`tailscope live — ${scenarioName}`)}</title>
<style>${STYLE}${DASHBOARD_STYLE}</style>
</head>
<body id="dashboard" data-token="${escapeHtml(token)}" data-state="running" data-updates="0">
<header>
<h1>${escapeHtml(scenarioName)}</h1>
<div class="status">
<span>state: <b id="state">running</b></span>
<span>time: <b id="elapsed">–</b></span>
<span>requests: <b id="requests">0</b></span>
<span>errors: <b id="errors">0</b></span>
<button id="stop" type="button">Stop the run</button>
<a id="report-link" hidden>final report</a> <span class="meta" id="report-path"></span>
</div>
</header>
<div id="verdict-live"><section id="verdict"><h2>Verdict</h2><p class="caption">Judged as the intervals arrive.</p></section></div>
<section id="probes" hidden><h2>Capacity search: probes so far</h2><ol id="probe-list"></ol></section>
${sections.join('\n')}
${scripts.map((script) => `<script>${script}</script>`).join('\n')}
</body>
</html>
`;
}
