/**
 * The parts of Envoy's v3 API the Envoy snippet uses, written from Envoy's API reference
 * (config.route.v3.Route / RouteAction / RetryPolicy, config.cluster.v3.Cluster / CircuitBreakers) and the router
 * filter's list of retry conditions (x-envoy-retry-on). Each message lists its fields with their proto types;
 * `check` walks a parsed YAML value and returns every problem as "path: reason", so a test can print them all.
 */

type FieldType =
  | { kind: 'string' }
  | { kind: 'uint32' }
  | { kind: 'double' }
  | { kind: 'bool' }
  | { kind: 'duration' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'message'; message: Message }
  | { kind: 'repeated'; of: FieldType }
  | { kind: 'any' };

type Message = Record<string, FieldType>;

const string: FieldType = { kind: 'string' };
const uint32: FieldType = { kind: 'uint32' };
const double: FieldType = { kind: 'double' };
const bool: FieldType = { kind: 'bool' };
const duration: FieldType = { kind: 'duration' };
const any: FieldType = { kind: 'any' };
const message = (m: Message): FieldType => ({ kind: 'message', message: m });
const repeated = (of: FieldType): FieldType => ({ kind: 'repeated', of });

/** config.route.v3.RetryPolicy.RetryBackOff */
const RetryBackOff: Message = { base_interval: duration, max_interval: duration };

/** config.route.v3.RetryPolicy (the fields a route's retry policy may set) */
export const RetryPolicy: Message = {
  retry_on: string,
  num_retries: uint32,
  per_try_timeout: duration,
  per_try_idle_timeout: duration,
  retry_priority: any,
  retry_host_predicate: repeated(any),
  retry_options_predicates: repeated(any),
  host_selection_retry_max_attempts: { kind: 'uint32' },
  retriable_status_codes: repeated(uint32),
  retry_back_off: message(RetryBackOff),
  rate_limited_retry_back_off: any,
  retriable_headers: repeated(any),
  retriable_request_headers: repeated(any),
};

/** config.route.v3.HedgePolicy */
const HedgePolicy: Message = { initial_requests: uint32, additional_request_chance: any, hedge_on_per_try_timeout: bool };

/** config.route.v3.RouteAction (the subset of its many fields that concern timeouts and retries, and cluster) */
export const RouteAction: Message = {
  cluster: string,
  cluster_header: string,
  timeout: duration,
  idle_timeout: duration,
  retry_policy: message(RetryPolicy),
  hedge_policy: message(HedgePolicy),
  max_stream_duration: any,
  prefix_rewrite: string,
};

/** config.route.v3.RouteMatch (path matchers only) */
const RouteMatch: Message = { prefix: string, path: string, safe_regex: any, path_separated_prefix: string, headers: repeated(any) };

export const Route: Message = { name: string, match: message(RouteMatch), route: message(RouteAction) };

/** config.cluster.v3.CircuitBreakers.Thresholds.RetryBudget (budget_percent is a type.v3.Percent) */
const RetryBudget: Message = { budget_percent: message({ value: double }), min_retry_concurrency: uint32 };

/** config.cluster.v3.CircuitBreakers.Thresholds */
const Thresholds: Message = {
  priority: { kind: 'enum', values: ['DEFAULT', 'HIGH'] },
  max_connections: uint32,
  max_pending_requests: uint32,
  max_requests: uint32,
  max_retries: uint32,
  retry_budget: message(RetryBudget),
  track_remaining: bool,
  max_connection_pools: uint32,
};

/** config.cluster.v3.Cluster (the fields the snippet sets, and the ones a reader would add beside them) */
export const Cluster: Message = {
  name: string,
  type: { kind: 'enum', values: ['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'] },
  connect_timeout: duration,
  lb_policy: any,
  load_assignment: any,
  circuit_breakers: message({ thresholds: repeated(message(Thresholds)), per_host_thresholds: repeated(message(Thresholds)) }),
};

/** The retry conditions of the router filter's x-envoy-retry-on (and RetryPolicy.retry_on), as Envoy documents them. */
export const RETRY_ON = [
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'envoy-ratelimited',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'http3-post-connect-failure',
] as const;

/** proto3 JSON Duration: seconds with up to nine fractional digits, suffixed "s". */
const DURATION = /^-?\d+(\.\d{1,9})?s$/;

export function durationSeconds(value: string): number {
  return Number(value.slice(0, -1));
}

export function check(value: unknown, type: FieldType, path: string): string[] {
  switch (type.kind) {
    case 'any':
      return [];
    case 'string':
      return typeof value === 'string' ? [] : [`${path}: expected a string, got ${JSON.stringify(value)}`];
    case 'bool':
      return typeof value === 'boolean' ? [] : [`${path}: expected a bool`];
    case 'uint32':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff
        ? []
        : [`${path}: expected a uint32, got ${JSON.stringify(value)}`];
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? [] : [`${path}: expected a number`];
    case 'duration':
      return typeof value === 'string' && DURATION.test(value)
        ? []
        : [`${path}: expected a Duration like "1.5s", got ${JSON.stringify(value)}`];
    case 'enum':
      return type.values.includes(value as string) ? [] : [`${path}: ${JSON.stringify(value)} is not one of ${type.values.join(', ')}`];
    case 'repeated':
      return Array.isArray(value) ? value.flatMap((item, i) => check(item, type.of, `${path}[${i}]`)) : [`${path}: expected a list`];
    case 'message': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object`];
      return Object.entries(value).flatMap(([key, field]) => {
        const fieldType = type.message[key];
        return fieldType ? check(field, fieldType, `${path}.${key}`) : [`${path}.${key}: not a field of this Envoy message`];
      });
    }
  }
}
