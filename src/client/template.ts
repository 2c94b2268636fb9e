/**
 * Body templates: `{{ prompts }}` takes the next row of the `prompts` feeder; `{{ prompts.text }}` one field
 * of it. A string that is exactly one placeholder becomes the row's value itself (object, number or string);
 * placeholders inside longer strings are replaced by text.
 */
export type Row = unknown;
export type RowSource = (feeder: string) => Row;

import { EMBEDDED_PLACEHOLDER as EMBEDDED, WHOLE_PLACEHOLDER as WHOLE } from '../shared/placeholders.js';

export { feedersUsed } from '../shared/placeholders.js';

/**
 * Fills a template. Rows are drawn once per feeder per call, so `{{ p.a }}` and `{{ p.b }}` in one body
 * read the same row.
 */
export function renderTemplate(template: unknown, next: RowSource): unknown {
  const drawn = new Map<string, Row>();
  const rowOf = (feeder: string) => {
    if (!drawn.has(feeder)) drawn.set(feeder, next(feeder));
    return drawn.get(feeder);
  };
  const fill = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('{{')) return value;
      const whole = WHOLE.exec(value);
      if (whole) return pick(rowOf(whole[1]!), whole[2]!);
      return value.replace(EMBEDDED, (_m, feeder: string, fields: string) => {
        const picked = pick(rowOf(feeder), fields);
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

function pick(row: Row, fields: string): unknown {
  let value = row;
  for (const field of fields.split('.').slice(1)) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
  }
  return value;
}
