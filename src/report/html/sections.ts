import { flowRows, jobRows } from '../views/flows.js';
import { errorReasons } from '../views/error-reasons.js';
import { checkRows as checkRowsOf, checksOverall } from '../views/checks.js';
import type { Analysis } from '../../analysis/types.js';
import type { RunResult } from '../../result/types.js';
import { redactScenario } from '../../scenario/redact.js';
import { escapeHtml } from './escape.js';
import { errorCategories } from '../views/errors.js';
import { displayUrl, formatCores, formatMs, formatPercent, formatRate, formatShare } from '../views/format.js';
import type { Verdict, VerdictCheck } from '../../analysis/types.js';
import { STATUS_WORD } from '../../analysis/verdict.js';
import { levelsView } from '../views/levels.js';

/** The HTML pieces of a single-run page that are not charts. Every run-supplied string goes through escapeHtml. */

export function headerSection(result: RunResult): string {
  const mock = result.target.mock
    ? ` (mock profile ${escapeHtml(result.target.mock.profile)}, seed ${escapeHtml(result.target.mock.seed)})`
    : '';
  return `<header>
<h1>${escapeHtml(result.scenario.name)}</h1>
<p class="meta">${escapeHtml(result.startedAt)} · target ${escapeHtml(displayUrl(result.target.url))}${mock} · ${escapeHtml(result.model)} model · engine ${escapeHtml(result.engine)} · ${escapeHtml((result.durationMs / 1000).toFixed(1))} s · ${escapeHtml(result.health.workers)} workers</p>
</header>`;
}

function checkRows(checks: VerdictCheck[]): string {
  return checks
    .map((c) => {
      const mark =
        c.pass === null
          ? '<span class="warn">not evaluated</span>'
          : c.pass
            ? '<span class="good">pass</span>'
            : '<span class="bad">fail</span>';
      return `<tr><td>${escapeHtml(c.name)}</td><td>${mark}</td><td>${escapeHtml(c.observed)}</td><td>${escapeHtml(c.limit)}</td></tr>`;
    })
    .join('\n');
}

export function verdictSection(result: RunResult, verdict: Verdict): string {
  const notes: string[] = [];
  const { validity } = verdict;
  if (!validity.valid)
    notes.push(
      `<p class="bad"><strong>Invalid run:</strong> ${validity.reasons.map(escapeHtml).join('; ') || 'the generator did not keep up'}. The figures below do not describe the target.</p>`,
    );
  if (validity.interrupted)
    notes.push('<p class="warn"><strong>Interrupted:</strong> the run was stopped early; these figures cover what completed.</p>');
  if (validity.abortedBy) notes.push(`<p class="bad"><strong>Stopped by abortOnFail:</strong> ${escapeHtml(validity.abortedBy)}</p>`);
  for (const warning of validity.warnings) notes.push(`<p class="warn">${escapeHtml(warning)}</p>`);
  if (result.model === 'closed')
    notes.push(
      '<p class="caption">Closed model: each virtual user sends its next request when the previous one ends, so latency is measured at a concurrency, not under an arrival rate.</p>',
    );
  const checks = verdict.checks;
  const table = checks.length
    ? `<table id="checks"><thead><tr><th>check</th><th>verdict</th><th>observed</th><th>limit</th></tr></thead><tbody>${checkRows(checks)}</tbody></table>`
    : '<p class="caption">The scenario sets no thresholds or SLO.</p>';
  return `<section id="verdict"><h2>Verdict <span class="badge ${verdict.status}">${STATUS_WORD[verdict.status]}</span></h2>
${levelsTable(result.totals)}
${table}
${notes.join('\n')}
${generatorSection(result)}
</section>`;
}

function generatorSection(result: RunResult): string {
  const h = result.health;
  const socketErrors =
    Object.entries(h.socketErrors)
      .map(([k, n]) => `${escapeHtml(k)} ${n}`)
      .join(', ') || 'none';
  return `<table class="kv" id="generator">
<tr><th>generator</th><td class="${h.valid ? 'good' : 'bad'}">${h.valid ? 'healthy: the figures measure the target' : 'saturated'}</td><th>workers</th><td>${h.workers}</td></tr>
<tr><th>event-loop delay p99 / max</th><td>${formatMs(h.eventLoopDelayMs.p99)} / ${formatMs(h.eventLoopDelayMs.max)} ms</td><th>event loop busy (utilization) mean / max</th><td>${formatShare(h.eventLoopUtilization?.mean)} / ${formatShare(h.eventLoopUtilization?.max)}</td></tr>
<tr><th>worker thread CPU mean / max</th><td>${formatShare(h.threadCpu?.mean)} / ${formatShare(h.threadCpu?.max)}${h.threadCpu ? '' : ' (no per-thread CPU clock on this Node)'}</td><th>process CPU mean / max${result.target.mock ? ' (mock included)' : ''}</th><td>${formatCores(h.processCpu?.meanCores, h.processCpu?.availableCores)} / ${formatCores(h.processCpu?.maxCores, h.processCpu?.availableCores)}</td></tr>
<tr><th>schedule lag p99 / max</th><td>${formatMs(h.scheduleLagMs.p99)} / ${formatMs(h.scheduleLagMs.max)} ms</td><th>socket errors</th><td>${socketErrors}</td></tr>
${h.gc ? `<tr><th>load-thread GC pauses total / max</th><td>${formatMs(h.gc.pauseTotalMs)} / ${formatMs(h.gc.pauseMaxMs)} ms</td><th>collections (full)</th><td>${h.gc.collections} (${h.gc.majorCollections})</td></tr>\n` : ''}</table>`;
}

