import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkDraft, draftFromOpenApi, renderDraft } from '../../src/scenario/init/index.js';
import { exampleOf } from '../../src/scenario/init/openapi.js';

/** A dereferenced document exercising what the draft reads, with `x-` extensions that must change nothing. */
const doc = {
  openapi: '3.1.0',
  info: { title: 'Shop API', version: '2.3' },
  servers: [{ url: 'https://{region}.shop.example/api/{version}', variables: { region: { default: 'eu' }, version: { default: 'v2' } } }],
  security: [{ key: [] }],
  'x-internal': { servers: [{ url: 'http://ignored' }] },
  components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } } },
  paths: {
    'x-note': { get: { operationId: 'never' } },
    '/orders/{orderId}': {
      parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string', example: 'A 17' } }],
      get: {
        operationId: 'getOrder',
        'x-rate-limit': 5,
        parameters: [
          { name: 'expand', in: 'query', required: true, schema: { type: 'string', enum: ['lines', 'none'] } },
          { name: 'debug', in: 'query', schema: { type: 'boolean' } },
        ],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/orders': {
      post: {
        summary: 'Place an order',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['sku', 'quantity', 'shipTo'],
                properties: {
                  sku: { type: 'string', 'x-faker': 'ignored' },
                  quantity: { type: 'integer', minimum: 1 },
                  note: { type: 'string' },
                  gift: { type: 'boolean', default: false },
                  shipTo: { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } },
                },
              },
            },
          },
        },
        responses: { '201': { description: 'created' } },
      },
    },
    '/users/{id}': { delete: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: {} } },
  },
};

describe('init --from-openapi (draft)', () => {
  const draft = draftFromOpenApi(doc, 'shop.yaml');
  const text = renderDraft(draft);
  const written = parse(text) as Record<string, unknown>;

  it('takes the target from servers[0] with its variables at their defaults, base path kept', () => {
    expect(written.target).toEqual({ url: 'https://eu.shop.example/api/v2' });
  });

  it('turns the API key scheme into a header from ${API_KEY}', () => {
    expect(written.auth).toEqual({ header: { name: 'X-Api-Key', value: '${API_KEY}' } });
  });

  it('writes one request per operation, examples filled in, x- extensions ignored', () => {
    expect(written.requests).toEqual([
      { name: 'getOrder', method: 'GET', path: '/orders/A%2017', query: { expand: 'lines' } },
      {
        name: 'post-orders',
        method: 'POST',
        path: '/orders',
        json: { sku: 'example', quantity: 1, gift: false, shipTo: { email: 'user@example.com' } },
      },
    ]);
    expect(text).toContain('# not sent: path parameter "id" has no example or default');
    expect(text).not.toContain('never');
    expect(text).not.toContain('ignored');
  });

  it('passes the scenario reader', () => {
    expect(() => checkDraft(text, 'shop.yaml')).not.toThrow();
  });

  it.each([
    [
      'OAuth2 client credentials',
      { o: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: { read: '', write: '' } } } } },
      { oauth2: { tokenUrl: '/oauth/token', clientId: '${CLIENT_ID}', clientSecret: '${CLIENT_SECRET}', scope: 'read write' } },
    ],
    ['bearer', { b: { type: 'http', scheme: 'bearer' } }, { header: { name: 'authorization', value: 'Bearer ${API_TOKEN}' } }],
    ['basic', { b: { type: 'http', scheme: 'basic' } }, { header: { name: 'authorization', value: 'Basic ${BASIC_CREDENTIALS}' } }],
    [
      'an OAuth2 flow it cannot run falls through to none',
      { o: { type: 'oauth2', flows: { implicit: { authorizationUrl: '/a', scopes: {} } } } },
      undefined,
    ],
  ])('maps %s', (_label, securitySchemes, auth) => {
    const d = draftFromOpenApi({ ...doc, security: undefined, components: { securitySchemes } }, 'x.yaml');
    expect(d.auth?.value).toEqual(auth);
  });

  it('leaves the OAuth2 token endpoint out of the load', () => {
    const d = draftFromOpenApi(
      {
        openapi: '3.0.3',
        info: { title: 't', version: '1' },
        servers: [{ url: '/v1' }],
        components: { securitySchemes: { o: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: {} } } } } },
        paths: { '/oauth/token': { post: { responses: {} } }, '/ping': { get: { responses: {} } } },
      },
      't.yaml',
    );
    expect(d.requests.map((r) => r.path)).toEqual(['/ping']);
    expect(d.target.url).toBe('${TARGET_URL}/v1');
    expect(() => checkDraft(renderDraft(d), 't.yaml')).not.toThrow();
  });

  it.each([
    [{ type: 'string', example: 'x' }, 'x'],
    [{ type: 'integer', minimum: 3.5 }, 4],
    [{ type: 'array', items: { type: 'string', format: 'date' } }, ['2026-01-01']],
    [{ oneOf: [{ type: 'number' }, { type: 'string' }] }, 1],
    [
      {
        allOf: [
          { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
          { type: 'object', required: ['b'], properties: { b: { type: 'boolean' } } },
        ],
      },
      { a: 'example', b: false },
    ],
    [{ type: ['string', 'null'], format: 'uuid' }, '00000000-0000-4000-8000-000000000000'],
  ])('example of %j', (schema, expected) => {
    expect(exampleOf(schema, 0)).toEqual(expected);
  });
});
