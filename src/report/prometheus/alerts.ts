import { stringify } from 'yaml';
import type { Analysis, TimeoutChoice } from '../../analysis/types.js';
import type { RunResult } from '../../result/types.js';
import { alertsSchema } from '../../scenario/schema.js';
import { DEFAULTS } from '../../scenario/defaults.js';

/**
 * alerts.yaml: Prometheus alerting rules for the service the run measured, on the metrics *it* exports (named in
 * the scenario's `alerts` section): SLO burn-rate alerts and alerts on the share of requests slower than the
 * timeouts this run recommends. A function of the result and its analysis, like every other report file.
 */

export interface AlertMetrics {
  requests: string;
  errors: string;
  duration: string;
  selector: string;
  routes?: Record<string, string>;
}

/**
 * The multiwindow, multi-burn-rate alerts of the Google SRE workbook ("Alerting on SLOs", its recommended
 * parameters for a 30-day SLO): each fires when both its long window (the budget spent) and its short window
 * (still burning now) exceed the burn rate, so it resets within minutes of the burn stopping.
 */
export const BURN_WINDOWS = [
  { name: 'Fast', long: '1h', short: '5m', burnRate: 14.4, budgetSpent: 0.02, severity: 'page', for: '2m' },
  { name: 'Medium', long: '6h', short: '30m', burnRate: 6, budgetSpent: 0.05, severity: 'page', for: '15m' },
  { name: 'Slow', long: '3d', short: '6h', burnRate: 1, budgetSpent: 0.1, severity: 'ticket', for: '1h' },
] as const;

/**
 * A timeout is chosen to cut at most targetCutShare of requests; when the service's own histogram shows this
 * many times that share slower than it, the distribution has moved and the client timeout needs measuring again.
 */
export const TIMEOUT_DRIFT_FACTOR = 10;
const TIMEOUT_ALERT_FOR = '15m';
const TIMEOUT_ALERT_WINDOW = '30m';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertFile {
  groups: { name: string; rules: AlertRule[] }[];
  /** what could not be alerted on, and why: written as comments at the top of the file */
  notes: string[];
}

/** The scenario's `alerts` section as run (validated when the run started), or the defaults. */
export function alertMetricsOf(definition: unknown): AlertMetrics {
  const section = (definition as { alerts?: unknown } | null)?.alerts;
  const parsed = alertsSchema.safeParse(section ?? {});
  return parsed.success ? parsed.data : { ...DEFAULTS.alerts };
}

/** Seconds as a Prometheus `le` label value: the shortest decimal (Go clients write 0.5, 1, 2.5). */
export function leValue(ms: number): string {
  return `${Number((ms / 1000).toPrecision(6))}`;
}

/** A selector's braces with the matchers given, or nothing when there are none. */
const join = (...matchers: string[]) => {
  const given = matchers.filter((m) => m.trim() !== '');
  return given.length > 0 ? `{${given.join(', ')}}` : '';
};
/** A header comment line: anything from the scenario is kept on its one line. */
const comment = (text: string) => `# ${text.replace(/[\r\n]+/g, ' ')}`;

function errorRatio(m: AlertMetrics, window: string, route = ''): string {
  return `sum(rate(${m.requests}${join(m.selector, route, m.errors)}[${window}])) / sum(rate(${m.requests}${join(m.selector, route)}[${window}]))`;
}

/** Share of requests slower than a value: 1 − (requests in the bucket at or under it) / (all requests). */
function slowerRatio(m: AlertMetrics, window: string, ms: number, route = ''): string {
  return `1 - (sum(rate(${m.duration}_bucket${join(m.selector, route, `le="${leValue(ms)}"`)}[${window}])) / sum(rate(${m.duration}_count${join(m.selector, route)}[${window}])))`;
}

/** A Prometheus alert name from the scenario name: CamelCase, letters and digits only. */
export function alertPrefix(scenario: string): string {
  const words = scenario.split(/[^a-zA-Z0-9]+/).filter(Boolean);
  const camel = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return /^[A-Za-z]/.test(camel) ? camel : `Run${camel}`;
}

const pct = (share: number) => `${Number((share * 100).toPrecision(4))}%`;

/** The burn-rate alerts of one SLO: bad events over all, against the budget `allowed`. */
function burnRules(
  prefix: string,
  slo: string,
  allowed: number,
  ratio: (window: string) => string,
  describe: string,
  labels: Record<string, string>,
  notes: string[],
): AlertRule[] {
  return BURN_WINDOWS.flatMap((w) => {
    const threshold = w.burnRate * allowed;
    if (threshold >= 1) {
      // a ratio can never exceed 1: with a budget this large the alert could never fire
      notes.push(`${slo}: no ${w.name.toLowerCase()} burn alert (${w.burnRate} × ${pct(allowed)} ≥ 100%)`);
      return [];
    }
    const bound = Number(threshold.toPrecision(6));
    return [
      {
        alert: `${prefix}${slo}Burn${w.name}`,
        expr: `(\n  ${ratio(w.long)}\n) > ${bound}\nand\n(\n  ${ratio(w.short)}\n) > ${bound}`,
        for: w.for,
        labels: { ...labels, severity: w.severity, slo },
        annotations: {
          summary: `${describe}: error budget burning ${w.burnRate}× too fast`,
          description: `Over the last ${w.long} (and still over ${w.short}) ${describe} exceeded ${pct(threshold)}, ${w.burnRate}× the SLO's ${pct(allowed)}: at this rate ${pct(w.budgetSpent)} of a 30-day budget goes in ${w.long}.`,
        },
      },
    ];
  });
}

