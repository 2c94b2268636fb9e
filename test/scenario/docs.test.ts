import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { docOf, FIELD_DOCS, renderScenarioDocs, schemaFields } from '../../scripts/scenario-docs.js';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.js';

describe('docs/scenarios.md', () => {
  it('is the page generated from the JSON Schema (run `npm run schema` after changing the schema or a description)', () => {
    const page = readFileSync(new URL('../../docs/scenarios.md', import.meta.url), 'utf8');
    expect(page).toBe(renderScenarioDocs(scenarioJsonSchema()));
  });

  it('describes every field of the schema, and no field it does not have', () => {
    const paths = schemaFields(scenarioJsonSchema()).map((f) => f.path);
    expect(paths.filter((p) => docOf(p) === undefined)).toEqual([]);
    expect(Object.keys(FIELD_DOCS).filter((p) => !paths.includes(p))).toEqual([]);
    expect(paths).toContain('client.tls.ca');
    expect(paths).toContain('requests[].query');
    expect(paths).toContain('flows[].steps[].poll.until.json');
  });

  it('refuses to render when a field has no description', () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, unknown> };
    schema.properties.brandNew = { type: 'string' };
    expect(() => renderScenarioDocs(schema)).toThrow('fields without a description in scripts/scenario-docs.ts: brandNew');
  });

  it.each(Object.entries(FIELD_DOCS))('the example of %s is YAML', (_path, doc) => {
    expect(() => void parse(doc.example)).not.toThrow();
  });
});
