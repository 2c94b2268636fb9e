import type { FlowResult, JobResult, RunResult } from '../result/types.js';

/** A flow's iterations as the analysis reads them: how many ended well, where the others failed, how long they took. */
export interface FlowAnalysis {
  name: string;
  iterations: number;
  completed: number;
  /** failed iterations over those that ended (interrupted ones left out: the run cut them, not the target) */
  failedShare: number;
  /** the step most iterations failed at, and how many */
  worstStep: { step: string; failed: number } | null;
  /** completed iterations' end-to-end latency, ms */
  latency: { p50: number; p90: number; p99: number; max: number };
}

/** An async step's jobs: how they ended, their time to completion and what polling them cost. */
export interface JobAnalysis {
  name: string;
  mode: 'poll' | 'callback';
  submitted: number;
  done: number;
  /** failed, expired and lost jobs over those that ended */
  badShare: number;
  failed: number;
  expired: number;
  lost: number;
  /** done jobs' time to completion, ms */
  completion: { p50: number; p90: number; p99: number; max: number };
  /** polls sent per job that ended (null for callbacks) */
  pollsPerJob: { mean: number; p99: number } | null;
}

export interface FlowsAnalysis {
  flows: FlowAnalysis[];
  jobs: JobAnalysis[];
}

/** Flows and async jobs of a run; undefined when it had neither (a scenario of plain requests). */
export function flowsAnalysisOf(result: RunResult): FlowsAnalysis | undefined {
  if (!result.flows && !result.jobs) return undefined;
  return {
    flows: Object.values(result.flows ?? {}).map(flowAnalysis),
    jobs: Object.values(result.jobs ?? {}).map(jobAnalysis),
  };
}

function flowAnalysis(flow: FlowResult): FlowAnalysis {
  const ended = flow.completed + flow.failed;
  const worst = Object.entries(flow.failedAt).sort((a, b) => b[1] - a[1])[0];
  return {
    name: flow.name,
    iterations: flow.iterations,
    completed: flow.completed,
    failedShare: ended > 0 ? flow.failed / ended : 0,
    worstStep: worst ? { step: worst[0], failed: worst[1] } : null,
    latency: { p50: flow.latency.p50, p90: flow.latency.p90, p99: flow.latency.p99, max: flow.latency.max },
  };
}

function jobAnalysis(job: JobResult): JobAnalysis {
  const bad = job.failed + job.expired + job.lost;
  const ended = job.done + bad;
  return {
    name: job.name,
    mode: job.mode,
    submitted: job.submitted,
    done: job.done,
    badShare: ended > 0 ? bad / ended : 0,
    failed: job.failed,
    expired: job.expired,
    lost: job.lost,
    completion: { p50: job.completion.p50, p90: job.completion.p90, p99: job.completion.p99, max: job.completion.max },
    pollsPerJob: job.pollsPerJob ? { mean: job.pollsPerJob.mean, p99: job.pollsPerJob.p99 } : null,
  };
}
