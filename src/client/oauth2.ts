import { performance } from 'node:perf_hooks';
import type { ConnectionOptions } from 'node:tls';
import { TailscopeError } from '../shared/errors.js';
import { postText, type PostError } from './post-form.js';

export interface OAuth2Config {
  tokenUrl: URL;
  clientId: string;
  clientSecret: string;
  scope?: string;
  clientAuth: 'body' | 'basic';
  refreshMarginMs: number;
  /** sent as User-Agent, as the load's own requests send it */
  userAgent?: string;
  /** the run's TLS settings (CA, client certificate, verification), as the engines use them */
  tls?: ConnectionOptions;
}

/** A token request that has not answered in this long fails (as `auth`). */
const TOKEN_TIMEOUT_MS = 10_000;

export class AuthError extends TailscopeError {
  readonly code = 'E_AUTH';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * An OAuth2 client-credentials session: one token shared by all requests of a worker, refreshed ahead of
 * expiry in the background (so no request waits for it), and at most one token request in flight.
 */
export class OAuth2Session {
  private accessToken: string | undefined;
  private expiresAtMs = 0;
  private refreshAtMs = 0;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly config: OAuth2Config,
    /** called with each token round trip in µs, so token-endpoint latency is reported apart */
    private readonly onTokenRequest: (latencyUs: number, ok: boolean) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A usable token: the cached one, triggering a background refresh when it is due; a fresh one if expired. */
  async token(): Promise<string> {
    const now = this.now();
    if (this.accessToken && now < this.expiresAtMs) {
      if (now >= this.refreshAtMs) void this.refresh().catch(() => undefined);
      return this.accessToken;
    }
    return this.refresh();
  }

  /** The token in use, if any: scrubbed from failure messages by value. */
  currentToken(): string | undefined {
    return this.accessToken;
  }

  /** After a 401: forget this token (unless a newer one already replaced it) and fetch another. */
  async renew(rejected: string): Promise<string> {
    if (this.accessToken === rejected) {
      this.accessToken = undefined;
      this.expiresAtMs = 0;
    }
    return this.token();
  }

  private refresh(): Promise<string> {
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const { config } = this;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (config.userAgent) headers['user-agent'] = config.userAgent;
    if (config.clientAuth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', config.clientId);
      form.set('client_secret', config.clientSecret);
    }
    if (config.scope) form.set('scope', config.scope);
    // Credentials in the token URL go as Basic, unless the client credentials already are.
    const tokenUrl = config.tokenUrl;
    if ((tokenUrl.username !== '' || tokenUrl.password !== '') && config.clientAuth !== 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(tokenUrl.username)}:${decodeURIComponent(tokenUrl.password)}`).toString('base64')}`;
    }
    const bare = new URL(tokenUrl);
    bare.username = '';
    bare.password = '';

    const startedAt = performance.now();
    let response: { status: number; text: string };
    try {
      response = await postText(bare, headers, form.toString(), { timeoutMs: TOKEN_TIMEOUT_MS, tls: config.tls });
    } catch (error) {
      this.onTokenRequest((performance.now() - startedAt) * 1000, false);
      const { code, message } = error as PostError;
      // A certificate problem says which, in words and code: `self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`.
      const reason = code && !message.includes(code) ? `${message} (${code})` : message;
      throw new AuthError(`${reason} from ${config.tokenUrl.pathname} (${config.tokenUrl.host})`, 0);
    }
    const ok = response.status >= 200 && response.status < 300;
    const text = response.text;
    this.onTokenRequest((performance.now() - startedAt) * 1000, ok);
    if (!ok) {
      // The body may echo what was sent; report only the OAuth2 error code.
      const code = /"error"\s*:\s*"([a-z_]+)"/.exec(text)?.[1] ?? 'unknown_error';
      throw new AuthError(`${response.status} ${code} from ${config.tokenUrl.pathname}`, response.status);
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new AuthError(`${response.status} with a body that is not JSON from ${config.tokenUrl.pathname}`, response.status);
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new AuthError(`${response.status} without access_token from ${config.tokenUrl.pathname}`, response.status);
    }
    const lifetimeMs = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 3_600_000;
    // A token that lives shorter than twice the margin is refreshed at half its life instead.
    const marginMs = Math.min(config.refreshMarginMs, lifetimeMs / 2);
    const receivedAt = this.now();
    this.accessToken = body.access_token;
    // Count the lifetime from when the request was sent, not received: the server's clock started then.
    const sentAt = receivedAt - (performance.now() - startedAt);
    this.expiresAtMs = sentAt + lifetimeMs;
    this.refreshAtMs = sentAt + lifetimeMs - marginMs;
    return body.access_token;
  }
}
