/**
 * Async generate jobs: 202 now, poll later. Finished jobs are forgotten after the profile's retention, so a
 * long run of async requests does not grow the server's memory without bound.
 */

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface Job {
  id: string;
  clientId: string;
  status: JobStatus;
  result?: unknown;
  error?: unknown;
}

export class JobStore {
  private readonly jobs = new Map<string, Job>();

  create(id: string, clientId: string): Job {
    const job: Job = { id, clientId, status: 'queued' };
    this.jobs.set(id, job);
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  finish(job: Job, outcome: { result: unknown } | { error: unknown }, retentionMs: number): void {
    if ('result' in outcome) {
      job.status = 'done';
      job.result = outcome.result;
    } else {
      job.status = 'failed';
      job.error = outcome.error;
    }
    setTimeout(() => this.jobs.delete(job.id), retentionMs).unref();
  }

  get size(): number {
    return this.jobs.size;
  }
}
