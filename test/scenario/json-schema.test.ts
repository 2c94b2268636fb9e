import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.js';

describe('the published scenario JSON Schema', () => {
  it('is the one generated from the validating schema (run `npm run schema` after changing it)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../scenarios/scenario.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));
  });

  it('describes load stages by their shapes and refuses unknown top-level fields', () => {
    const schema = scenarioJsonSchema() as {
      additionalProperties: unknown;
      properties: { load: { properties: { closed: { items: { anyOf: unknown[] } } } } };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.load.properties.closed.items.anyOf).toHaveLength(4);
  });
});
