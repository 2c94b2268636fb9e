/**
 * OAuth2 client-credentials tokens: opaque random strings mapped to their client and expiry. The clock is
 * passed in (monotonic ms), so expiry is testable without waiting.
 */
import { randomBytes } from 'node:crypto';

export interface TokenGrant {
  clientId: string;
  expiresAtMs: number;
}

/** The token alphabet we issue (base64url); anything else in a Bearer header is malformed. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export class TokenStore {
  private readonly grants = new Map<string, TokenGrant>();
  private issuedSinceSweep = 0;

  issue(clientId: string, ttlSeconds: number, nowMs: number): string {
    // Sweep expired grants now and then, so a long run that mints many tokens does not grow without bound.
    if (++this.issuedSinceSweep >= 1024) {
      this.issuedSinceSweep = 0;
      for (const [token, grant] of this.grants) if (grant.expiresAtMs <= nowMs) this.grants.delete(token);
    }
    const token = randomBytes(24).toString('base64url');
    this.grants.set(token, { clientId, expiresAtMs: nowMs + ttlSeconds * 1000 });
    return token;
  }

  /** The grant for a live token, or undefined when it is malformed, unknown or expired. */
  verify(token: string, nowMs: number): TokenGrant | undefined {
    const grant = this.grants.get(token);
    if (!grant) return undefined;
    if (grant.expiresAtMs <= nowMs) {
      this.grants.delete(token);
      return undefined;
    }
    return grant;
  }
}

/** Extracts the token from an `Authorization: Bearer <token>` header; undefined when absent or malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header || header.length < 8) return undefined;
  if (header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = header.slice(7).trim();
  return TOKEN_PATTERN.test(token) ? token : undefined;
}

/** Client credentials from `Authorization: Basic base64(id:secret)`, as RFC 6749 §2.3.1 prefers. */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 form-encodes id and secret before base64; decode, tolerating clients that did not.
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}