export function totalsSection(result: RunResult, analysis: Analysis): string {
  const t = result.totals;
  const split = analysis.split;
  const c = t.counters;
  return `<section id="totals"><h2>Totals</h2>
<table class="kv">
<tr><th>requests</th><td>${t.requests}</td><th>throughput</th><td>${formatRate(t.throughput)} req/s</td></tr>
<tr><th>errors</th><td>${t.errors} (${formatPercent(t.errorRate)})</td><th>mean concurrency</th><td>${t.achievedConcurrency.toFixed(1)}</td></tr>
<tr><th>p50 / p90 / p99</th><td>${formatMs(t.latency.p50)} / ${formatMs(t.latency.p90)} / ${formatMs(t.latency.p99)} ms</td><th>p99.9 / max</th><td>${formatMs(t.latency.p999)} / ${formatMs(t.latency.max)} ms</td></tr>
<tr><th>network p50 / p99</th><td>${formatMs(split.network?.p50)} / ${formatMs(split.network?.p99)} ms</td><th>service p50 / p99</th><td>${formatMs(split.service?.p50)} / ${formatMs(split.service?.p99)} ms</td></tr>
${warmupRow(result)}<tr><th>retries</th><td>${c.retries}</td><th>rate-limited (429) / token refreshes</th><td>${c.rateLimited} / ${c.authRefreshes}</td></tr>
</table>
<p class="caption">${split.method === 'none' ? `No network vs service split: ${escapeHtml(split.reason)}.` : `Network vs service split by ${escapeHtml(split.method)}${split.method === 'rtt-bound' ? ' (no server timing: network is bounded by one connect round trip)' : ' (the server reported its own time per response)'}.`}${split.growth.component !== 'none' ? ` As load grew, ${escapeHtml(split.growth.component)} time grew the most.` : ''}</p>
</section>`;
}

/** The first table: attempts (the wire's view) and calls (the caller's), and what retries and waits added. */
function levelsTable(totals: RunResult['totals']): string {
  const view = levelsView(totals);
  if (!view) return '';
  const rows = view.rows
    .map(
      (r) =>
        `<tr><th>${r.level}</th><td>${r.count}</td><td>${r.failed}</td><td>${formatPercent(r.errorRate)}</td><td>${formatMs(r.p50)}</td><td>${formatMs(r.p99)}</td><td>${formatMs(r.max)}</td></tr>`,
    )
    .join('');
  return `<table id="levels"><thead><tr><th>level</th><th>count</th><th>failed</th><th>error rate</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr></thead><tbody>${rows}</tbody></table>
<p class="caption">${escapeHtml(view.added)} ${escapeHtml(view.outcomes)}</p>${view.rateLimited ? `\n<p class="caption bad" id="rate-limited">${escapeHtml(view.rateLimited)}</p>` : ''}`;
}

/** The warm-up beside the totals: what the first requests cost, and proof that they are not in the figures. */
function warmupRow(result: RunResult): string {
  const w = result.warmup;
  if (!w) return '';
  return `<tr id="warmup"><th>warm-up (before time zero, not in the totals)</th><td>${w.requests} requests in ${escapeHtml((w.durationMs / 1000).toFixed(1))} s, errors ${formatPercent(w.errorRate)}</td><th>warm-up p50 / p99</th><td>${formatMs(w.latency.p50)} / ${formatMs(w.latency.p99)} ms</td></tr>\n`;
}

