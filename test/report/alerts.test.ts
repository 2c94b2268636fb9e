import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { analyze } from '../../src/analysis/analyze.js';
import type { Analysis } from '../../src/analysis/types.js';
import { BURN_WINDOWS, alertPrefix, leValue, renderAlerts } from '../../src/report/prometheus/alerts.js';
import { renderReportFiles } from '../../src/report/write.js';
import type { RunResult } from '../../src/result/types.js';
import { syntheticResult } from './fixture.js';

/**
 * `promtool check rules` is not on this machine (Debian's prometheus package is large), so the rule file is
 * checked against the rule-file format Prometheus documents (groups → rules with alert, expr, for, labels,
 * annotations) and its expressions against a small PromQL reader: balanced brackets and quotes, selectors with
 * well-formed label matchers, range durations, and only the configured metric names and the functions used.
 */

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const RULE_KEYS = ['alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];

interface RuleFile {
  groups: { name: string; interval?: string; rules: Record<string, unknown>[] }[];
}

function ruleFileProblems(file: RuleFile): string[] {
  const problems: string[] = [];
  if (!Array.isArray(file.groups)) return ['groups: not a list'];
  const groupNames = new Set<string>();
  file.groups.forEach((group, g) => {
    if (typeof group.name !== 'string' || group.name === '') problems.push(`groups[${g}].name: empty`);
    if (groupNames.has(group.name)) problems.push(`groups[${g}].name: duplicate`);
    groupNames.add(group.name);
    for (const key of Object.keys(group))
      if (!['name', 'interval', 'rules', 'limit'].includes(key)) problems.push(`groups[${g}].${key}: unknown`);
    if (!Array.isArray(group.rules) || group.rules.length === 0) problems.push(`groups[${g}].rules: empty`);
    group.rules.forEach((rule, r) => {
      const at = `groups[${g}].rules[${r}]`;
      for (const key of Object.keys(rule)) if (!RULE_KEYS.includes(key)) problems.push(`${at}.${key}: unknown`);
      if (typeof rule.alert !== 'string' || !NAME.test(rule.alert)) problems.push(`${at}.alert: ${String(rule.alert)}`);
      if (typeof rule.expr !== 'string') problems.push(`${at}.expr: not a string`);
      if (rule.for !== undefined && (typeof rule.for !== 'string' || !DURATION.test(rule.for)))
        problems.push(`${at}.for: ${JSON.stringify(rule.for)}`);
      for (const map of ['labels', 'annotations'] as const) {
        const value = rule[map] as Record<string, unknown> | undefined;
        if (value === undefined) continue;
        for (const [k, v] of Object.entries(value)) {
          if (!LABEL.test(k)) problems.push(`${at}.${map}.${k}: bad name`);
          if (typeof v !== 'string') problems.push(`${at}.${map}.${k}: not a string`);
        }
      }
    });
  });
  return problems;
}

const MATCHER = /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*$/;

/** Problems of one PromQL expression, as far as this small reader can tell. */
function promqlProblems(expr: string, metrics: readonly string[]): string[] {
  const problems: string[] = [];
  // 1. strings closed, brackets balanced outside strings
  const stack: string[] = [];
  let inString = false;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if ('([{'.includes(ch)) stack.push(ch);
    else if (')]}'.includes(ch) && stack.pop() !== { ')': '(', ']': '[', '}': '{' }[ch]) problems.push(`unbalanced ${ch} at ${i}`);
  }
  if (inString) problems.push('unclosed string');
  if (stack.length > 0) problems.push(`unclosed ${stack.join('')}`);
  // 2. each selector's matchers; 3. range durations
  for (const m of expr.matchAll(/\{([^{}]*)\}/g)) {
    const matchers = m[1]!.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
    for (const matcher of matchers) if (!MATCHER.test(matcher)) problems.push(`bad matcher ${matcher}`);
  }
  for (const m of expr.matchAll(/\[([^\]]*)\]/g)) if (!DURATION.test(m[1]!)) problems.push(`bad range ${m[1]}`);
  // 4. identifiers outside braces and strings: functions, keywords and the configured metrics only
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^{}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '');
  const allowed = new Set(['sum', 'rate', 'and', 'or', 'unless', 'by', ...metrics]);
  for (const id of bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []) if (!allowed.has(id)) problems.push(`unknown identifier ${id}`);
  // every rate() reads a named metric
  for (const m of expr.matchAll(/rate\(([^)]*)\)/g))
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})?\[[^\]]+\]$/.test(m[1]!)) problems.push(`bad rate argument ${m[1]}`);
  return problems;
}

