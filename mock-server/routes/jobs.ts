/**
 * Async generate: POST /v1/generate with async:true answers 202 {id} at once; the job then queues and runs like
 * any request, and GET /v1/jobs/{id} reports queued → running → done (or failed, for an injected status).
 * An optional callback_url gets the finished job POSTed to it, on loopback hosts only, so the mock can never be
 * turned into a request cannon against other machines.
 */
import http from 'node:http';
import { delayAtLeast, nowMs } from '../clock.js';
import { chooseFault, FaultKind } from '../faults.js';
import type { Exchange } from '../http.js';
import type { Job } from '../jobs.js';
import type { GenerateRequest } from '../request.js';
import { countCompletionTokens } from '../text.js';
import type { Work } from '../context.js';
import { authenticate } from './authenticate.js';
import { generateResult } from './result.js';

export function asyncWork(ex: Exchange, clientId: string, request: GenerateRequest): { id: string; work: Work } {
  const ctx = ex.ctx;
  const job = ctx.jobs.create(ctx.nextId('job'), clientId);
  let completionTokens = 0;
  const work: Work = {
    enqueuedAtMs: nowMs(),
    drawServiceMs() {
      const { runtime } = ctx;
      completionTokens = countCompletionTokens(request.maxTokens, runtime.profile.generate.completionFraction, ctx.latencyRng);
      return runtime.generateLatency(ctx.latencyRng) + runtime.perToken(ctx.latencyRng) * completionTokens;
    },
    start(queueMs, serviceMs, done) {
      job.status = 'running';
      const serviceStartMs = nowMs();
      delayAtLeast(serviceMs, () => {
        const appMs = nowMs() - serviceStartMs;
        done();
        ctx.stats.recordInjected(appMs, queueMs);
        const { runtime } = ctx;
        const retentionMs = runtime.profile.jobs.retentionMs;
        // Only an injected status means anything for a job nobody is connected to; it marks the job failed.
        const fault = runtime.faultsOnGenerate ? chooseFault(ctx.faultRng.next(), runtime.profile.faults) : undefined;
        if (fault?.kind === FaultKind.Status)
          ctx.jobs.finish(job, { error: { status: fault.status, error: 'injected_fault' } }, retentionMs);
        else ctx.jobs.finish(job, { result: generateResult(ex, request, completionTokens, appMs, queueMs) }, retentionMs);
        if (request.callbackUrl) postCallback(request.callbackUrl, job);
      });
    },
  };
  return { id: job.id, work };
}

/** GET /v1/jobs/{id}: a client sees only its own jobs; another client's id is as unknown as a made-up one. */
export function handleJob(ex: Exchange, id: string): void {
  const grant = authenticate(ex);
  if (!grant) return;
  const job = ex.ctx.jobs.get(id);
  if (!job || job.clientId !== grant.clientId) {
    ex.error(404, 'not_found', `no job ${id}`);
    return;
  }
  ex.json(200, jobView(job));
}

function jobView(job: Job): Record<string, unknown> {
  return {
    id: job.id,
    status: job.status,
    ...(job.result !== undefined && { result: job.result }),
    ...(job.error !== undefined && { error: job.error }),
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function postCallback(callbackUrl: string, job: Job): void {
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    return;
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return;
  const body = JSON.stringify(jobView(job));
  const req = http.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  // A callback receiver that is down must not hurt the server: errors are dropped, like most webhook senders do.
  req.on('error', () => {});
  req.on('response', (res) => res.resume());
  req.setTimeout(5000, () => req.destroy());
  req.end(body);
}
