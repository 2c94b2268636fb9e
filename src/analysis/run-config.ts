import { DEFAULTS } from '../scenario/defaults.js';
import { parseDurationMs } from '../shared/units.js';

/**
 * What the advice needs to know of how the run itself was configured, read back from the scenario as run
 * (`result.scenario.definition`): the client's own timeouts (they censor what the run could see) and each
 * request's method and transport. The definition was validated when the run started; anything missing or
 * unreadable here (a `${VAR}` left in a hand-edited result) falls back to the scenario defaults, which is what
 * the run used when the field was absent.
 */

export interface ConfiguredTimeouts {
  connectMs: number;
  firstByteMs: number;
  totalMs: number;
  idleMs: number;
}

export type Transport = 'plain' | 'sse' | 'ws';

export interface ConfiguredRequest {
  name: string;
  method: string;
  transport: Transport;
  /** the request carries an Idempotency-Key header, so a retry of a non-idempotent method is safe to send */
  idempotencyKey: boolean;
}

export interface RunConfig {
  timeouts: ConfiguredTimeouts;
  requests: ConfiguredRequest[];
}

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

function durationOr(value: unknown, fallbackMs: number): number {
  if (typeof value !== 'string' && typeof value !== 'number') return fallbackMs;
  return parseDurationMs(value) ?? fallbackMs;
}

export function runConfigOf(definition: unknown): RunConfig {
  const client = record(record(definition).client);
  const t = record(client.timeouts);
  const d = DEFAULTS.timeouts;
  const requests = Array.isArray(record(definition).requests) ? (record(definition).requests as unknown[]) : [];
  return {
    timeouts: {
      connectMs: durationOr(t.connect, d.connectMs),
      firstByteMs: durationOr(t.firstByte, d.firstByteMs),
      totalMs: durationOr(t.total, d.totalMs),
      idleMs: durationOr(t.idle, d.idleMs),
    },
    requests: requests.map((raw, index) => {
      const r = record(raw);
      const stream = r.stream === 'sse' || r.stream === 'ws' ? r.stream : 'plain';
      return {
        name: typeof r.name === 'string' ? r.name : `request ${index + 1}`,
        method: typeof r.method === 'string' ? r.method.toUpperCase() : DEFAULTS.method,
        transport: stream,
        idempotencyKey: Object.keys(record(r.headers)).some((h) => h.toLowerCase() === 'idempotency-key'),
      };
    }),
  };
}

/**
 * RFC 9110 §9.2.2: POST and PATCH are not idempotent; a retry after a timeout may apply the request twice
 * unless the server deduplicates it by an Idempotency-Key.
 */
export const NON_IDEMPOTENT_METHODS: readonly string[] = ['POST', 'PATCH'];

export function retrySafeOnTimeout(request: ConfiguredRequest): boolean {
  return !NON_IDEMPOTENT_METHODS.includes(request.method) || request.idempotencyKey;
}
