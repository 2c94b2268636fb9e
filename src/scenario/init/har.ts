import { slug } from '../../shared/format.js';
import { TailscopeError } from '../../shared/errors.js';
import { uniqueNames, type DraftRequest, type ScenarioDraft } from './draft.js';

/**
 * A scenario drafted from a browser recording (HAR 1.2): the recorded requests to the recording's main origin,
 * as the steps of one flow in recorded order, each pausing (`think`) as long as the recording did before the next
 * request (the gap since the previous response ended).
 * Nothing secret is copied: cookies, Authorization and other credential headers become \`\${VARIABLES}\`, and a
 * recorded OAuth2 client-credentials token request becomes auth.oauth2, so tokens are fetched fresh at run time
 * instead of replaying one that has long expired. Pure: the HAR comes in parsed.
 */

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const obj = (value: unknown): Json => (isObject(value) ? value : {});
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Headers a client library sets itself, or that only make sense on the recorded connection. */
const DROPPED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'accept-encoding',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
  'origin',
  'referer',
  'user-agent',
  'priority',
  'pragma',
  'cache-control',
  'if-none-match',
  'if-modified-since',
]);
/** Header names whose values are credentials: replaced by variables, never copied. */
const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token|x-csrf-token|x-xsrf-token)$|token|secret|session|api[-_]?key/i;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

interface Entry {
  method: string;
  url: URL;
  headers: { name: string; value: string }[];
  postData?: { mimeType: string; text: string };
  startMs: number;
  durationMs: number;
}

export function draftFromHar(har: unknown, source: string): ScenarioDraft {
  const entries = entriesOf(har);
  const origin = mainOrigin(entries);
  const variables = new Map<string, string>();
  const skipped: string[] = [];
  const requests: DraftRequest[] = [];
  let auth: ScenarioDraft['auth'];
  let previousEndMs: number | undefined;
  for (const entry of entries) {
    const thinkMs = previousEndMs === undefined ? undefined : Math.max(0, entry.startMs - previousEndMs);
    previousEndMs = Math.max(previousEndMs ?? 0, entry.startMs + entry.durationMs);
    if (entry.url.origin !== origin) {
      skipped.push(`${entry.method} ${entry.url.origin}${entry.url.pathname} (another origin)`);
      continue;
    }
    if (!METHODS.has(entry.method)) {
      skipped.push(`${entry.method} ${entry.url.pathname} (a method tailscope does not send)`);
      continue;
    }
    const grant = clientCredentialsGrant(entry);
    if (grant) {
      if (!auth) {
        variables.set('CLIENT_ID', 'OAuth2 client id (the recording had one; it is not copied)');
        variables.set('CLIENT_SECRET', 'OAuth2 client secret');
        auth = {
          value: {
            oauth2: {
              tokenUrl: entry.url.pathname,
              clientId: '${CLIENT_ID}',
              clientSecret: '${CLIENT_SECRET}',
              ...(grant.scope ? { scope: grant.scope } : {}),
              ...(grant.basic ? { clientAuth: 'basic' } : {}),
            },
          },
          comment: [`The recording's token request (POST ${entry.url.pathname}, client credentials): fetched and refreshed at run time.`],
        };
      }
      continue;
    }
    // The pause before this request is the previous step's think time.
    const previous = requests.at(-1);
    if (previous && thinkMs !== undefined) previous.thinkMs = thinkMs;
    requests.push(requestOf(entry, thinkMs, variables, auth !== undefined));
  }
  const last = entries.at(-1);
  return {
    header: [
      `Drafted by \`tailscope init --from-har ${source}\`: ${requests.length} recorded requests to ${origin}, in recorded order.`,
      'Secrets were not copied: cookies and credential headers are environment variables below.',
      ...(skipped.length > 0 ? [`Left out: ${skipped.join('; ')}.`] : []),
    ],
    name: slug(last ? `${origin.replace(/^https?:\/\//, '')} recording` : 'recording'),
    target: { url: origin, comment: 'the origin most of the recording went to' },
    ...(auth ? { auth } : {}),
    requestsComment: [
      'One flow: each virtual user replays the recording in order, pausing after each step as long as the',
      'recording paused before the next one (`think`). Shorten or randomise those pauses as you see fit.',
    ],
    requests: uniqueNames(requests),
    asFlow: { name: 'recording' },
    variables: [...variables].map(([name, meaning]) => ({ name, meaning })),
  };
}

