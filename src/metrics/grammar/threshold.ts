import { FLOW_METRIC_NAMES, METRIC_NAMES, type FlowMetricName, type MetricName } from '../vocabulary.js';
import type { ComparisonOperator, ObservedUnit, Threshold, ThresholdScope, ThresholdStat } from './threshold-types.js';
import { TailscopeError } from '../../shared/errors.js';

/** A threshold expression that does not parse; `position` is the 0-based offset of the offending text. */
export class ThresholdSyntaxError extends TailscopeError {
  readonly code = 'E_THRESHOLD';
  constructor(
    readonly expression: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`invalid threshold "${expression}" at column ${position + 1}: ${reason}`);
  }
}

const OPERATORS: readonly ComparisonOperator[] = ['<=', '>=', '==', '!=', '<', '>'];
const LATENCY_MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1000, us: 0.001, µs: 0.001 };
const STATUS_PATTERN = /^[1-5](?:\d\d|xx)$/;
const METRICS: ReadonlySet<string> = new Set([...METRIC_NAMES, ...FLOW_METRIC_NAMES]);

/** Reads the expression left to right, keeping the offset so every error can point at its place. */
class Scanner {
  position = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.position < this.text.length && /\s/.test(this.text[this.position]!)) this.position++;
  }

  peek(): string {
    return this.text[this.position] ?? '';
  }

  /** Consumes the longest run matching `pattern` (a sticky regex) and returns it, or '' when none. */
  take(pattern: RegExp): string {
    pattern.lastIndex = this.position;
    const match = pattern.exec(this.text);
    if (!match || match.index !== this.position) return '';
    this.position += match[0].length;
    return match[0];
  }

  fail(reason: string, at = this.position): never {
    throw new ThresholdSyntaxError(this.text, at, reason);
  }

  atEnd(): boolean {
    return this.position >= this.text.length;
  }
}

/**
 * Parses one threshold such as `p99 < 800ms`, `p99.9(ttfb) < 1s`, `error_rate < 1%`, `throughput > 200`,
 * `p99{request=generate} < 2s`, `status(5xx) < 0.5%`, `checks > 99%`. Pure; throws ThresholdSyntaxError.
 *
 * Grammar: stat ["(" arg ["{" tags "}"] ")"] ["{" tags "}"] operator number [unit], where tags are
 * (request|name|stage|attempts) "=" value, comma-separated: `p99(flow{name=job}) < 30s` and `p99(flow){name=job}`
 * read the same.
 */
export function parseThreshold(expression: string): Threshold {
  const s: Scanner = new Scanner(expression);
  s.skipSpace();
  if (s.atEnd()) s.fail('empty expression; write e.g. "p99 < 800ms"');

  const statAt = s.position;
  const name = s.take(/[A-Za-z_][A-Za-z0-9_.]*/y);
  if (!name) s.fail(`expected a stat (p99, mean, max, error_rate, checks, throughput, status(5xx), ...), got "${s.peek()}"`);

  let arg: { text: string; at: number } | undefined;
  let innerTags: { scope: ThresholdScope; attempts: Threshold['attempts'] } | undefined;
  s.skipSpace();
  if (s.peek() === '(') {
    s.position++;
    s.skipSpace();
    const at = s.position;
    const text = s.take(/[A-Za-z0-9_]+/y);
    if (!text) s.fail('expected a metric name or status inside "( )"');
    s.skipSpace();
    // k6 writes tags beside the metric, inside the parentheses: p99(flow{name=job}).
    if (s.peek() === '{') innerTags = parseTags(s);
    s.skipSpace();
    if (s.peek() !== ')') s.fail('expected ")"');
    s.position++;
    arg = { text, at };
  }
  const stat = statOf(s, name, statAt, arg);

  s.skipSpace();
  let scope: ThresholdScope = innerTags?.scope;
  let attempts: Threshold['attempts'] = innerTags?.attempts ?? 'successful';
  if (s.peek() === '{') {
    if (innerTags) s.fail('tags go inside the parentheses or after them, not both');
    ({ scope, attempts } = parseTags(s));
  }
  if (arg && scope && 'stage' in scope && (FLOW_METRIC_NAMES as readonly string[]).includes(arg.text))
    s.fail(`${arg.text} is recorded per run, not per stage: scope it with {name=...}`, arg.at);

  s.skipSpace();
  const operator = OPERATORS.find((op) => expression.startsWith(op, s.position));
  if (!operator) {
    if (s.peek() === '=') s.fail('"=" is not an operator; use "==" (or <, <=, >, >=, !=)');
    s.fail(
      s.atEnd()
        ? 'expected an operator (<, <=, >, >=, ==, !=) and a limit'
        : `expected an operator (<, <=, >, >=, ==, !=), got "${s.peek()}"`,
    );
  }
  s.position += operator.length;

  s.skipSpace();
  const numberAt = s.position;
  const number = s.take(/\d+(?:\.\d+)?|\.\d+/y);
  if (!number) s.fail(s.atEnd() ? 'expected a number after the operator' : `expected a number, got "${s.peek()}"`);
  s.skipSpace();
  const unitAt = s.position;
  const unitText = s.take(/[A-Za-zµ%/]+(?:\/s)?/y);
  s.skipSpace();
  if (!s.atEnd()) s.fail(`unexpected "${expression.slice(s.position)}" after the limit`);

  const { limit, unit } = limitOf(s, stat, Number(number), unitText, unitAt, numberAt);
  return { expression: expression.trim(), stat, scope, attempts, operator, limit, unit };
}

