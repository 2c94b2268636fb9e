import { describe, expect, it } from 'vitest';
import { FlowSet, mergeFlowSnapshots } from '../../src/metrics/flow-set.js';
import { decodeHistogram } from '../../src/shared/histogram.js';

describe('FlowSet', () => {
  it('counts iterations and jobs by how they ended, and keeps only completed iterations and done jobs timed', () => {
    const set = new FlowSet(['job', 'idle'], [{ name: 'submit', mode: 'poll' }]);
    set.iterationStarted('job');
    set.iterationEnded('job', { kind: 'completed', latencyUs: 1_500_000 });
    set.iterationStarted('job');
    set.iterationEnded('job', { kind: 'failed', step: 'submit' });
    set.iterationStarted('job');
    set.iterationEnded('job', { kind: 'interrupted' });
    set.jobSubmitted('submit', 'poll');
    set.jobEnded('submit', 'poll', 'done', 1_200_000, 4);
    set.jobSubmitted('submit', 'poll');
    set.jobEnded('submit', 'poll', 'expired', undefined, 9);
    const snapshot = set.snapshot();
    expect(snapshot.flows.job).toMatchObject({ iterations: 3, completed: 1, failed: 1, interrupted: 1, failedAt: { submit: 1 } });
    expect(snapshot.flows.idle).toMatchObject({ iterations: 0, histograms: {} });
    expect(decodeHistogram(snapshot.flows.job!.histograms.flow!).totalCount).toBe(1);
    expect(snapshot.jobs.submit).toMatchObject({ submitted: 2, done: 1, expired: 1 });
    expect(decodeHistogram(snapshot.jobs.submit!.histograms.completion!).totalCount).toBe(1);
    const polls = decodeHistogram(snapshot.jobs.submit!.histograms.polls!);
    expect([polls.totalCount, polls.minNonZeroValue, polls.maxValue]).toEqual([2, 4, 9]);
  });

  it('merges workers exactly: counts add and histograms add bucket by bucket', () => {
    const parts = [0, 1, 2].map((worker) => {
      const set = new FlowSet(['job'], [{ name: 'submit', mode: 'callback' }]);
      for (let i = 0; i < 100; i++) {
        set.iterationStarted('job');
        set.iterationEnded('job', { kind: 'completed', latencyUs: (worker * 100 + i + 1) * 1000 });
        set.jobSubmitted('submit', 'callback');
        set.jobEnded('submit', 'callback', i % 10 === 0 ? 'failed' : 'done', 5000, 0);
      }
      return set.snapshot();
    });
    const merged = mergeFlowSnapshots(parts);
    expect(merged.flows.job).toMatchObject({ iterations: 300, completed: 300 });
    expect(merged.jobs.submit).toMatchObject({ mode: 'callback', submitted: 300, done: 270, failed: 30, polls: 0 });
    const latency = decodeHistogram(merged.flows.job!.histograms.flow!);
    // 1..300 ms, one each: the median is 150 ms (within the histogram's three significant digits).
    expect(latency.totalCount).toBe(300);
    expect(latency.getValueAtPercentile(50) / 1000).toBeCloseTo(150, 0);
    expect(merged.jobs.submit!.histograms.polls).toBeUndefined();
  });
});
