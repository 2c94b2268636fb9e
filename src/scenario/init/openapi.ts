import { slug } from '../../shared/format.js';
import { uniqueNames, type DraftRequest, type ScenarioDraft } from './draft.js';

/**
 * A scenario drafted from a dereferenced OpenAPI 3 document (no `$ref` left): servers → target with its base
 * path, a security scheme → auth (OAuth2 client credentials, bearer, basic or an API key, secrets as
 * `${VARIABLES}`), each operation → a request with an example body built from its schema. `x-` extensions are
 * never read. Pure: the document comes in parsed, validated and dereferenced (see the init command).
 */

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
/** How deep example bodies follow nested objects: a recursive schema must end somewhere. */
const MAX_EXAMPLE_DEPTH = 6;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const obj = (value: unknown): Json => (isObject(value) ? value : {});
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function draftFromOpenApi(doc: Json, source: string): ScenarioDraft {
  const info = obj(doc.info);
  const title = str(info.title) ?? 'API';
  const variables: ScenarioDraft['variables'] = [];
  const target = targetOf(doc, variables);
  const auth = authOf(doc, variables);
  const requests: DraftRequest[] = [];
  const skipped: string[] = [];
  for (const [path, item] of Object.entries(obj(doc.paths))) {
    if (path.startsWith('x-') || !isObject(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters.filter(isObject) : [];
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      if (auth?.tokenPath === path && method === 'post') {
        skipped.push(`POST ${path} is the OAuth2 token endpoint auth.oauth2 uses: not sent as load`);
        continue;
      }
      requests.push(requestOf(path, method, operation, shared, auth?.apiKeyQuery));
    }
  }
  const version = str(info.version);
  return {
    header: [
      `Drafted by \`tailscope init --from-openapi ${source}\` from "${title}"${version ? ` (version ${version})` : ''}.`,
      'Each operation is one request, weighted equally; the load and SLO below are placeholders to set.',
      ...skipped,
    ],
    name: slug(title),
    target,
    ...(auth ? { auth: { value: auth.value, comment: auth.comment } } : {}),
    requestsComment: ['One request per operation, drawn at random by weight (weight: 1 unless set).'],
    requests: uniqueNames(requests),
    variables,
  };
}

/** servers[0] with its variables at their defaults; a relative server URL (or none) needs the origin from the user. */
function targetOf(doc: Json, variables: ScenarioDraft['variables']): ScenarioDraft['target'] {
  const servers = Array.isArray(doc.servers) ? doc.servers.filter(isObject) : [];
  const server = servers[0];
  let url = str(server?.url) ?? '/';
  for (const [name, variable] of Object.entries(obj(server?.variables))) {
    url = url.replaceAll(`{${name}}`, String(scalarOf(obj(variable).default ?? '')));
  }
  const more = servers.length > 1 ? ` (${servers.length - 1} more servers listed; --target picks another)` : '';
  if (/^https?:\/\//i.test(url)) return { url: url.replace(/\/+$/, ''), comment: `servers[0]${more}` };
  variables.push({ name: 'TARGET_URL', meaning: "the API's origin, e.g. https://api.example.com (servers[0] is relative)" });
  const base = url.replace(/^\.?\/*/, '').replace(/\/+$/, '');
  return {
    url: `\${TARGET_URL}${base ? `/${base}` : ''}`,
    comment: `servers[0] is "${url}": relative, so the origin comes from TARGET_URL${more}`,
  };
}

interface DraftAuth {
  value: Record<string, unknown>;
  comment: string[];
  /** the token endpoint's path, kept out of the load */
  tokenPath?: string;
  /** an API key sent as a query parameter on every request */
  apiKeyQuery?: { name: string; value: string };
}

/** The first security requirement tailscope can express, else the first scheme declared. */
function authOf(doc: Json, variables: ScenarioDraft['variables']): DraftAuth | undefined {
  const schemes = obj(obj(doc.components).securitySchemes);
  const required = (Array.isArray(doc.security) ? doc.security.filter(isObject) : []).flatMap((req) => Object.keys(req));
  const order = [...new Set([...required, ...Object.keys(schemes)])];
  for (const name of order) {
    const draft = schemeAuth(name, obj(schemes[name]), variables);
    if (draft) return draft;
  }
  return undefined;
}

function schemeAuth(name: string, scheme: Json, variables: ScenarioDraft['variables']): DraftAuth | undefined {
  const from = `security scheme "${name}"`;
  const type = str(scheme.type);
  if (type === 'oauth2') {
    const flow = obj(obj(scheme.flows).clientCredentials);
    const tokenUrl = str(flow.tokenUrl);
    if (!tokenUrl) return undefined;
    variables.push({ name: 'CLIENT_ID', meaning: 'OAuth2 client id' }, { name: 'CLIENT_SECRET', meaning: 'OAuth2 client secret' });
    const scopes = Object.keys(obj(flow.scopes));
    let tokenPath: string | undefined;
    try {
      tokenPath = new URL(tokenUrl, 'http://relative.invalid').pathname;
    } catch {
      tokenPath = undefined;
    }
    return {
      value: {
        oauth2: {
          tokenUrl,
          clientId: '${CLIENT_ID}',
          clientSecret: '${CLIENT_SECRET}',
          ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
        },
      },
      comment: [`${from}: OAuth2 client credentials; the token is fetched, cached and refreshed per worker.`],
      tokenPath,
    };
  }
  if (type === 'http' && str(scheme.scheme)?.toLowerCase() === 'bearer') {
    variables.push({ name: 'API_TOKEN', meaning: 'a bearer token' });
    return { value: { header: { name: 'authorization', value: 'Bearer ${API_TOKEN}' } }, comment: [`${from}: HTTP bearer.`] };
  }
  if (type === 'http' && str(scheme.scheme)?.toLowerCase() === 'basic') {
    variables.push({ name: 'BASIC_CREDENTIALS', meaning: 'base64 of user:password' });
    return { value: { header: { name: 'authorization', value: 'Basic ${BASIC_CREDENTIALS}' } }, comment: [`${from}: HTTP basic.`] };
  }
  if (type === 'apiKey') {
    const keyName = str(scheme.name);
    if (!keyName) return undefined;
    variables.push({ name: 'API_KEY', meaning: `the API key (${str(scheme.in) ?? 'header'} "${keyName}")` });
    if (scheme.in === 'header') return { value: { header: { name: keyName, value: '${API_KEY}' } }, comment: [`${from}: API key header.`] };
    if (scheme.in === 'cookie')
      return { value: { header: { name: 'cookie', value: `${keyName}=\${API_KEY}` } }, comment: [`${from}: API key cookie.`] };
    if (scheme.in === 'query') return { value: {}, comment: [], apiKeyQuery: { name: keyName, value: '${API_KEY}' } };
  }
  return undefined;
}

function requestOf(path: string, method: string, operation: Json, shared: Json[], apiKeyQuery: DraftAuth['apiKeyQuery']): DraftRequest {
  const label = `${method.toUpperCase()} ${path}`;
  const summary = str(operation.summary) ?? str(operation.description)?.split('\n')[0];
  const comment = [`${label}${summary ? ` — ${summary}` : ''}${operation.deprecated === true ? ' (deprecated)' : ''}`];
  const name = str(operation.operationId) ?? `${method}-${slug(path)}`;
  // Operation parameters override path-level ones of the same name and place.
  const params = new Map<string, Json>();
  for (const p of [...shared, ...(Array.isArray(operation.parameters) ? operation.parameters.filter(isObject) : [])])
    params.set(`${str(p.in)}:${str(p.name)}`, p);
  let disabled: string | undefined;
  let resolvedPath = path;
  const query: Record<string, string | number | boolean> = {};
  const headers: Record<string, string> = {};
  for (const p of params.values()) {
    const paramName = str(p.name) ?? '';
    const value = parameterExample(p);
    if (p.in === 'path') {
      if (value === undefined) disabled ??= `path parameter "${paramName}" has no example or default: give one (or capture it in a flow)`;
      else resolvedPath = resolvedPath.replaceAll(`{${paramName}}`, encodeURIComponent(String(scalarOf(value))));
    } else if (p.in === 'query' && p.required === true) {
      query[paramName] = scalarOf(value ?? exampleOf(obj(p.schema), 0));
    } else if (p.in === 'header' && p.required === true && !/^(accept|content-type|authorization)$/i.test(paramName)) {
      headers[paramName] = String(scalarOf(value ?? exampleOf(obj(p.schema), 0)));
    }
  }
  if (apiKeyQuery) query[apiKeyQuery.name] = apiKeyQuery.value;
  const responses = Object.keys(obj(operation.responses));
  if (responses.includes('101') && !responses.some((status) => /^2/.test(status)))
    disabled ??= 'a WebSocket upgrade: write it with stream: ws and its first message as json';
  const body = bodyOf(obj(operation.requestBody));
  if (body.note) comment.push(body.note);
  if (body.contentType) headers['content-type'] = body.contentType;
  return {
    name,
    method: method.toUpperCase(),
    path: resolvedPath,
    ...(Object.keys(query).length > 0 ? { query } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(body.json !== undefined ? { json: body.json } : {}),
    ...(body.text !== undefined ? { body: body.text } : {}),
    comment,
    ...(disabled ? { disabled } : {}),
  };
}

function parameterExample(p: Json): unknown {
  const schema = obj(p.schema);
  const examples: unknown[] = Object.values(obj(p.examples)).map((e) => obj(e).value);
  const enumFirst: unknown = Array.isArray(schema.enum) ? (schema.enum as unknown[])[0] : undefined;
  return p.example ?? examples[0] ?? schema.example ?? schema.default ?? enumFirst;
}

function scalarOf(value: unknown): string | number | boolean {
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' ? value : JSON.stringify(value);
}

/** The request body: JSON first (as json:), then a form, then any text type; with the example it came from. */
function bodyOf(requestBody: Json): { json?: unknown; text?: string; contentType?: string; note?: string } {
  const content = obj(requestBody.content);
  const types = Object.keys(content);
  if (types.length === 0) return {};
  const jsonType = types.find((t) => /^application\/(.+\+)?json\b/i.test(t));
  if (jsonType) {
    const media = obj(content[jsonType]);
    return { json: mediaExample(media), ...(jsonType.toLowerCase() !== 'application/json' ? { contentType: jsonType } : {}) };
  }
  const formType = types.find((t) => /^application\/x-www-form-urlencoded\b/i.test(t));
  if (formType) {
    const example = obj(mediaExample(obj(content[formType])));
    const form = new URLSearchParams(Object.entries(example).map(([k, v]) => [k, String(scalarOf(v))]));
    return { text: form.toString(), contentType: formType };
  }
  const textType = types.find((t) => /^text\//i.test(t));
  if (textType) {
    const example = mediaExample(obj(content[textType]));
    return { text: typeof example === 'string' ? example : '', contentType: textType };
  }
  return { note: `its body (${types.join(', ')}) has no text form tailscope can send: add body: by hand` };
}

function mediaExample(media: Json): unknown {
  if (media.example !== undefined) return media.example;
  const named = Object.values(obj(media.examples)).map((e) => obj(e).value);
  if (named[0] !== undefined) return named[0];
  return exampleOf(obj(media.schema), 0);
}

/**
 * An example value from a JSON schema: its own example, default, const or first enum value; else, for an object,
 * its required properties and those with an example or default (an optional field is left out rather than
 * guessed at); for other types a plain placeholder.
 */
export function exampleOf(schema: Json, depth: number): unknown {
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    const parts = Array.isArray(schema[key]) ? (schema[key] as unknown[]).filter(isObject) : [];
    if (parts.length === 0) continue;
    if (key !== 'allOf') return exampleOf(parts[0]!, depth + 1);
    const merged = parts.map((part) => exampleOf(part, depth + 1));
    return merged.every(isObject) ? (Object.assign({}, ...merged) as Json) : merged[0];
  }
  const type = Array.isArray(schema.type) ? (schema.type as unknown[]).find((t) => t !== 'null') : schema.type;
  if (depth > MAX_EXAMPLE_DEPTH) return type === 'array' ? [] : type === 'object' ? {} : null;
  switch (type) {
    case 'string':
      return stringExample(str(schema.format));
    case 'integer':
      return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 1;
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return false;
    case 'array':
      return [exampleOf(obj(schema.items), depth + 1)];
    default: {
      const properties = obj(schema.properties);
      const required = new Set(Array.isArray(schema.required) ? schema.required : []);
      const out: Json = {};
      for (const [key, property] of Object.entries(properties)) {
        const p = obj(property);
        if (required.has(key) || p.example !== undefined || p.default !== undefined) out[key] = exampleOf(p, depth + 1);
      }
      return out;
    }
  }
}

function stringExample(format: string | undefined): string {
  switch (format) {
    case 'date':
      return '2026-01-01';
    case 'date-time':
      return '2026-01-01T00:00:00Z';
    case 'email':
      return 'user@example.com';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
    case 'uri':
    case 'url':
      return 'https://example.com/';
    default:
      return 'example';
  }
}
