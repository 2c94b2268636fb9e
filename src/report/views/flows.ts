import type { Analysis } from '../../analysis/types.js';
import { formatMs, formatPercent } from './format.js';

/**
 * Flows and async jobs as rows of text, for every format to lay out its own way (HTML and Markdown tables, the
 * terminal summary). Names come from the scenario: each format escapes them.
 */
export interface FlowRow {
  name: string;
  iterations: string;
  completed: string;
  failed: string;
  failedAt: string;
  p50: string;
  p99: string;
  max: string;
}

export interface JobRow {
  name: string;
  mode: string;
  submitted: string;
  done: string;
  failedExpiredLost: string;
  completionP50: string;
  completionP99: string;
  pollsPerJob: string;
}

export function flowRows(analysis: Analysis): FlowRow[] {
  return (analysis.flows?.flows ?? []).map((f) => ({
    name: f.name,
    iterations: String(f.iterations),
    completed: String(f.completed),
    failed: formatPercent(f.failedShare),
    failedAt: f.worstStep ? `${f.worstStep.step} (${f.worstStep.failed})` : '—',
    p50: formatMs(f.latency.p50),
    p99: formatMs(f.latency.p99),
    max: formatMs(f.latency.max),
  }));
}

export function jobRows(analysis: Analysis): JobRow[] {
  return (analysis.flows?.jobs ?? []).map((j) => ({
    name: j.name,
    mode: j.mode,
    submitted: String(j.submitted),
    done: String(j.done),
    failedExpiredLost: `${j.failed} / ${j.expired} / ${j.lost}`,
    completionP50: formatMs(j.completion.p50),
    completionP99: formatMs(j.completion.p99),
    pollsPerJob: j.pollsPerJob ? `${j.pollsPerJob.mean.toFixed(1)} (p99 ${j.pollsPerJob.p99})` : '—',
  }));
}