export function stagesSection(result: RunResult, analysis: Analysis): string {
  const unit = result.model === 'open' ? '/s' : '';
  const rows = result.stages.map((stage, i) => {
    const split = analysis.stages[i]?.split;
    const target = stage.targetFrom === stage.target ? `${stage.target}` : `${stage.targetFrom}→${stage.target}`;
    return `<tr><td>${escapeHtml(stage.name)}</td><td>${escapeHtml(target)}${unit}</td><td>${stage.achievedConcurrency.toFixed(1)}</td><td>${stage.requests}</td><td>${formatRate(stage.throughput)}</td><td>${formatPercent(stage.errorRate)}</td><td>${formatMs(stage.latency.p50)}</td><td>${formatMs(stage.latency.p90)}</td><td>${formatMs(stage.latency.p99)}</td><td>${formatMs(stage.latency.max)}</td><td>${split ? formatMs(split.network.p50) : '–'}</td><td>${split?.queue ? formatMs(split.queue.p50) : '–'}</td><td>${split ? formatMs(split.service.p50) : '–'}</td></tr>`;
  });
  return `<section id="stages"><h2>Stages</h2>
<table><thead><tr><th>stage</th><th>target</th><th>concurrency</th><th>requests</th><th>req/s</th><th>errors</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>network p50</th><th>queue p50</th><th>service p50</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

/**
 * A capacity search opens the capacity part of the page: its one sentence (capacity, bracket, p99 at the highest
 * pass), then every probe as the run decided it.
 */
export function capacitySearchSection(analysis: Analysis): string {
  const atSlo = analysis.capacity.atSlo;
  if (!atSlo) return '';
  const unit = atSlo.unit === 'users' ? ' users' : '/s';
  const mark = { pass: '✓ pass', fail: '✗ fail', generator: 'generator-bound' } as const;
  const rows = atSlo.probes.map((p) => {
    const how = p.early ? 'ended early' : p.extended ? 'held longer' : '';
    const p99 = p.p99Ms ? `${formatMs(p.p99Ms.value)} [${formatMs(p.p99Ms.low)}, ${formatMs(p.p99Ms.high)}]` : '–';
    return `<tr><td>${p.probe}</td><td>${p.load}${unit}</td><td>${mark[p.verdict]}</td><td>${p99}</td><td>${formatPercent(p.errorRate.value)}</td><td>${p.requests}</td><td>${how}</td><td>${escapeHtml(p.reason)}</td></tr>`;
  });
  return `<section id="capacity-search"><h2>Capacity at SLO</h2>
<p class="headline">${escapeHtml(atSlo.sentence)}</p>
<table><thead><tr><th>probe</th><th>load</th><th>verdict</th><th>p99 ms [95% interval]</th><th>errors</th><th>requests</th><th></th><th>why</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></section>`;
}

export function capacityNotes(analysis: Analysis): string {
  const capacity = analysis.capacity;
  const lines: string[] = [];
  if (capacity.knee)
    lines.push(
      `Knee at ${escapeHtml(capacity.knee.name)} (load ${capacity.knee.load.toFixed(1)}, ${formatRate(capacity.knee.throughput)} req/s): ${escapeHtml(capacity.knee.rule)}.`,
    );
  if (capacity.usl) {
    const u = capacity.usl;
    const peak =
      u.peakConcurrency !== null
        ? `peak ≈ ${u.peakThroughput?.toFixed(1)} req/s at ${u.peakConcurrency.toFixed(1)} in flight`
        : u.peakThroughput !== null
          ? `levels off near ${u.peakThroughput.toFixed(1)} req/s`
          : 'linear over the tested range';
    lines.push(
      `USL fit: σ = ${u.sigma.toFixed(4)}, κ = ${u.kappa.toFixed(5)}, λ = ${u.lambda.toFixed(2)} req/s, R² = ${u.r2.toFixed(3)} over ${u.points} points; ${peak}.`,
    );
  }
  if (capacity.goodput.bestPerSec > 0) lines.push(`Best SLO goodput: ${formatRate(capacity.goodput.bestPerSec)} req/s.`);
  if (capacity.littlesLaw.broken.length > 0)
    lines.push(`Little's law does not hold in ${capacity.littlesLaw.broken.length} stage(s): requests were lost or counted twice there.`);
  for (const warning of capacity.warnings) lines.push(escapeHtml(warning));
  return lines.length ? `<section id="capacity-notes">${lines.map((l) => `<p class="caption">${l}</p>`).join('\n')}</section>` : '';
}

export function errorsSection(result: RunResult): string {
  const categories = errorCategories(result.totals.errorsByKind);
  if (categories.length === 0) return '<section id="errors"><h2>Errors</h2><p>None.</p></section>';
  const byName = Object.values(result.requestsByName)
    .filter((r) => r.errors > 0)
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.name)}</td><td>${r.errors}</td><td>${formatPercent(r.errorRate)}</td><td>${errorCategories(r.errorsByKind)
          .map(([k, n]) => `${escapeHtml(k)} ${n}`)
          .join(', ')}</td></tr>`,
    );
  const reasons = errorReasons(result.totals.errorsByKind).map(
    ([kind, count, message]) =>
      `<li><b>${escapeHtml(kind)}</b> ${count}${message ? `, first: <code>${escapeHtml(message)}</code>` : ''}</li>`,
  );
  return `<section id="errors"><h2>Errors</h2>