function timeoutRule(
  prefix: string,
  m: AlertMetrics,
  choice: TimeoutChoice,
  targetCutShare: number,
  labels: Record<string, string>,
  request?: { name: string; matchers: string },
): AlertRule {
  const threshold = Number((TIMEOUT_DRIFT_FACTOR * targetCutShare).toPrecision(6));
  const who = request ? `${request.name} requests` : 'requests';
  const name = request ? alertPrefix(request.name) : '';
  const floor = choice.lowerBound
    ? ` This run could only bound it from below (${choice.censored ? `censored by its own ${choice.censored.field}` : 'too few values'}): ${choice.rerun?.text ?? 're-run before relying on it'}.`
    : '';
  return {
    alert: `${prefix}${name}SlowerThanClientTimeout`,
    expr: `(\n  ${slowerRatio(m, TIMEOUT_ALERT_WINDOW, choice.timeoutMs, request?.matchers)}\n) > ${threshold}`,
    for: TIMEOUT_ALERT_FOR,
    labels: { ...labels, severity: 'ticket', ...(request ? { request: request.name } : {}), timeout_ms: `${choice.timeoutMs}` },
    annotations: {
      summary: `${who} slower than the recommended ${choice.timeoutMs} ms ${choice.phase} timeout`,
      description: `{{ $value | humanizePercentage }} of ${who} took longer than ${choice.timeoutMs} ms over ${TIMEOUT_ALERT_WINDOW}; the timeout was chosen to cut at most ${pct(targetCutShare)}. Clients with that timeout are now failing these requests: the latency distribution moved, measure again before loosening it. Needs a bucket boundary at le="${leValue(choice.timeoutMs)}".${floor}`,
    },
  };
}

/** The phase a service's request-duration histogram measures: the whole response, or its first byte. */
const totalOf = (choices: readonly TimeoutChoice[]) => choices.find((c) => c.phase === 'total');

export function alertRules(result: RunResult, analysis: Analysis): AlertFile {
  const m = alertMetricsOf(result.scenario.definition);
  const prefix = alertPrefix(result.scenario.name);
  const labels = { tailscope_scenario: result.scenario.name };
  const notes: string[] = [];
  const groups: AlertFile['groups'] = [];

  const slo = result.slo;
  const burn: AlertRule[] = [];
  if (slo?.errorRate !== undefined && slo.errorRate > 0)
    burn.push(...burnRules(prefix, 'ErrorRate', slo.errorRate, (w) => errorRatio(m, w), 'the error ratio', labels, notes));
  const latencySlos = [
    { key: 'p99Ms', name: 'LatencyP99', allowed: 0.01 },
    { key: 'p95Ms', name: 'LatencyP95', allowed: 0.05 },
    { key: 'p50Ms', name: 'LatencyP50', allowed: 0.5 },
  ] as const;
  for (const { key, name, allowed } of latencySlos) {
    const limitMs = slo?.[key];
    if (limitMs === undefined) continue;
    burn.push(
      ...burnRules(
        prefix,
        name,
        allowed,
        (w) => slowerRatio(m, w, limitMs),
        `the share of requests slower than ${limitMs} ms`,
        labels,
        notes,
      ),
    );
  }
  if (burn.length > 0) groups.push({ name: `${result.scenario.name}: SLO burn rate`, rules: burn });
  else notes.push('no SLO burn-rate alerts: the scenario has no slo section (slo.errorRate, slo.p99…) to burn against');

  const timeouts: AlertRule[] = [];
  const whole = totalOf(analysis.timeouts.recommended);
  if (whole) timeouts.push(timeoutRule(prefix, m, whole, analysis.timeouts.targetCutShare, labels));
  for (const [name, matchers] of Object.entries(m.routes ?? {})) {
    const request = analysis.timeouts.byRequest?.find((r) => r.name === name);
    const choice = request && totalOf(request.recommended);
    if (choice) timeouts.push(timeoutRule(prefix, m, choice, analysis.timeouts.targetCutShare, labels, { name, matchers }));
    else notes.push(`no timeout alert for ${name}: the run recommended no total timeout for it`);
  }
  if (timeouts.length > 0) groups.push({ name: `${result.scenario.name}: client timeouts`, rules: timeouts });
  else notes.push('no timeout alert: the run recorded no total times to recommend a timeout from');
  return { groups, notes };
}

/** The rule file as Prometheus reads it (`rule_files:`), with what could not be alerted on as comments. */
export function renderAlerts(result: RunResult, analysis: Analysis): string {
  const file = alertRules(result, analysis);
  const m = alertMetricsOf(result.scenario.definition);
  const header = [
    `Prometheus alerting rules from tailscope run ${JSON.stringify(result.scenario.name)} (${result.startedAt}).`,
    `Metrics (scenario field alerts): requests ${m.requests}, errors {${m.errors}}, duration ${m.duration}${m.selector ? `, selector {${m.selector}}` : ''}.`,
    'Latency alerts read duration buckets: the histogram needs a bucket boundary at each le value used below',
    '(some clients write le="1.0" where Go writes le="1": match what yours exports).',
    ...file.notes,
  ].map(comment);
  return `${header.join('\n')}\n${stringify({ groups: file.groups }, { lineWidth: 0 })}`;
}
