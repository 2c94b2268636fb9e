import { createHistogram, encodeHistogram, mergeEncoded, recordUs, type Histogram } from '../shared/histogram.js';

/**
 * What flows and async jobs record beside their requests (whose attempts go to the metric sets under each step's
 * name): per flow, how its iterations ended and how long the completed ones took; per async step, how its jobs
 * ended, how long they took to complete and how many polls each needed. Kept per run (not per interval or stage):
 * an iteration or a job spans many intervals. Snapshots are plain data and merge exactly (counts add, HDR
 * histograms add), across workers and across shards.
 */

/** How one flow iteration ended. */
export type IterationOutcome =
  | { kind: 'completed'; latencyUs: number }
  /** a step failed (after the client's retries), a capture found nothing, or an async job did not end well */
  | { kind: 'failed'; step: string }
  /** the run stopped (or its graceful stop ran out) in the middle of it */
  | { kind: 'interrupted' };

/**
 * How one async job ended: `done` in a final state that is not a failure, `failed` in one listed as a failure,
 * `expired` without a final state before its timeout, `lost` when a poll failed or did not say the job's state,
 * `interrupted` when the run stopped first.
 */
export type JobOutcome = 'done' | 'failed' | 'expired' | 'lost' | 'interrupted';
export const JOB_OUTCOMES: readonly JobOutcome[] = ['done', 'failed', 'expired', 'lost', 'interrupted'];

export interface FlowCountsSnapshot {
  /** iterations started */
  iterations: number;
  completed: number;
  failed: number;
  interrupted: number;
  /** failed iterations by the step they failed at */
  failedAt: Record<string, number>;
  /** `flow`: completed iterations' end-to-end latency, µs */
  histograms: { flow?: string };
}

export interface JobCountsSnapshot {
  mode: 'poll' | 'callback';
  /** jobs whose submitting step succeeded */
  submitted: number;
  done: number;
  failed: number;
  expired: number;
  lost: number;
  interrupted: number;
  /** poll requests sent for these jobs (0 for callbacks) */
  polls: number;
  /** `completion`: done jobs' time from the submitting send to the final state, µs; `polls`: polls per ended job */
  histograms: { completion?: string; polls?: string };
}

export interface FlowsSnapshot {
  flows: Record<string, FlowCountsSnapshot>;
  jobs: Record<string, JobCountsSnapshot>;
}

interface FlowEntry extends Omit<FlowCountsSnapshot, 'histograms'> {
  latency?: Histogram;
}

interface JobEntry extends Omit<JobCountsSnapshot, 'histograms'> {
  completion?: Histogram;
  pollsPerJob?: Histogram;
}

export function emptyFlowCounts(): FlowCountsSnapshot {
  return { iterations: 0, completed: 0, failed: 0, interrupted: 0, failedAt: {}, histograms: {} };
}

export function emptyJobCounts(mode: JobCountsSnapshot['mode']): JobCountsSnapshot {
  return { mode, submitted: 0, done: 0, failed: 0, expired: 0, lost: 0, interrupted: 0, polls: 0, histograms: {} };
}

/** One worker's flows and jobs for the whole run. Nothing here runs per request: once per iteration or job. */
export class FlowSet {
  private readonly flows = new Map<string, FlowEntry>();
  private readonly jobs = new Map<string, JobEntry>();

  /** Declares the flows and async steps up front, so a flow that never ran reads as 0 iterations, not as absent. */
  constructor(flowNames: readonly string[] = [], jobSteps: readonly { name: string; mode: JobCountsSnapshot['mode'] }[] = []) {
    for (const name of flowNames) this.flow(name);
    for (const job of jobSteps) this.job(job.name, job.mode);
  }

  iterationStarted(flow: string): void {
    this.flow(flow).iterations += 1;
  }

  iterationEnded(flow: string, outcome: IterationOutcome): void {
    const entry = this.flow(flow);
    if (outcome.kind === 'completed') {
      entry.completed += 1;
      recordUs((entry.latency ??= createHistogram()), outcome.latencyUs);
    } else if (outcome.kind === 'failed') {
      entry.failed += 1;
      entry.failedAt[outcome.step] = (entry.failedAt[outcome.step] ?? 0) + 1;
    } else {
      entry.interrupted += 1;
    }
  }

