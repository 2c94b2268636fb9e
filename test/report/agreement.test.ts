import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import type { VerdictStatus } from '../../src/analysis/types.js';
import { EXIT, exitCodeOf } from '../../src/cli/exit-codes.js';
import { checkLines } from '../../src/cli/summary.js';
import { renderReportFiles } from '../../src/report/write.js';
import type { RunResult } from '../../src/result/types.js';
import { syntheticResult } from './fixture.js';
import { parsePrometheusText } from './prom-parser.js';

/** What each output must say for each status: the words a reader, a CI test view or a dashboard sees. */
const EXPECTED: Record<Exclude<VerdictStatus, 'unchecked'>, { code: number; word: string; junitFails: boolean; passed: number }> = {
  pass: { code: EXIT.ok, word: 'PASS', junitFails: false, passed: 1 },
  fail: { code: EXIT.failed, word: 'FAIL', junitFails: true, passed: 0 },
  invalid: { code: EXIT.invalidRun, word: 'INVALID RUN', junitFails: true, passed: 0 },
  interrupted: { code: EXIT.interrupted, word: 'INTERRUPTED', junitFails: true, passed: 0 },
};

const runs: [VerdictStatus, (r: RunResult) => void][] = [
  ['pass', (r) => void (r.slo = { p99Ms: 10_000 })],
  ['fail', (r) => void (r.slo = { p99Ms: 5 })],
  ['invalid', (r) => void (r.health = { ...r.health, valid: false, reasons: ['generator saturated in 9 of 9 intervals'] })],
  ['interrupted', (r) => void (r.interrupted = true)],
];

describe('every output of a run agrees with its exit code', () => {
  it.each(runs)('%s: exit code, terminal, summary.md, junit.xml, metrics.prom and the HTML page', async (status, tweak) => {
    const result = syntheticResult({ intervals: 8, stageConcurrency: [2, 4] });
    result.thresholds = [];
    result.slo = { p99Ms: 10_000 };
    tweak(result);
    const analysis = analyze(result);
    const expected = EXPECTED[status as keyof typeof EXPECTED];
    expect(analysis.verdict.status).toBe(status);
    expect(exitCodeOf(analysis.verdict)).toBe(expected.code);
    expect(checkLines(analysis.verdict).at(-1)).toBe(`verdict: ${expected.word}`);

    const files = Object.fromEntries(await renderReportFiles(result, analysis));
    expect(files['summary.md']!.split('\n')[0]).toContain(expected.word);
    const failures = Number(/<testsuites [^>]*failures="(\d+)"/.exec(files['junit.xml']!)![1]);
    expect(failures > 0).toBe(expected.junitFails);
    const passed = parsePrometheusText(files['metrics.prom']!).find((f) => f.name === 'tailscope_run_passed')!;
    expect(passed.samples[0]!.value).toBe(expected.passed);
    expect(files['index.html']).toContain(`<span class="badge ${status}">${expected.word}</span>`);
  });
});

describe('unknown is not zero', () => {
  function unsplittable(): RunResult {
    const result = syntheticResult({ intervals: 4, stageConcurrency: [2] });
    result.serverTiming = { ...result.serverTiming, source: 'none' };
    delete result.probe;
    for (const histograms of [result.histograms, ...result.stages.map((s) => s.histograms)]) {
      delete histograms.service;
      delete histograms.network;
      delete histograms.queue;
      delete histograms.ttfb;
    }
    return result;
  }

  it('leaves an impossible split null in analysis.json, out of metrics.prom, and n/a in the reports', async () => {
    const result = unsplittable();
    const analysis = JSON.parse(JSON.stringify(analyze(result)));
    expect(analysis.split).toMatchObject({ method: 'none', network: null, service: null });
    const files = Object.fromEntries(await renderReportFiles(result, analysis));
    expect(files['metrics.prom']).not.toContain('tailscope_latency_component_seconds');
    expect(files['summary.md']).toMatch(/split \(n\/a\): network p50 n\/a ms, service p50 n\/a ms/);
    expect(files['index.html']).toContain('No network vs service split');
  });

  it('leaves the hedge effect null without first-byte times, and marks stock timeouts in the snippets as defaults', () => {
    const result = unsplittable();
    const { resilience } = analyze(result);
    expect(resilience.hedging).toMatchObject({ extraLoadShare: null, p99WithoutMs: null, p99WithMs: null });
    expect(resilience.snippets.defaults).toContain('connectMs');
    // The total timeout was measured, and the first-byte one falls back to it: neither is a stock figure.
    expect(resilience.snippets.defaults).not.toContain('totalMs');
    expect(resilience.snippets.undici).toMatch(/connect: \{ timeout: \d+ \}, \/\/ default: this run did not measure it/);
    expect(resilience.snippets.envoy).toMatch(/connect_timeout: [\d.]+s {2}# default: this run did not measure it/);
  });

  it('shows generator figures the platform could not measure as n/a, and leaves them out of metrics.prom', async () => {
    const result = syntheticResult({ intervals: 4, stageConcurrency: [2] });
    result.health = { ...result.health, threadCpu: null };
    const files = Object.fromEntries(await renderReportFiles(result, analyze(result)));
    expect(files['summary.md']).toContain('worker thread CPU max n/a');
    expect(files['metrics.prom']).not.toContain('tailscope_generator_thread_cpu_ratio');
    expect(files['metrics.prom']).not.toContain('tailscope_generator_cpu_ratio');
    expect(files['metrics.prom']).toContain('tailscope_generator_process_cpu_cores');
  });
});