<ul class="reasons">${reasons.join('')}</ul>
<table><thead><tr><th>status or kind</th><th>count</th><th>share of requests</th></tr></thead><tbody>${categories.map(([k, n]) => `<tr><td>${escapeHtml(k)}</td><td>${n}</td><td>${formatPercent(n / Math.max(result.totals.requests, 1))}</td></tr>`).join('')}</tbody></table>
${byName.length ? `<table><thead><tr><th>request</th><th>errors</th><th>rate</th><th>by status or kind</th></tr></thead><tbody>${byName.join('')}</tbody></table>` : ''}
</section>`;
}

/** Response checks per request: passes, fails and the first failure's reason (the target's words, escaped). */
export function checksSection(result: RunResult): string {
  const rows = checkRowsOf(result);
  if (rows.length === 0) return '';
  const overall = checksOverall(result);
  const body = rows
    .map(
      (row) =>
        `<tr><td>${escapeHtml(row.request)}</td><td><code>${escapeHtml(row.label)}</code></td><td>${row.passes}</td><td>${row.fails}</td><td>${formatPercent(row.passShare)}</td><td>${row.firstFailure !== undefined ? `<code>${escapeHtml(row.firstFailure)}</code>` : ''}</td></tr>`,
    )
    .join('');
  return `<section id="response-checks"><h2>Response checks</h2>
<p class="caption">${overall.passes} of ${overall.evaluated} checks passed (${formatPercent(overall.evaluated > 0 ? overall.passes / overall.evaluated : 0)}). Checks run on every complete response; a failed one fails a response whose status was accepted, as kind <code>check</code>.</p>
<table><thead><tr><th>request</th><th>check</th><th>passed</th><th>failed</th><th>pass rate</th><th>first failure</th></tr></thead><tbody>${body}</tbody></table></section>`;
}

export function requestsSection(result: RunResult): string {
  const rows = Object.values(result.requestsByName).map(
    (r) =>
      `<tr><td>${escapeHtml(r.name)}</td><td>${r.requests}</td><td>${formatRate(r.throughput)}</td><td>${formatPercent(r.errorRate)}</td><td>${formatMs(r.latency.p50)}</td><td>${formatMs(r.latency.p99)}</td><td>${formatMs(r.latency.max)}</td></tr>`,
  );
  return `<section id="requests"><h2>Requests by name</h2>
<table><thead><tr><th>request</th><th>requests</th><th>req/s</th><th>errors</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** Flows and async jobs, when the scenario had them (an empty string otherwise: no empty section). */
export function flowsSection(analysis: Analysis): string {
  const flows = flowRows(analysis);
  const jobs = jobRows(analysis);
  if (flows.length === 0 && jobs.length === 0) return '';
  const cells = (values: string[]) => values.map((v) => `<td>${escapeHtml(v)}</td>`).join('');
  const flowTable = flows.length
    ? `<table><thead><tr><th>flow</th><th>iterations</th><th>completed</th><th>failed</th><th>most failed at</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr></thead><tbody>${flows
        .map((f) => `<tr>${cells([f.name, f.iterations, f.completed, f.failed, f.failedAt, f.p50, f.p99, f.max])}</tr>`)
        .join('')}</tbody></table>`
    : '';
  const jobTable = jobs.length
    ? `<table><thead><tr><th>async step</th><th>mode</th><th>jobs</th><th>done</th><th>failed / expired / lost</th><th>completion p50 ms</th><th>completion p99 ms</th><th>polls per job</th></tr></thead><tbody>${jobs
        .map(
          (j) =>
            `<tr>${cells([j.name, j.mode, j.submitted, j.done, j.failedExpiredLost, j.completionP50, j.completionP99, j.pollsPerJob])}</tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  return `<section id="flows"><h2>Flows and async jobs</h2>
<p class="caption">Flow latency: first step's send to the end of the last step, think time between steps included. Completion: the submitting step's send to the poll that saw the job final (or the callback's arrival), done jobs only.</p>
${flowTable}${jobTable}</section>`;
}

export function scenarioSection(result: RunResult): string {
  return `<section id="scenario"><h2>Scenario as run</h2><p class="caption">Secrets are shown as [redacted].</p><pre>${escapeHtml(JSON.stringify(redactScenario(result.scenario.definition), null, 2))}</pre></section>`;
}