  jobSubmitted(step: string, mode: JobCountsSnapshot['mode']): void {
    this.job(step, mode).submitted += 1;
  }

  polled(step: string): void {
    this.job(step, 'poll').polls += 1;
  }

  /** A job's end: `completionUs` only for a job that reached a final state, `polls` for a polled one. */
  jobEnded(step: string, mode: JobCountsSnapshot['mode'], outcome: JobOutcome, completionUs: number | undefined, polls: number): void {
    const entry = this.job(step, mode);
    entry[outcome] += 1;
    if (outcome === 'done' && completionUs !== undefined) recordUs((entry.completion ??= createHistogram()), completionUs);
    // Polls per job as a plain count (the histogram records integers; a count is one).
    if (mode === 'poll' && outcome !== 'interrupted') recordUs((entry.pollsPerJob ??= createHistogram()), polls);
  }

  snapshot(): FlowsSnapshot {
    const flows: Record<string, FlowCountsSnapshot> = {};
    for (const [name, { latency, ...counts }] of this.flows) {
      flows[name] = {
        ...counts,
        failedAt: { ...counts.failedAt },
        histograms: latency?.totalCount ? { flow: encodeHistogram(latency) } : {},
      };
    }
    const jobs: Record<string, JobCountsSnapshot> = {};
    for (const [name, { completion, pollsPerJob, ...counts }] of this.jobs) {
      jobs[name] = {
        ...counts,
        histograms: {
          ...(completion?.totalCount ? { completion: encodeHistogram(completion) } : {}),
          ...(pollsPerJob?.totalCount ? { polls: encodeHistogram(pollsPerJob) } : {}),
        },
      };
    }
    return { flows, jobs };
  }

  private flow(name: string): FlowEntry {
    let entry = this.flows.get(name);
    if (!entry) this.flows.set(name, (entry = { iterations: 0, completed: 0, failed: 0, interrupted: 0, failedAt: {} }));
    return entry;
  }

  private job(name: string, mode: JobCountsSnapshot['mode']): JobEntry {
    let entry = this.jobs.get(name);
    if (!entry) {
      const { histograms: _none, ...counts } = emptyJobCounts(mode);
      void _none;
      this.jobs.set(name, (entry = counts));
    }
    return entry;
  }
}

/** Exact merge: counts add, histograms add bucket by bucket. */
export function mergeFlowSnapshots(parts: readonly FlowsSnapshot[]): FlowsSnapshot {
  const flows: Record<string, FlowCountsSnapshot> = {};
  const jobs: Record<string, JobCountsSnapshot> = {};
  const encoded = new Map<string, string[]>();
  const collect = (key: string, value: string | undefined) => {
    if (value !== undefined) encoded.set(key, [...(encoded.get(key) ?? []), value]);
  };
  for (const part of parts) {
    for (const [name, flow] of Object.entries(part.flows)) {
      const into = (flows[name] ??= emptyFlowCounts());
      into.iterations += flow.iterations;
      into.completed += flow.completed;
      into.failed += flow.failed;
      into.interrupted += flow.interrupted;
      for (const [step, count] of Object.entries(flow.failedAt)) into.failedAt[step] = (into.failedAt[step] ?? 0) + count;
      collect(`flow\0${name}`, flow.histograms.flow);
    }
    for (const [name, job] of Object.entries(part.jobs)) {
      const into = (jobs[name] ??= emptyJobCounts(job.mode));
      for (const key of ['submitted', 'done', 'failed', 'expired', 'lost', 'interrupted', 'polls'] as const) into[key] += job[key];
      collect(`completion\0${name}`, job.histograms.completion);
      collect(`polls\0${name}`, job.histograms.polls);
    }
  }
  const merged = (list: string[]) => (list.length === 1 ? list[0]! : encodeHistogram(mergeEncoded(list)));
  for (const [key, list] of encoded) {
    const [metric, name] = key.split('\0') as [string, string];
    if (metric === 'flow') flows[name]!.histograms.flow = merged(list);
    else if (metric === 'completion') jobs[name]!.histograms.completion = merged(list);
    else jobs[name]!.histograms.polls = merged(list);
  }
  return { flows, jobs };
}
