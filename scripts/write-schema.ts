// Regenerates scenarios/scenario.schema.json from the zod schema, and docs/scenarios.md from both (npm run schema).
import { writeFileSync } from 'node:fs';
import { scenarioJsonSchema } from '../src/scenario/json-schema.js';
import { renderScenarioDocs } from './scenario-docs.js';

const schema = scenarioJsonSchema();
writeFileSync(new URL('../scenarios/scenario.schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync(new URL('../docs/scenarios.md', import.meta.url), renderScenarioDocs(schema));
