import type { ReplayPolicy, ReplayResult, ResilienceAdvice, TimeoutAdvice, TimeoutChoice, TimeoutPhase } from '../../analysis/types.js';
import { formatMs, formatPercent, formatRate } from './format.js';

/**
 * The advice sections as plain text rows: what each figure reads as is decided here once, so index.html and
 * summary.md show the same numbers. Nothing here is escaped; each renderer escapes for its own format.
 */

export interface AdviceRow {
  setting: string;
  value: string;
  rule: string;
}

export function resilienceRows(r: ResilienceAdvice): AdviceRow[] {
  const hedged = r.hedging.method !== '';
  return [
    { setting: 'max retries', value: `${r.maxRetries.value}`, rule: r.maxRetries.rule },
    {
      setting: 'backoff',
      value: `${r.backoff.kind}, base ${formatMs(r.backoff.baseMs)} ms, cap ${formatMs(r.backoff.maxBackoffMs)} ms, ${r.backoff.jitter} jitter`,
      rule: r.backoff.rule,
    },
    {
      setting: 'retry budget',
      value: `${formatPercent(r.retryBudget.ratio, 0)} of requests, floor ${r.retryBudget.minRetriesPerSec} retries/s, min retry concurrency ${r.retryBudget.minRetryConcurrency}`,
      rule: r.retryBudget.rule,
    },
    {
      setting: 'hedging',
      value: hedged
        ? `after ${formatMs(r.hedging.delayMs)} ms (p${Number((r.hedging.quantile * 100).toPrecision(4))}): +${formatPercent(r.hedging.extraLoadShare, 1)} load, p99 ${formatMs(r.hedging.p99WithoutMs)} → ${formatMs(r.hedging.p99WithMs)} ms`
        : `after ${formatMs(r.hedging.delayMs)} ms (p${Number((r.hedging.quantile * 100).toPrecision(4))}): effect not estimated`,
      rule: hedged ? r.hedging.method : 'the run recorded no first-byte times, so the hedge was not replayed',
    },
    {
      setting: 'concurrency limit',
      value: r.concurrencyLimit.value === null ? 'cannot be derived (no knee)' : `${r.concurrencyLimit.value} in flight`,
      rule: r.concurrencyLimit.rule,
    },
    {
      setting: 'circuit breaker',
      value:
        r.circuitBreaker.maxConcurrent === null
          ? `open above ${formatPercent(r.circuitBreaker.failureRateThreshold, 0)} failures; no caps (no knee)`
          : `open above ${formatPercent(r.circuitBreaker.failureRateThreshold, 0)} failures; max ${r.circuitBreaker.maxConcurrent} concurrent, ${r.circuitBreaker.maxPending} pending`,
      rule: r.circuitBreaker.rule,
    },
    ...(r.idempotency
      ? [
          {
            setting: 'retry after a timeout',
            value: r.idempotency.retryOnTimeout
              ? 'yes'
              : `no for ${r.idempotency.notIdempotent.join(', ')} (not idempotent, no Idempotency-Key)`,
            rule: r.idempotency.rule,
          },
        ]
      : []),
  ];
}

/** The snippets in the order a reader looks for them, with the title each is shown under. */
export function snippetBlocks(r: ResilienceAdvice): { id: string; title: string; language: string; code: string }[] {
  const s = r.snippets;
  return [
    { id: 'snippet-undici', title: 'undici (Node)', language: 'js', code: s.undici },
    { id: 'snippet-fetch', title: 'fetch + AbortSignal', language: 'js', code: s.fetch },
    { id: 'snippet-envoy', title: 'Envoy', language: 'yaml', code: s.envoy },
    { id: 'snippet-resilience4j', title: 'resilience4j (JVM, Spring Boot)', language: 'yaml', code: s.resilience4j },
    { id: 'snippet-polly', title: 'Polly v8 (.NET)', language: 'csharp', code: s.polly },
  ].filter((block) => typeof block.code === 'string' && block.code !== '');
}

