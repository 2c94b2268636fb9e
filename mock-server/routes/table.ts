/**
 * The route table: path → route label (for stats) and a handler per method. Unknown paths are 404 and known
 * paths with another method are 405 with `Allow`, both as JSON.
 */
import type { Exchange } from '../http.js';
import { handleReset, handleSetProfile, handleStats } from './admin.js';
import { handleGenerate } from './generate.js';
import { handleHealth, handleMetrics } from './health.js';
import { handleJob } from './jobs.js';
import { handleToken } from './token.js';

type Handler = (ex: Exchange) => void;

export interface Route {
  /** Label in stats and metrics; empty for routes kept out of them. */
  label: string;
  methods: Record<string, Handler>;
  allow: string;
}

function route(label: string, methods: Record<string, Handler>): Route {
  return { label, methods, allow: Object.keys(methods).join(', ') };
}

export const EXACT_ROUTES = new Map<string, Route>([
  ['/oauth/token', route('/oauth/token', { POST: handleToken })],
  ['/v1/generate', route('/v1/generate', { POST: handleGenerate })],
  ['/healthz', route('/healthz', { GET: handleHealth, HEAD: handleHealth })],
  ['/metrics', route('/metrics', { GET: handleMetrics })],
  ['/__admin/profile', route('', { POST: handleSetProfile })],
  ['/__admin/stats', route('', { GET: handleStats })],
  ['/__admin/reset', route('', { POST: handleReset })],
]);

export const JOBS_PREFIX = '/v1/jobs/';
export const JOB_ROUTE = route('/v1/jobs/{id}', { GET: (ex) => handleJob(ex, jobId(ex)) });
/** The WebSocket path answers plain HTTP with 405: only an upgrade (GET with Upgrade: websocket) is served. */
export const STREAM_ROUTE = route('/v1/stream', {});

function jobId(ex: Exchange): string {
  const url = ex.req.url ?? '';
  const query = url.indexOf('?');
  return decodeURIComponent(url.slice(JOBS_PREFIX.length, query < 0 ? undefined : query));
}
