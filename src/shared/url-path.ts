/**
 * A target URL may carry a base path (`https://api.example.com/api/v2`): request paths are written relative to
 * the API, not to the host, so `/generate` goes out as `/api/v2/generate`, as Gatling's `baseUrl` does.
 */

/** The base path of a target URL without its trailing slash: `''` for a bare origin. */
export function basePathOf(url: string | URL): string {
  return new URL(url).pathname.replace(/\/+$/, '');
}

/** Joins a request path (starting with `/`, query allowed) under a base path, with exactly one slash between. */
export function joinPath(basePath: string, path: string): string {
  const base = basePath.replace(/\/+$/, '');
  if (base === '') return path;
  if (path === '' || path === '/') return `${base}/`;
  if (path.startsWith('?')) return `${base}${path}`;
  return `${base}/${path.replace(/^\/+/, '')}`;
}

/**
 * Where a URL given beside the target (the OAuth2 token endpoint) points: an absolute URL as it is, a relative
 * one under the target's base path (`/oauth/token` against `…/api/v2` → `…/api/v2/oauth/token`).
 */
export function resolveUnderBase(url: string, baseUrl: string | URL): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return new URL(url);
  const base = new URL(baseUrl);
  const joined = new URL(joinPath(basePathOf(base), url.startsWith('/') ? url : `/${url}`), base.origin);
  // Credentials in the target URL (sent as Basic) stay with it, as `new URL(relative, base)` would keep them.
  joined.username = base.username;
  joined.password = base.password;
  return joined;
}