/** The what-if policy in one sentence per part, as a reader would state it. */
export function policyLines(p: ReplayPolicy): string[] {
  const t = p.timeouts;
  const timeouts = [
    t.connectMs !== undefined ? `connect ${formatMs(t.connectMs)} ms` : '',
    t.firstByteMs !== undefined ? `first byte ${formatMs(t.firstByteMs)} ms` : '',
    t.totalMs !== undefined ? `total ${formatMs(t.totalMs)} ms` : '',
  ].filter(Boolean);
  const r = p.retries;
  const retries =
    r.max === 0
      ? 'none'
      : `up to ${r.max} on ${r.on.join(', ') || 'nothing'}, ${r.backoff} backoff from ${formatMs(r.baseMs)} ms to ${formatMs(r.maxBackoffMs)} ms, ${r.jitter} jitter`;
  return [
    `timeouts: ${timeouts.join(', ') || 'none'}`,
    `retries: ${retries}`,
    `retry budget: ${p.budgetRatio !== undefined ? `${formatPercent(p.budgetRatio, 0)} of first attempts` : 'unlimited'}`,
    `hedge: ${p.hedge ? `after ${formatMs(p.hedge.delayMs)} ms` : 'none'}`,
    ...(p.breaker
      ? [
          `circuit breaker: opens at ${formatPercent(p.breaker.failureRate, 0)} failed of the last ${p.breaker.window} attempts (once ${p.breaker.minCalls} are in), refuses for ${formatMs(p.breaker.openMs)} ms, then ${p.breaker.halfOpenProbes} half-open probes`,
        ]
      : []),
    ...(p.adaptiveTimeout
      ? [`adaptive timeout: mean + ${p.adaptiveTimeout.k}σ of the last ${p.adaptiveTimeout.window} successful attempts`]
      : []),
    ...(p.loadLevelTimeouts ? [`timeout per load level: ${loadLevelBands(p.loadLevelTimeouts)}`] : []),
    `replayed: ${p.samples} logical requests, seed ${p.seed}`,
  ];
}

/** "up to 150: 250 ms; above: p99 of its stage" */
function loadLevelBands(bands: NonNullable<ReplayPolicy['loadLevelTimeouts']>): string {
  return bands
    .map((band) => {
      const total = 'ms' in band.total ? `${formatMs(band.total.ms)} ms` : `p${band.total.quantile * 100} of its stage`;
      return `${band.upTo !== undefined ? `up to ${band.upTo}` : 'above'}: ${total}`;
    })
    .join('; ');
}

export interface ComparisonRow {
  measure: string;
  withPolicy: string;
  baseline: string;
}

export function replayRows(r: ReplayResult): ComparisonRow[] {
  return [
    { measure: 'success rate', withPolicy: formatPercent(r.successRate), baseline: formatPercent(r.baseline.successRate) },
    { measure: 'p50', withPolicy: `${formatMs(r.effective.p50)} ms`, baseline: `${formatMs(r.baseline.p50)} ms` },
    { measure: 'p99', withPolicy: `${formatMs(r.effective.p99)} ms`, baseline: `${formatMs(r.baseline.p99)} ms` },
    { measure: 'p99.9', withPolicy: `${formatMs(r.effective.p999)} ms`, baseline: `${formatMs(r.baseline.p999)} ms` },
    { measure: 'extra load', withPolicy: `+${formatPercent(r.extraLoadShare, 1)}`, baseline: '+0.0%' },
  ];
}

/** Failed logical requests by cause, most first, with their share of all logical requests. */
export function failureRows(r: ReplayResult): { cause: string; count: number; share: string }[] {
  return Object.entries(r.failuresByCause)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([cause, count]) => ({ cause, count, share: formatPercent(count / Math.max(r.logicalRequests, 1), 3) }));
}

const PHASE_ORDER: TimeoutPhase[] = ['connect', 'firstByte', 'total', 'firstToken', 'idle'];

export interface LevelTable {
  /** what the load column holds: the stage's target concurrency (closed) or arrival rate (open) */
  loadTitle: string;
  phases: TimeoutPhase[];
  rows: { level: string; stage: string; load: string; throughput: string; cells: string[] }[];
}

