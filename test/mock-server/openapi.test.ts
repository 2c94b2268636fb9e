import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validate } from '@readme/openapi-parser';
import { EXACT_ROUTES, JOB_ROUTE, STREAM_ROUTE } from '../../mock-server/routes/table.js';

const docPath = fileURLToPath(new URL('../../mock-server/openapi.yaml', import.meta.url));

/** OpenAPI path templates as the route table spells them (`/v1/jobs/{id}` is both). */
function mockRoutes(): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  // Routes with an empty label are the /__admin/* controls, kept out of stats and out of the API description.
  for (const [path, route] of EXACT_ROUTES) if (route.label !== '') routes.set(path, Object.keys(route.methods));
  routes.set(JOB_ROUTE.label, Object.keys(JOB_ROUTE.methods));
  // The WebSocket route answers only an upgrade, a GET.
  routes.set(STREAM_ROUTE.label, ['GET']);
  return routes;
}

describe('mock-server/openapi.yaml', () => {
  it('is a valid OpenAPI 3 document', async () => {
    const result = await validate(parse(await readFile(docPath, 'utf8')) as never);
    expect(result.valid, JSON.stringify(result)).toBe(true);
  });

  it("describes exactly the mock's routes and methods (HEAD aside, which GET implies)", async () => {
    const doc = parse(await readFile(docPath, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    const described = new Map(
      Object.entries(doc.paths).map(([path, item]) => [
        path,
        Object.keys(item)
          .map((m) => m.toUpperCase())
          .sort(),
      ]),
    );
    const actual = new Map([...mockRoutes()].map(([path, methods]) => [path, methods.filter((m) => m !== 'HEAD').sort()]));
    expect(Object.fromEntries(described)).toEqual(Object.fromEntries(actual));
  });
});