function statOf(s: Scanner, name: string, at: number, arg: { text: string; at: number } | undefined): ThresholdStat {
  const metricOf = (): MetricName | FlowMetricName => {
    if (!arg) return 'total';
    if (!METRICS.has(arg.text)) s.fail(`unknown metric "${arg.text}"; one of ${[...METRICS].join(', ')}`, arg.at);
    return arg.text as MetricName | FlowMetricName;
  };
  const noArg = () => {
    if (arg) s.fail(`${name} takes no "( )" argument`, arg.at);
  };
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(name);
  if (percentile) {
    const p = Number(percentile[1]);
    if (!(p > 0 && p < 100)) s.fail(`percentile must be above 0 and below 100 (use max for the largest), got ${percentile[1]}`, at);
    return { kind: 'percentile', percentile: p, metric: metricOf() };
  }
  switch (name) {
    case 'mean':
    case 'avg':
      return { kind: 'mean', metric: metricOf() };
    case 'min':
    case 'max':
      return { kind: name, metric: metricOf() };
    case 'error_rate': {
      if (!arg) return { kind: 'error_rate' };
      // error_rate is the attempts'; error_rate(call) the calls' (after retries, what the caller saw fail); flows
      // and jobs have a failure share of their own: error_rate(flow{name=job}), error_rate(completion).
      if (arg.text === 'call') return { kind: 'error_rate', level: 'call' };
      if (!(FLOW_METRIC_NAMES as readonly string[]).includes(arg.text))
        s.fail(`error_rate takes no "( )" argument but call, flow or completion (error_rate(flow{name=job})), got "${arg.text}"`, arg.at);
      return { kind: 'error_rate', metric: arg.text as FlowMetricName };
    }
    case 'throughput':
      noArg();
      return { kind: 'throughput' };
    case 'requests':
      noArg();
      return { kind: 'requests' };
    case 'checks':
      noArg();
      return { kind: 'checks' };
    case 'status':
    case 'rate': {
      if (!arg) s.fail(`${name} needs a status or class, e.g. ${name}(429) or ${name}(5xx)`);
      if (!STATUS_PATTERN.test(arg.text)) s.fail(`expected a status like 429 or a class like 5xx, got "${arg.text}"`, arg.at);
      return { kind: 'status', status: arg.text };
    }
    default:
      return s.fail(
        `unknown stat "${name}"; use pNN (p99, p99.9), mean, min, max, error_rate, checks, throughput, requests or status(5xx)`,
        at,
      );
  }
}