/** The timeout rule at each load level: one row per level, one column per phase any level has. */
export function timeoutLevelTable(advice: TimeoutAdvice, model: 'closed' | 'open'): LevelTable {
  const phases = PHASE_ORDER.filter((phase) => advice.byLoadLevel.some((level) => level.timeouts[phase]));
  return {
    loadTitle: model === 'open' ? 'arrivals/s' : 'concurrency',
    phases,
    rows: advice.byLoadLevel.map((level) => ({
      // a level that fell on the same stage as another is one row, named for both
      level: level.sameAs?.length ? `${level.level} (= ${level.sameAs.join(', ')})` : level.level,
      stage: level.name,
      load: formatRate(level.target),
      throughput: formatRate(level.throughput),
      cells: phases.map((phase) => {
        const cut = level.timeouts[phase];
        if (!cut) return '–';
        return cut.lowerBound
          ? `≥ ${formatMs(cut.timeoutMs)} ms (floor: censored or too few values)`
          : `${formatMs(cut.timeoutMs)} ms (cuts ${formatPercent(cut.cutShare, 3)})`;
      }),
    })),
  };
}

/** Which load level the recommended timeouts were read at. */
export function timeoutBasis(advice: TimeoutAdvice): string {
  const basis = advice.basis;
  return 'stage' in basis
    ? `read at the ${basis.level} level: stage ${basis.name}, load ${formatRate(basis.target)}, ${formatRate(basis.throughput)} req/s`
    : 'read over the whole run (one load level)';
}

/** A recommended timeout as it reads in a table: a floor is written as one, with what makes it a floor. */
export function timeoutValue(c: TimeoutChoice): string {
  return c.lowerBound ? `≥ ${formatMs(c.timeoutMs)} ms` : `${formatMs(c.timeoutMs)} ms`;
}

/** What the figure rests on: complete data, or a floor (censored by the run's own timeout, or too few values). */
export function timeoutReading(c: TimeoutChoice): string {
  const parts: string[] = [];
  if (c.censored)
    parts.push(
      `censored: ${formatPercent(c.censored.cutShare, 2)} cut by the run's ${formatMs(c.censored.configuredMs)} ms ${c.censored.field.replace('client.timeouts.', '')} timeout`,
    );
  if (c.underSampled) parts.push(`${c.underSampled.samples} values, ${c.underSampled.needed} needed`);
  if (parts.length === 0) return 'complete';
  return `${c.lowerBound ? 'lower bound' : 'exact'} (${parts.join('; ')})`;
}

/** The share cut: at most that when the run's own timeout hid values above it. */
export function timeoutCutText(c: TimeoutChoice): string {
  return c.censored && c.timeoutMs >= c.censored.configuredMs ? `≤ ${formatPercent(c.cutShare, 3)}` : formatPercent(c.cutShare, 3);
}

const TRANSPORT: Record<string, string> = { plain: 'plain HTTP', sse: 'SSE', ws: 'WebSocket' };

export interface RequestAdviceRow {
  request: string;
  transport: string;
  cells: string[];
  retryOnTimeout: string;
}

/** One row per request name: its timeouts per phase (stream phases for SSE and WebSocket) and whether to retry. */
export function requestAdviceTable(advice: TimeoutAdvice): { phases: TimeoutPhase[]; rows: RequestAdviceRow[] } {
  const byRequest = advice.byRequest ?? [];
  const phases = PHASE_ORDER.filter((phase) => byRequest.some((r) => r.recommended.some((c) => c.phase === phase)));
  return {
    phases,
    rows: byRequest.map((r) => ({
      request: `${r.method} ${r.name}`,
      transport: TRANSPORT[r.transport] ?? r.transport,
      cells: phases.map((phase) => {
        const c = r.recommended.find((choice) => choice.phase === phase);
        return c ? timeoutValue(c) : '–';
      }),
      retryOnTimeout: r.retryOnTimeout ? 'yes' : 'no: not idempotent, no Idempotency-Key',
    })),
  };
}

/**
 * Each request's own warnings, named. With one request name its phases' warnings repeat the whole run's, so
 * only what is the request's own (whether it may be retried) is kept.
 */
export function requestWarnings(advice: TimeoutAdvice): string[] {
  const byRequest = advice.byRequest ?? [];
  return byRequest.flatMap((r) => {
    const own = byRequest.length > 1 ? r.warnings : r.warnings.filter((w) => !r.recommended.some((c) => w.startsWith(`${c.phase}: `)));
    return own.map((w) => `${r.name}: ${w}`);
  });
}
