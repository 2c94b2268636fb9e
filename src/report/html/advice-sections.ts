import type { Analysis, ReplayResult, ResilienceAdvice, TimeoutAdvice } from '../../analysis/types.js';
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
import { escapeHtml } from './escape.js';
import { formatMs, formatPercent } from '../views/format.js';
import type { TimeoutView } from '../views/run.js';

/** The advice parts of the page: timeouts, retries and resilience, and the what-if replay. Every string is escaped. */

const warningsHtml = (warnings: readonly string[]) => warnings.map((w) => `<p class="warn">${escapeHtml(w)}</p>`).join('\n');

export function timeoutsSection(analysis: Analysis, view: TimeoutView | undefined): string {
  const advice = analysis.timeouts;
  const rows = advice.recommended.map(
    (c) =>
      `<tr${c.lowerBound ? ' class="lower-bound"' : ''}><td>${escapeHtml(c.phase)}</td><td>${escapeHtml(timeoutValue(c))}</td><td>${escapeHtml(timeoutCutText(c))}</td><td>${escapeHtml(timeoutReading(c))}</td><td>${escapeHtml(c.metric)}</td><td>${c.samples}</td><td>${formatMs(c.meanPlus2Sd.timeoutMs)} ms (cuts ${formatPercent(c.meanPlus2Sd.cutShare, 3)})</td><td class="rule">${escapeHtml(c.method)}</td></tr>`,
  );
  const table = rows.length
    ? `<table id="timeouts-table" class="advice"><thead><tr><th>phase</th><th>timeout</th><th>cuts</th><th>data</th><th>from</th><th>samples</th><th>mean+2σ instead</th><th class="rule">how</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>
<p class="caption">${escapeHtml(advice.rule)} Recommendations ${escapeHtml(timeoutBasis(advice))}.</p>`
    : `<p class="caption">No timeout recommendations in this analysis${view?.reference ? '; the chart marks p99 and p99.9 of total latency for reference' : ''}.</p>`;
  return `<section id="timeouts"><h2>Timeout recommendations</h2>${table}${warningsHtml(advice.warnings)}${timeoutsByLevel(advice, analysis.run.model)}${timeoutsByRequest(advice)}</section>`;
}

/** Per request name and transport: a streamed request has its own first-token and idle timeouts. */
function timeoutsByRequest(advice: TimeoutAdvice): string {
  const table = requestAdviceTable(advice);
  if (table.rows.length === 0 || table.phases.length === 0) return '';
  const head = ['request', 'transport', ...table.phases, 'retry after a timeout'].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = table.rows
    .map((r) => `<tr>${[r.request, r.transport, ...r.cells, r.retryOnTimeout].map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  const warnings = requestWarnings(advice);
  return `<h3>By request</h3>
<table id="timeouts-by-request" class="advice"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>
<p class="caption">The same rule on each request name's own values; ≥ marks a floor (censored data or too few values).</p>
${warningsHtml(warnings)}`;
}

/** The same rule at light, nominal and knee load: how much a timeout read at one load level moves with load. */
function timeoutsByLevel(advice: TimeoutAdvice, model: Analysis['run']['model']): string {
  const table = timeoutLevelTable(advice, model);
  if (table.rows.length === 0 || table.phases.length === 0) return '';
  const head = ['level', 'stage', table.loadTitle, 'req/s', ...table.phases].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = table.rows
    .map((r) => `<tr>${[r.level, r.stage, r.load, r.throughput, ...r.cells].map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<h3>By load level</h3>
<table id="timeouts-by-level" class="advice"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>
<p class="caption">${table.rows.length === 1 ? 'The run had one load level: read at it.' : 'The same rule read at each load level: a timeout taken from light load cuts more once load reaches the knee.'}</p>`;
}

/** Generated from measured numbers, yet escaped like everything else: analysis.json is a file anyone can edit. */
function codeBlock(id: string, title: string, language: string, code: string): string {
  return `<h3>${escapeHtml(title)}</h3>
<pre id="${escapeHtml(id)}"><code class="language-${escapeHtml(language)}">${escapeHtml(code)}</code></pre>`;
}

export function resilienceSection(r: ResilienceAdvice): string {
  const rows = resilienceRows(r)
    .map(
      (row) => `<tr><td>${escapeHtml(row.setting)}</td><td>${escapeHtml(row.value)}</td><td class="rule">${escapeHtml(row.rule)}</td></tr>`,
    )
    .join('\n');
  return `<section id="resilience"><h2>Retries and resilience</h2>
<table id="resilience-table" class="advice"><thead><tr><th>setting</th><th>value</th><th class="rule">rule</th></tr></thead><tbody>${rows}</tbody></table>
${warningsHtml(r.warnings)}
<p class="caption">Ready to paste, with the timeouts above and these figures.</p>
${snippetBlocks(r)
  .map((b) => codeBlock(b.id, b.title, b.language, b.code))
  .join('\n')}
</section>`;
}

/** The what-if replay of `tailscope analyze --policy`: the policy, and what it would have made of this run. */
export function replaySection(r: ReplayResult | undefined): string {
  if (!r) return '';
  const policy = policyLines(r.policy)
    .map((line) => `<li>${escapeHtml(line)}</li>`)
    .join('');
  const rows = replayRows(r)
    .map((row) => `<tr><td>${escapeHtml(row.measure)}</td><td>${escapeHtml(row.withPolicy)}</td><td>${escapeHtml(row.baseline)}</td></tr>`)
    .join('\n');
  const failures = failureRows(r);
  const failureTable = failures.length
    ? `<table id="replay-failures"><thead><tr><th>failed by</th><th>logical requests</th><th>share</th></tr></thead><tbody>${failures.map((f) => `<tr><td>${escapeHtml(f.cause)}</td><td>${f.count}</td><td>${escapeHtml(f.share)}</td></tr>`).join('')}</tbody></table>`
    : '<p>No logical request failed under the policy.</p>';
  const mix =
    Object.entries(r.basis.failureShareByKind)
      .map(([kind, share]) => `${kind} ${formatPercent(share, 3)}`)
      .join(', ') || 'none';
  return `<section id="replay"><h2>What-if replay</h2>
<ul id="replay-policy">${policy}</ul>
<table id="replay-table"><thead><tr><th></th><th>with the policy</th><th>no policy (as recorded)</th></tr></thead><tbody>${rows}</tbody></table>
${failureTable}
<p class="caption">${escapeHtml(r.method)}. Drawn from ${escapeHtml(r.basis.metric)} (${r.basis.samples} responses); failures per attempt on the run: ${escapeHtml(mix)}.</p>
${warningsHtml(r.warnings)}
</section>`;
}