/** `{request=generate}`, `{stage=step 32}`, `{attempts=all}`, or one of the first two with attempts=all. */
function parseTags(s: Scanner): { scope: ThresholdScope; attempts: Threshold['attempts'] } {
  s.position++; // "{"
  let scope: ThresholdScope;
  let attempts: Threshold['attempts'] = 'successful';
  for (;;) {
    s.skipSpace();
    const keyAt = s.position;
    const key = s.take(/[A-Za-z_]+/y);
    if (key !== 'request' && key !== 'name' && key !== 'stage' && key !== 'attempts') {
      s.fail(`expected "request=", "stage=" or "attempts=" inside "{ }"${key ? `, got "${key}"` : ''}`, keyAt);
    }
    s.skipSpace();
    if (s.peek() !== '=') s.fail('expected "=" after the tag name');
    s.position++;
    s.skipSpace();
    const valueAt = s.position;
    const value = s.take(/[^}\s,]+/y);
    if (!value) s.fail('expected a value after "="', valueAt);
    if (key === 'attempts') {
      if (value !== 'all' && value !== 'successful') s.fail(`attempts is "all" or "successful", got "${value}"`, valueAt);
      attempts = value;
    } else {
      if (scope) s.fail('one of request or stage per threshold', keyAt);
      scope = key === 'stage' ? { stage: value } : { request: value };
    }
    s.skipSpace();
    if (s.peek() === ',') {
      s.position++;
      continue;
    }
    if (s.peek() !== '}') s.fail('expected "}"');
    s.position++;
    return { scope, attempts };
  }
}

function limitOf(
  s: Scanner,
  stat: ThresholdStat,
  value: number,
  unitText: string,
  unitAt: number,
  numberAt: number,
): { limit: number; unit: ObservedUnit } {
  switch (stat.kind) {
    case 'percentile':
    case 'mean':
    case 'min':
    case 'max': {
      // A bare number is milliseconds, as in k6.
      if (unitText === '') return { limit: value, unit: 'ms' };
      const factor = LATENCY_MS_PER_UNIT[unitText];
      if (factor === undefined) s.fail(`a latency limit takes ms, s or us, got "${unitText}"`, unitAt);
      return { limit: value * factor, unit: 'ms' };
    }
    case 'error_rate':
    case 'checks':
    case 'status': {
      if (unitText === '%') {
        if (value > 100) s.fail(`a share cannot exceed 100%, got ${value}%`, numberAt);
        return { limit: value, unit: '%' };
      }
      if (unitText !== '') s.fail(`a share takes "%" or a ratio from 0 to 1, got "${unitText}"`, unitAt);
      if (value > 1) s.fail(`a bare share is a ratio from 0 to 1; write ${value}% if percent was meant`, numberAt);
      return { limit: value * 100, unit: '%' };
    }
    case 'throughput':
      if (unitText !== '' && unitText !== '/s' && unitText !== 'rps')
        s.fail(`throughput is in requests per second: a bare number, "/s" or "rps", got "${unitText}"`, unitAt);
      return { limit: value, unit: 'req/s' };
    case 'requests':
      if (unitText !== '') s.fail(`requests is a count and takes no unit, got "${unitText}"`, unitAt);
      return { limit: value, unit: 'requests' };
  }
}

/** The stat as a short label: `p99.9(ttfb){request=generate}`; the metric is omitted when it is `total`. */
export function statLabel(threshold: Pick<Threshold, 'stat' | 'scope'> & Partial<Pick<Threshold, 'attempts'>>): string {
  const { stat, scope } = threshold;
  let label: string;
  switch (stat.kind) {
    case 'percentile':
      label = `p${stat.percentile}`;
      break;
    case 'status':
      label = `status(${stat.status})`;
      break;
    case 'error_rate':
      label = stat.level === 'call' ? 'error_rate(call)' : 'error_rate';
      break;
    default:
      label = stat.kind;
  }
  if ('metric' in stat && stat.metric !== undefined && stat.metric !== 'total') label += `(${stat.metric})`;
  // Flows and async steps are named, not requests: `p99(flow){name=job}`.
  const flowMetric = 'metric' in stat && stat.metric !== undefined && (FLOW_METRIC_NAMES as readonly string[]).includes(stat.metric);
  if (scope && 'request' in scope) label += flowMetric ? `{name=${scope.request}}` : `{request=${scope.request}}`;
  if (scope && 'stage' in scope) label += `{stage=${scope.stage}}`;
  if (threshold.attempts === 'all') label += '{attempts=all}';
  return label;
}
