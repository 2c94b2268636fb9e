/** Bearer-token check shared by the routes that need it. */
import { bearerToken, type TokenGrant } from '../auth.js';
import { nowMs } from '../clock.js';
import type { Exchange } from '../http.js';
import type { MockContext } from '../context.js';

const CHALLENGE = { 'www-authenticate': 'Bearer error="invalid_token"' };

/** Why a header did not authenticate, or the grant; pure apart from the token store lookup. */
export function checkBearer(ctx: MockContext, header: string | undefined): TokenGrant | string {
  if (!header) return 'missing Authorization header';
  const token = bearerToken(header);
  if (!token) return 'malformed Authorization header: expected "Bearer <token>"';
  return ctx.tokens.verify(token, nowMs()) ?? 'unknown or expired token';
}

/** The grant, or undefined after answering 401 with the RFC 6750 challenge. */
export function authenticate(ex: Exchange): TokenGrant | undefined {
  const result = checkBearer(ex.ctx, ex.req.headers.authorization);
  if (typeof result !== 'string') return result;
  ex.error(401, 'invalid_token', result, CHALLENGE);
  return undefined;
}
