import { z } from 'zod';
import { closedStageShapes, openStageShapes, scenarioSchema } from './schema.js';
import { checkShapes } from './check-schema.js';

/**
 * The scenario's JSON Schema, generated from the same zod schema that validates it, so editors
 * (yaml-language-server, VS Code) complete and check exactly what tailscope accepts.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  // Stages are validated one by one against the shape their leading key names (see read.ts); describe
  // them here as the union an editor can complete.
  const stageUnion = (shapes: Record<string, z.ZodType>) => ({
    anyOf: Object.values(shapes).map((shape) => z.toJSONSchema(shape, { io: 'input', unrepresentable: 'any' })),
  });
  const load = (schema.properties as Record<string, { properties: Record<string, unknown> }>).load!;
  load.properties.closed = { type: 'array', minItems: 1, items: stageUnion(closedStageShapes) };
  load.properties.open = { type: 'array', minItems: 1, items: stageUnion(openStageShapes) };
  // Checks likewise: each by its leading key (status, json, body, header), see check-schema.ts.
  const requests = (schema.properties as Record<string, { items: { properties: Record<string, unknown> } }>).requests!;
  requests.items.properties.checks = { type: 'array', items: stageUnion(checkShapes) };
  return {
    title: 'tailscope scenario',
    ...schema,
  };
}
