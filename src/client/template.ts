import { randomUUID } from 'node:crypto';
import { EMBEDDED_PLACEHOLDER as EMBEDDED, WHOLE_PLACEHOLDER as WHOLE } from '../shared/placeholders.js';

/**
 * Templates: `{{ prompts }}` takes the next row of the `prompts` feeder; `{{ prompts.text }}` one field of it;
 * built-ins give the request's `{{ uuid }}`, `{{ vu }}`, `{{ iteration }}`, `{{ now }}` and `{{ random(1, 100) }}`
 * (see shared/placeholders.ts; unknown names were refused when the scenario was read). A string that is exactly
 * one placeholder becomes the value itself (object, number or string); placeholders inside longer strings are
 * replaced by text.
 */
export type Row = unknown;
export type RowSource = (feeder: string) => Row;

export { feedersUsed } from '../shared/placeholders.js';

/** What the built-ins read for one request. */
export interface TemplateContext {
  /** the virtual user sending it (1-based, unique across workers); 0 where there are no users (open model, warm-up) */
  vu: number;
  /** the user's own count of iterations so far (0-based; one per request for `requests:`); in an open model the arrival's number */
  iteration: number;
  /** wall-clock ms since the epoch: a value for the target, never a measurement */
  nowMs: () => number;
  /** the worker's seeded PRNG, [0, 1) */
  random: () => number;
  /** a fresh version-4 UUID */
  uuid: () => string;
}

export const DEFAULT_CONTEXT: TemplateContext = { vu: 0, iteration: 0, nowMs: Date.now, random: Math.random, uuid: randomUUID };

/**
 * Fills a template. Rows are drawn once per feeder per call, so `{{ p.a }}` and `{{ p.b }}` in one body read the
 * same row; `{{ uuid }}` and `{{ now }}` are one value per call too (the same id in a header and the body), while
 * each `{{ random(a, b) }}` draws anew. A call renders one request: pass the same `drawn` map to render its
 * path, headers and body from the same rows and id.
 */
export function renderTemplate(
  template: unknown,
  next: RowSource,
  context: TemplateContext = DEFAULT_CONTEXT,
  drawn = new Map<string, unknown>(),
): unknown {
  const once = (key: string, make: () => unknown) => {
    if (!drawn.has(key)) drawn.set(key, make());
    return drawn.get(key);
  };
  const valueOf = (name: string, fields: string | undefined, low: string | undefined, high: string | undefined): unknown => {
    switch (name) {
      case 'uuid':
        return once('\0uuid', context.uuid);
      case 'now':
        return once('\0now', context.nowMs);
      case 'vu':
        return context.vu;
      case 'iteration':
        return context.iteration;
      case 'random':
        if (low !== undefined) return randomInt(Number(low), Number(high), context.random);
    }
    return pick(
      once(name, () => next(name)),
      fields ?? '',
    );
  };
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('{{')) return value;
      const whole = WHOLE.exec(value);
      if (whole) return valueOf(whole[1]!, whole[2], whole[3], whole[4]);
      return value.replace(EMBEDDED, (_m, name: string, fields: string | undefined, low: string | undefined, high: string | undefined) => {
        const picked = valueOf(name, fields, low, high);
        return typeof picked === 'string' ? picked : JSON.stringify(picked);
      });
    }
    if (Array.isArray(value)) return value.map(fill);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = fill(item);
      return out;
    }
    return value;
  };
  return fill(template);
}

/** A uniform integer in [low, high], both ends included. */
export function randomInt(low: number, high: number, random: () => number): number {
  return low + Math.floor(random() * (high - low + 1));
}

function pick(row: Row, fields: string): unknown {
  let value = row;
  for (const field of fields.split('.').slice(1)) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
  }
  return value;
}
