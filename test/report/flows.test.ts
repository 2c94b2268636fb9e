import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { evaluateThresholds } from '../../src/analysis/thresholds/evaluate.js';
import { renderMarkdown } from '../../src/report/markdown/render.js';
import { renderHtml } from '../../src/report/html/render.js';
import { renderOpenMetrics } from '../../src/report/openmetrics/render.js';
import { parsePrometheusText } from './prom-parser.js';
import { mergeResults } from '../../src/result/merge.js';
import { runResultSchema } from '../../src/result/schema.js';
import { buildRunResult, flowsSnapshotOf } from '../../src/result/build.js';
import { FlowSet } from '../../src/metrics/flow-set.js';
import type { RunResult } from '../../src/result/types.js';
import { syntheticResult } from './fixture.js';

const HOSTILE = '<script>alert(1)</script>|x';

/** A synthetic run with one flow and one polled async step: 40 iterations, 1..40 s; 40 jobs, 3 of them expired. */
function withFlows(result: RunResult, flowName = 'job'): RunResult {
  const set = new FlowSet([flowName], [{ name: 'submit', mode: 'poll' }]);
  for (let i = 1; i <= 40; i++) {
    set.iterationStarted(flowName);
    set.jobSubmitted('submit', 'poll');
    if (i <= 3) {
      set.jobEnded('submit', 'poll', 'expired', undefined, 20);
      set.iterationEnded(flowName, { kind: 'failed', step: 'submit' });
    } else {
      set.jobEnded('submit', 'poll', 'done', i * 1_000_000 - 200_000, i);
      set.iterationEnded(flowName, { kind: 'completed', latencyUs: i * 1_000_000 });
    }
  }
  const built = buildRunResult(
    {
      scenario: result.scenario,
      model: result.model,
      engine: result.engine,
      target: result.target,
      environment: result.environment,
      startedAt: result.startedAt,
      durationMs: result.durationMs,
      intervalMs: result.intervalMs,
      interrupted: false,
      serverTiming: result.serverTiming,
      thresholds: [],
      toolVersion: 'test',
      segments: [],
      health: result.health,
    },
    { intervals: [], stages: new Map(), byName: new Map(), flows: set.snapshot() },
  );
  return { ...result, flows: built.flows, jobs: built.jobs };
}

describe('flows and async jobs in results and reports', () => {
  it('are judged by thresholds on the flow and completion metrics, by name or together', () => {
    const result = withFlows(syntheticResult());
    const verdicts = evaluateThresholds(result, [
      'p50(flow{name=job}) < 30s',
      'p99(flow) < 30s',
      'max(completion{name=submit}) < 40s',
      'error_rate(completion){name=submit} < 5%',
      'p99(flow{name=nope}) < 1s',
    ]);
    expect(verdicts.map((v) => v.pass)).toEqual([true, false, true, false, false]);
    // 37 completed iterations of 4..40 s: the median is 22 s; 3 of 40 jobs expired is 7.5%.
    expect(verdicts[0]!.observed).toBeCloseTo(22_000, -2);
    expect(verdicts[3]!.observed).toBeCloseTo(7.5, 5);
    expect(verdicts[4]!.note).toMatch(/no flow named "nope" \(known: job\)/);
  });

  it('pass the result schema and merge across shards exactly', () => {
    const a = withFlows(syntheticResult());
    expect(runResultSchema.safeParse(a).success).toBe(true);
    const shards = [0, 1].map((index) => ({ ...structuredClone(a), shard: { index, count: 2 } }));
    const merged = mergeResults(shards);
    expect(merged.flows!.job).toMatchObject({ iterations: 80, completed: 74, failed: 6, failedAt: { submit: 6 } });
    expect(merged.flows!.job!.latency.p50).toBe(a.flows!.job!.latency.p50);
    expect(merged.jobs!.submit).toMatchObject({ submitted: 80, done: 74, expired: 6, polls: 0 });
    expect(merged.jobs!.submit!.completion.count).toBe(74);
    expect(merged.jobs!.submit!.pollsPerJob!.max).toBe(40);
    expect(flowsSnapshotOf(syntheticResult())).toBeUndefined();
  });

  it('are shown in summary.md and index.html, names escaped', async () => {
    const result = withFlows(syntheticResult(), HOSTILE);
    const analysis = analyze(result);
    expect(analysis.flows?.jobs[0]).toMatchObject({ name: 'submit', submitted: 40, done: 37, expired: 3 });
    const markdown = renderMarkdown(result, analysis, analysis.verdict);
    expect(markdown).toMatch(/\| flow \| iterations \| completed \| failed \|/);
    expect(markdown).toMatch(/\| submit \| poll \| 40 \| 37 \| 0 \/ 3 \/ 0 \|/);
    expect(markdown).not.toContain('<script');
    const html = await renderHtml(result, analysis, analysis.verdict);
    expect(html).toContain('<section id="flows">');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>alert(1)');
  });

  it('are exported to metrics.prom as counters and summaries a strict reader accepts', () => {
    const result = withFlows(syntheticResult());
    const analysis = analyze(result);
    const families = parsePrometheusText(renderOpenMetrics(result, analysis, analysis.verdict));
    const sample = (family: string, labels: Record<string, string>) =>
      families.find((f) => f.name === family)!.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))!.value;
    expect(sample('tailscope_flow_iterations_total', { flow: 'job', outcome: 'failed' })).toBe(3);
    expect(sample('tailscope_jobs_total', { step: 'submit', outcome: 'expired' })).toBe(3);
    expect(sample('tailscope_job_completion_seconds', { step: 'submit', quantile: '0.5' })).toBeCloseTo(21.8, 1);
    const plain = syntheticResult();
    const plainAnalysis = analyze(plain);
    expect(renderOpenMetrics(plain, plainAnalysis, plainAnalysis.verdict)).not.toMatch(/tailscope_(flow|job)/);
  });

  it('leave a report of plain requests without a flows section', async () => {
    const result = syntheticResult();
    const analysis = analyze(result);
    expect(analysis.flows).toBeUndefined();
    expect(await renderHtml(result, analysis, analysis.verdict)).not.toContain('id="flows"');
    expect(renderMarkdown(result, analysis, analysis.verdict)).not.toContain('| flow |');
  });
});