function alertsOf(result: RunResult, analysis: Analysis = analyze(result)) {
  const text = renderAlerts(result, analysis);
  return { text, file: parse(text) as RuleFile };
}

function withDefinition(result: RunResult, extra: object): RunResult {
  return { ...result, scenario: { ...result.scenario, definition: { ...(result.scenario.definition as object), ...extra } } };
}

const DEFAULT_METRICS = ['http_requests_total', 'http_request_duration_seconds_bucket', 'http_request_duration_seconds_count'];

describe('alerts.yaml', () => {
  it('keeps a scenario name with a line break inside its comment line', () => {
    const result = syntheticResult({ name: 'evil\ngroups: []' });
    const { text, file } = alertsOf(result);
    expect(text.split('\n')[0]).toBe('# Prometheus alerting rules from tailscope run "evil\\ngroups: []" (2025-01-01T00:00:00.000Z).');
    expect(file.groups.length).toBeGreaterThan(0);
  });

  it('is written with the other report files', async () => {
    const result = syntheticResult();
    const files = Object.fromEntries(await renderReportFiles(result, analyze(result)));
    expect(Object.keys(files)).toContain('alerts.yaml');
    expect(ruleFileProblems(parse(files['alerts.yaml']!) as RuleFile)).toEqual([]);
  });

  it('has the SRE workbook burn-rate alerts for the SLO, both windows in each, with the default metric names', () => {
    const result = syntheticResult(); // slo: p99 200 ms, error rate 1%
    const { file } = alertsOf(result);
    expect(ruleFileProblems(file)).toEqual([]);
    const burn = file.groups.find((g) => g.name.endsWith('SLO burn rate'))!.rules;
    expect(burn.map((r) => r.alert)).toEqual([
      'SyntheticErrorRateBurnFast',
      'SyntheticErrorRateBurnMedium',
      'SyntheticErrorRateBurnSlow',
      'SyntheticLatencyP99BurnFast',
      'SyntheticLatencyP99BurnMedium',
      'SyntheticLatencyP99BurnSlow',
    ]);
    // 14.4 × 1%, 6 × 1%, 1 × 1% over 1h/5m, 6h/30m, 3d/6h
    const fast = burn[0]!.expr as string;
    expect(fast).toContain('sum(rate(http_requests_total{code=~"5.."}[1h])) / sum(rate(http_requests_total[1h]))');
    expect(fast).toContain('[5m]');
    expect(fast.match(/> 0\.144/g)).toHaveLength(2);
    expect(burn[1]!.expr).toMatch(/\[6h\][\s\S]*> 0\.06\nand[\s\S]*\[30m\][\s\S]*> 0\.06$/);
    expect(burn[2]).toMatchObject({ for: '1h', labels: { severity: 'ticket', slo: 'ErrorRate' } });
    // latency: the share slower than 200 ms, read at the 0.2 s bucket
    expect(burn[3]!.expr).toContain(
      '1 - (sum(rate(http_request_duration_seconds_bucket{le="0.2"}[1h])) / sum(rate(http_request_duration_seconds_count[1h])))',
    );
    for (const group of file.groups)
      for (const rule of group.rules) expect(promqlProblems(rule.expr as string, DEFAULT_METRICS)).toEqual([]);
  });

  it('alerts when the share slower than the recommended total timeout drifts past 10× what it was chosen to cut', () => {
    const result = syntheticResult();
    const analysis = analyze(result);
    const total = analysis.timeouts.recommended.find((c) => c.phase === 'total')!;
    const { file } = alertsOf(result, analysis);
    const rule = file.groups.find((g) => g.name.endsWith('client timeouts'))!.rules[0]!;
    expect(rule.alert).toBe('SyntheticSlowerThanClientTimeout');
    expect(rule.expr).toContain(`le="${leValue(total.timeoutMs)}"`);
    expect(rule.expr).toMatch(/\) > 0\.01$/);
    expect(rule.labels).toMatchObject({ severity: 'ticket', timeout_ms: `${total.timeoutMs}` });
  });

  it('uses the metric names, selector and routes the scenario gives, with each request’s own timeout', () => {
    const result = withDefinition(syntheticResult(), {
      alerts: {
        requests: 'api_calls_total',
        errors: 'status=~"5..|429"',
        duration: 'api_latency_seconds',
        selector: 'job="api", env="prod"',
        routes: { generate: 'handler="/v1/generate"' },
      },
    });
    const analysis = analyze(result);
    const { file, text } = alertsOf(result, analysis);
    expect(ruleFileProblems(file)).toEqual([]);
    const metrics = ['api_calls_total', 'api_latency_seconds_bucket', 'api_latency_seconds_count'];
    const rules = file.groups.flatMap((g) => g.rules);
    for (const rule of rules) expect(promqlProblems(rule.expr as string, metrics)).toEqual([]);
    expect(text).not.toContain('http_requests_total');
    expect(rules[0]!.expr).toContain('api_calls_total{job="api", env="prod", status=~"5..|429"}[1h]');
    const perRoute = rules.find((r) => r.alert === 'SyntheticGenerateSlowerThanClientTimeout')!;
    const own = analysis.timeouts.byRequest.find((r) => r.name === 'generate')!.recommended.find((c) => c.phase === 'total')!;
    expect(perRoute.expr).toContain(
      `api_latency_seconds_bucket{job="api", env="prod", handler="/v1/generate", le="${leValue(own.timeoutMs)}"}`,
    );
    expect(perRoute.labels).toMatchObject({ request: 'generate' });
  });

  it.each([
    // slo → which burn alerts exist, and the notes the file carries
    { slo: undefined, alerts: [], note: /no SLO burn-rate alerts: the scenario has no slo section/ },
    // 14.4 × 10% ≥ 100%: the fast alert could never fire, and is left out with a note
    {
      slo: { errorRate: 0.1 },
      alerts: ['ErrorRateBurnMedium', 'ErrorRateBurnSlow'],
      note: /ErrorRate: no fast burn alert \(14\.4 × 10% ≥ 100%\)/,
    },
    { slo: { p95Ms: 400 }, alerts: ['LatencyP95BurnFast', 'LatencyP95BurnMedium', 'LatencyP95BurnSlow'], note: undefined },
  ])('burn alerts for slo $slo', ({ slo, alerts, note }) => {
    const { slo: _slo, ...rest } = syntheticResult();
    const { file, text } = alertsOf(slo ? { ...rest, slo } : rest);
    expect(ruleFileProblems(file)).toEqual([]);
    const burn = file.groups.find((g) => g.name.endsWith('SLO burn rate'))?.rules ?? [];
    expect(burn.map((r) => (r.alert as string).replace('Synthetic', ''))).toEqual(alerts);
    if (note) expect(text).toMatch(note);
  });

  it('keeps the SRE workbook’s windows and burn rates', () => {
    expect(BURN_WINDOWS.map((w) => [w.long, w.short, w.burnRate])).toEqual([
      ['1h', '5m', 14.4],
      ['6h', '30m', 6],
      ['3d', '6h', 1],
    ]);
    // burn rate × window / 30 days = the budget share each alert spends before it fires
    for (const w of BURN_WINDOWS) {
      const hours = { '1h': 1, '6h': 6, '3d': 72 }[w.long];
      expect((w.burnRate * hours) / (30 * 24)).toBeCloseTo(w.budgetSpent, 3);
    }
  });

  it.each([
    ['generate-capacity', 'GenerateCapacity'],
    ['42 runs', 'Run42Runs'],
    ['a.b_c', 'ABC'],
  ])('names alerts after the scenario: %s → %s', (scenario, prefix) => expect(alertPrefix(scenario)).toBe(prefix));

  it('catches a malformed expression (the checker can fail)', () => {
    expect(promqlProblems('sum(rate(http_requests_total{code=~"5.."}[1h])', DEFAULT_METRICS)).toContain('unclosed (');
    expect(promqlProblems('sum(rate(other_total{}[1h]))', DEFAULT_METRICS)).toContain('unknown identifier other_total');
    expect(promqlProblems('sum(rate({code="5"}[1h]))', DEFAULT_METRICS)).toContain('bad rate argument {code="5"}[1h]');
    expect(promqlProblems('sum(rate(http_requests_total{code~"5"}[1h]))', DEFAULT_METRICS)).toContain('bad matcher code~"5"');
    expect(promqlProblems('sum(rate(http_requests_total{}[1 hour]))', DEFAULT_METRICS)).toContain('bad range 1 hour');
    expect(ruleFileProblems({ groups: [{ name: 'g', rules: [{ alert: 'bad name', expr: 'x', for: '5 minutes' }] }] })).toEqual([
      'groups[0].rules[0].alert: bad name',
      'groups[0].rules[0].for: "5 minutes"',
    ]);
  });
});
