/** A small keep-alive HTTP client for the mock-server tests: status, headers, body and monotonic elapsed time. */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  elapsedMs: number;
}

export const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const startMs = performance.now();
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          elapsedMs: performance.now() - startMs,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export function json(reply: Reply): Record<string, unknown> {
  return JSON.parse(reply.body) as Record<string, unknown>;
}

/** Parses `app;dur=1.234, queue;dur=0.5` into { app: 1.234, queue: 0.5 }. */
export function serverTiming(header: string | string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const metric of String(header ?? '').split(',')) {
    const [name, ...params] = metric.trim().split(';');
    const dur = params.find((p) => p.trim().startsWith('dur='));
    if (name && dur) out[name.trim()] = Number(dur.trim().slice(4));
  }
  return out;
}

export async function getToken(baseUrl: string, clientId = 'demo', clientSecret = 'demo-secret'): Promise<string> {
  const reply = await request(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
  });
  if (reply.status !== 200) throw new Error(`token request failed: ${reply.status} ${reply.body}`);
  return json(reply)['access_token'] as string;
}

export function generate(baseUrl: string, token: string, body: Record<string, unknown> = {}): Promise<Reply> {
  return request(`${baseUrl}/v1/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ prompt: 'hello', max_tokens: 8, temperature: 0.7, ...body }),
  });
}

/** Exact percentile of a sample (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[rank]!;
}

/**
 * Timing tests share the runner with other test files and other jobs. A single timer can fire this late when
 * the process is descheduled, so single-sample upper bounds use it; tight checks use medians instead.
 */
export const BUSY_RUNNER_SLACK_MS = 10;