function entriesOf(har: unknown): Entry[] {
  const raw = obj(obj(har).log).entries;
  if (!Array.isArray(raw)) throw new HarError('not a HAR file: log.entries is missing');
  const entries: Entry[] = [];
  for (const item of raw.filter(isObject)) {
    const request = obj(item.request);
    const url = str(request.url);
    const method = str(request.method)?.toUpperCase();
    if (!url || !method) continue;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      continue;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') continue;
    const postData = obj(request.postData);
    const started = Date.parse(str(item.startedDateTime) ?? '');
    entries.push({
      method,
      url: parsed,
      headers: (Array.isArray(request.headers) ? request.headers.filter(isObject) : []).map((h) => ({
        name: str(h.name) ?? '',
        value: str(h.value) ?? '',
      })),
      ...(str(postData.text) !== undefined ? { postData: { mimeType: str(postData.mimeType) ?? '', text: str(postData.text)! } } : {}),
      startMs: Number.isFinite(started) ? started : 0,
      durationMs: typeof item.time === 'number' && item.time > 0 ? item.time : 0,
    });
  }
  if (entries.length === 0) throw new HarError('the HAR file records no HTTP request');
  // Browsers write entries in start order, but not every tool does.
  return entries.sort((a, b) => a.startMs - b.startMs);
}

/** A file that is not a HAR recording tailscope can read. */
export class HarError extends TailscopeError {
  readonly code = 'E_HAR';
}

/** The origin with the most requests; the first one recorded on a tie. */
function mainOrigin(entries: Entry[]): string {
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry.url.origin, (counts.get(entry.url.origin) ?? 0) + 1);
  let best = entries[0]!.url.origin;
  for (const [origin, count] of counts) if (count > (counts.get(best) ?? 0)) best = origin;
  return best;
}

function clientCredentialsGrant(entry: Entry): { scope?: string; basic: boolean } | undefined {
  if (entry.method !== 'POST' || !entry.postData) return undefined;
  const { mimeType, text } = entry.postData;
  let fields: Record<string, string> = {};
  if (/json/i.test(mimeType)) {
    try {
      fields = Object.fromEntries(Object.entries(obj(JSON.parse(text))).map(([k, v]) => [k, String(v)]));
    } catch {
      return undefined;
    }
  } else fields = Object.fromEntries(new URLSearchParams(text));
  if (fields.grant_type !== 'client_credentials') return undefined;
  const basic = entry.headers.some((h) => /^authorization$/i.test(h.name) && /^basic /i.test(h.value));
  return { ...(fields.scope ? { scope: fields.scope } : {}), basic };
}

function requestOf(entry: Entry, thinkMs: number | undefined, variables: Map<string, string>, hasAuth: boolean): DraftRequest {
  const { url } = entry;
  const comment = [
    `${entry.method} ${url.pathname}${thinkMs !== undefined ? ` — think ${formatSeconds(thinkMs)} before it (from the recording)` : ''}`,
  ];
  const headers: Record<string, string> = {};
  for (const { name, value } of entry.headers) {
    const lower = name.toLowerCase();
    if (lower.startsWith(':') || DROPPED_HEADERS.has(lower)) continue;
    if (lower === 'authorization' && hasAuth && /^bearer /i.test(value)) continue; // auth.oauth2 sends its own
    if (SECRET_HEADER.test(lower)) {
      headers[lower] = secretValue(lower, value, variables);
      continue;
    }
    if (lower === 'content-type' && entry.postData && /^application\/json\b/i.test(value)) continue; // json: sets it
    headers[lower] = value;
  }
  const query = Object.fromEntries(url.searchParams);
  let json: unknown;
  let body: string | undefined;
  if (entry.postData && entry.postData.text !== '') {
    if (/^application\/json\b/i.test(entry.postData.mimeType)) {
      try {
        json = JSON.parse(entry.postData.text);
      } catch {
        body = entry.postData.text;
      }
    } else body = entry.postData.text;
    if (body !== undefined && entry.postData.mimeType && !headers['content-type']) headers['content-type'] = entry.postData.mimeType;
  }
  return {
    name: `${entry.method.toLowerCase()}-${slug(url.pathname)}`,
    method: entry.method,
    path: url.pathname,
    ...(Object.keys(query).length > 0 ? { query } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(json !== undefined ? { json } : {}),
    ...(body !== undefined ? { body } : {}),
    comment,
  };
}

/** A credential header's value as a variable; an auth scheme word (Bearer, Basic) is kept in front of it. */
function secretValue(header: string, value: string, variables: Map<string, string>): string {
  const name =
    header === 'cookie' ? 'COOKIE' : header === 'authorization' ? 'AUTH_TOKEN' : header.replace(/[^a-z0-9]+/gi, '_').toUpperCase();
  variables.set(name, `the recording's ${header} header value (not copied)`);
  const scheme = header === 'authorization' ? /^(bearer|basic|token|digest)\s+/i.exec(value)?.[0] : undefined;
  return `${scheme ?? ''}\${${name}}`;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
