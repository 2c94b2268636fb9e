/**
 * POST /oauth/token — OAuth 2.0 client-credentials grant (RFC 6749 §4.4). Client credentials come from the
 * body (form or JSON) or from HTTP Basic auth. Every answer, errors included, waits the profile's token latency.
 */
import { basicCredentials } from '../auth.js';
import { delayAtLeast, nowMs } from '../clock.js';
import { chooseFault } from '../faults.js';
import { Exchange, isFormType, isJsonType, readBody } from '../http.js';
import { applyFault } from './faulted.js';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function handleToken(ex: Exchange): void {
  const contentType = ex.req.headers['content-type'];
  const form = isFormType(contentType);
  if (!form && !isJsonType(contentType)) {
    ex.error(415, 'unsupported_media_type', 'send application/x-www-form-urlencoded or application/json');
    return;
  }
  readBody(ex, ex.ctx.runtime.profile.limits.bodyBytes, (body) => {
    const fields = form ? formFields(body) : jsonFields(body);
    // The token endpoint's own latency counts as its service time: the server is working, not queueing.
    const runtime = ex.ctx.runtime;
    const serviceStartMs = nowMs();
    delayAtLeast(runtime.tokenLatency(ex.ctx.latencyRng), () => {
      const appMs = nowMs() - serviceStartMs;
      if (runtime.faultsOnToken) {
        const fault = chooseFault(ex.ctx.faultRng.next(), runtime.profile.faults);
        if (applyFault(ex, fault, appMs, 0)) return;
      }
      answer(ex, fields, appMs);
    });
  });
}

function answer(ex: Exchange, fields: Record<string, unknown> | undefined, appMs: number): void {
  const fail = (status: number, error: string, description?: string, headers?: Record<string, string>): void =>
    ex.json(status, description ? { error, error_description: description } : { error }, appMs, 0, { ...NO_STORE, ...headers });
  if (!fields) return fail(400, 'invalid_request', 'body is not valid form or JSON');
  const grantType = fields['grant_type'];
  if (grantType === undefined) return fail(400, 'invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials') return fail(400, 'unsupported_grant_type');

  const authorization = ex.req.headers.authorization;
  const basic = basicCredentials(authorization);
  const clientId = basic?.id ?? fields['client_id'];
  const clientSecret = basic?.secret ?? fields['client_secret'];
  const { clients, profile } = ex.ctx.runtime;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || clients.get(clientId) !== clientSecret) {
    // RFC 6749 §5.2: a client that tried Basic auth is told which scheme to use.
    return fail(401, 'invalid_client', undefined, basic ? { 'www-authenticate': 'Basic realm="tailscope-mock"' } : undefined);
  }
  const ttlSeconds = profile.auth.tokenTtlSeconds;
  const accessToken = ex.ctx.tokens.issue(clientId, ttlSeconds, nowMs());
  ex.json(200, { access_token: accessToken, token_type: 'Bearer', expires_in: ttlSeconds }, appMs, 0, NO_STORE);
}

function formFields(body: string): Record<string, unknown> {
  return Object.fromEntries(new URLSearchParams(body));
}

function jsonFields(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
