import { formatMs } from './format.js';
import type { Comparison, MetricChange, RuleVerdict } from '../../analysis/compare/compare.js';

export function value(v: number, unit: MetricChange['unit']): string {
  if (!Number.isFinite(v)) return '–';
  if (unit === 'ms') return `${formatMs(v)} ms`;
  if (unit === '%') return `${v.toFixed(2)}%`;
  return `${v.toFixed(1)} req/s`;
}

function signed(v: number, digits: number): string {
  if (!Number.isFinite(v)) return '–';
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
}

/** "+12.3% [+8.1%, +16.0%]" or "+1.90pp [+1.2pp, +2.6pp]" */
export function changeText(change: MetricChange): string {
  if (change.changeUnit === 'pp') return `${signed(change.change, 2)}pp [${signed(change.ci[0], 2)}, ${signed(change.ci[1], 2)}]`;
  return `${signed(change.change * 100, 1)}% [${signed(change.ci[0] * 100, 1)}%, ${signed(change.ci[1] * 100, 1)}%]`;
}

export function pText(p: number): string {
  return !Number.isFinite(p) ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3);
}

function ruleOf(comparison: Comparison, change: MetricChange): RuleVerdict | undefined {
  return comparison.rules.find((r) => r.label === change.label);
}

const OUTCOME_TEXT: Record<RuleVerdict['outcome'], string> = { regression: 'REGRESSION', pass: 'ok', improvement: 'improved' };

export function rows(comparison: Comparison): string[][] {
  return comparison.changes.map((c) => {
    const rule = ruleOf(comparison, c);
    return [
      c.label,
      value(c.baseline, c.unit),
      value(c.current, c.unit),
      changeText(c),
      pText(c.pValue),
      rule ? `${rule.rule}: ${OUTCOME_TEXT[rule.outcome]}` : '(not judged)',
    ];
  });
}

export const HEADER = ['metric', 'baseline', 'current', `change [CI]`, 'p', 'rule'];

export function methodText(comparison: Comparison): string {
  const m = comparison.method;
  const latency =
    m.latency === 'block-bootstrap'
      ? `block bootstrap over intervals within each stage (blocks of up to ${m.blockIntervals?.baseline}/${m.blockIntervals?.current} intervals, ${m.replicates} replicates, seed ${m.seed})`
      : `bootstrap treating requests as independent (${m.replicates} replicates, seed ${m.seed})`;
  return `intervals at ${(comparison.perRuleConfidence * 100).toFixed(1)}% per metric (${(comparison.confidence * 100).toFixed(0)}% over all ${comparison.rules.length} rules, Bonferroni); latency and throughput: ${latency}; error rate: two-proportion test, variance scaled by the between-interval dispersion`;
}

/** A plain-text table for the terminal. */
export function compareTable(comparison: Comparison): string[] {
  const table = [HEADER, ...rows(comparison)];
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const lines = table.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.push('', methodText(comparison));
  for (const w of comparison.warnings) lines.push(`warning: ${w}`);
  lines.push(
    comparison.regression
      ? `REGRESSION: ${comparison.rules
          .filter((r) => r.outcome === 'regression')
          .map((r) => r.rule)
          .join(', ')}`
      : 'no regression',
  );
  return lines;
}
