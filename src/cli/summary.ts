import type { RunResult } from '../result/types.js';
import type { Analysis, Verdict } from '../analysis/types.js';
import { STATUS_WORD } from '../analysis/verdict.js';
import { formatMs } from '../shared/format.js';
import { errorReasons, reasonLine } from '../report/views/error-reasons.js';
import { checkRows, checksOverall, tokensOverall } from '../report/views/checks.js';
import { levelsView } from '../report/views/levels.js';

/** The caller's view beside the attempts', and the 429s when the target sent any. */
function callLines(totals: RunResult['totals']): string[] {
  const view = levelsView(totals);
  if (!view) return [];
  const calls = view.rows[1]!;
  return [
    `calls: ${calls.count}, failed ${(calls.errorRate * 100).toFixed(2)}% · p50 ${formatMs(calls.p50)} ms · p99 ${formatMs(calls.p99)} ms · max ${formatMs(calls.max)} ms`,
    ...(view.rateLimited ? [view.rateLimited] : []),
  ];
}

/** The few lines a terminal user reads after a run: totals, split, knee, and the timeouts to use. */
export function summaryLines(result: RunResult, analysis: Analysis): string[] {
  const t = result.totals;
  const lines = [
    `${result.scenario.name}: ${t.requests} requests in ${(result.durationMs / 1000).toFixed(1)} s, ${t.throughput.toFixed(1)} req/s, errors ${(t.errorRate * 100).toFixed(2)}%`,
    // Why requests failed comes right after the count, before any latency: failed requests are often fast.
    ...errorReasons(t.errorsByKind).map(([kind, count, message]) => `  ${reasonLine(kind, count, t.requests, message)}`),
    `latency p50 ${formatMs(t.latency.p50)} ms · p90 ${formatMs(t.latency.p90)} ms · p99 ${formatMs(t.latency.p99)} ms · max ${formatMs(t.latency.max)} ms`,
    ...callLines(t),
    ...(result.warmup
      ? [
          `warm-up (kept out of the figures above): ${result.warmup.requests} requests in ${(result.warmup.durationMs / 1000).toFixed(1)} s, p50 ${formatMs(result.warmup.latency.p50)} ms · p99 ${formatMs(result.warmup.latency.p99)} ms`,
        ]
      : []),
    ...checksSummary(result),
    ...tokensSummary(result),
    analysis.split.method === 'none'
      ? `split: n/a (${analysis.split.reason})`
      : `split (${analysis.split.method}): network p50 ${formatMs(analysis.split.network.p50)} ms, service p50 ${formatMs(analysis.split.service.p50)} ms`,
  ];
  for (const f of analysis.flows?.flows ?? [])
    lines.push(
      `flow ${f.name}: ${f.completed} of ${f.iterations} iterations completed${f.worstStep ? `, most failed at ${f.worstStep.step} (${f.worstStep.failed})` : ''} · p50 ${formatMs(f.latency.p50)} ms · p99 ${formatMs(f.latency.p99)} ms`,
    );
  for (const j of analysis.flows?.jobs ?? [])
    lines.push(
      `jobs ${j.name} (${j.mode}): ${j.done} of ${j.submitted} done, ${j.failed} failed, ${j.expired} expired, ${j.lost} lost · completion p50 ${formatMs(j.completion.p50)} ms · p99 ${formatMs(j.completion.p99)} ms${j.pollsPerJob ? ` · ${j.pollsPerJob.mean.toFixed(1)} polls per job` : ''}`,
    );
  const { knee, usl, atSlo } = analysis.capacity;
  if (atSlo) lines.push(atSlo.sentence);
  if (knee && !atSlo) {
    const unit = analysis.capacity.loadAxis === 'concurrency' ? 'concurrency' : 'req/s offered';
    lines.push(
      `knee: ${knee.throughput.toFixed(1)} req/s at ${knee.load.toFixed(1)} ${unit} (${knee.name})${usl?.peakThroughput ? `; USL peak ${usl.peakThroughput.toFixed(1)} req/s, R² ${usl.r2.toFixed(2)}` : ''}`,
    );
  }
  // ≥: a floor, not a fit (censored by the run's own timeout, or too few values for p99.9); the report says why
  const timeouts = analysis.timeouts.recommended.map((c) => `${c.phase} ${c.lowerBound ? '≥ ' : ''}${formatMs(c.timeoutMs)} ms`);
  if (timeouts.length > 0) lines.push(`timeouts (cut ≤ ${(analysis.timeouts.targetCutShare * 100).toFixed(1)}%): ${timeouts.join(', ')}`);
  if (!analysis.verdict.validity.valid) lines.push(`INVALID RUN: ${analysis.verdict.validity.reasons.join('; ')}`);
  if (result.interrupted) lines.push('interrupted: figures cover what completed');
  if (result.tls?.insecure) lines.push('TLS certificates were not verified (client.tls.insecure)');
  return lines;
}

/** The run's checks, then each failing one with its first reason. */
function checksSummary(result: RunResult): string[] {
  const { passes, evaluated } = checksOverall(result);
  if (evaluated === 0) return [];
  return [
    `checks: ${passes} of ${evaluated} passed (${((passes / evaluated) * 100).toFixed(2)}%)`,
    ...checkRows(result)
      .filter((row) => row.fails > 0)
      .map((row) => `  ${row.request}: ${row.label}: ${row.fails} failed${row.firstFailure ? `, first: ${row.firstFailure}` : ''}`),
  ];
}

function tokensSummary(result: RunResult): string[] {
  const tokens = tokensOverall(result);
  if (!tokens) return [];
  const tpot = tokens.tpot ? ` · time per output token p50 ${formatMs(tokens.tpot.p50)} ms · p99 ${formatMs(tokens.tpot.p99)} ms` : '';
  return [`tokens: ${tokens.tokens} completion tokens, ${tokens.perSec.toFixed(1)} tokens/s${tpot}`];
}

/** The verdict as a terminal reads it: one line per check, then the status the exit code follows. */
export function checkLines(verdict: Verdict): string[] {
  const mark = (pass: boolean | null) => (pass === null ? 'N/A ' : pass ? 'PASS' : 'FAIL');
  return [
    ...verdict.checks.map((c) => `${mark(c.pass)} ${c.name}: ${c.observed}${c.limit ? ` (limit ${c.limit})` : ''}`),
    `verdict: ${STATUS_WORD[verdict.status]}`,
  ];
}
