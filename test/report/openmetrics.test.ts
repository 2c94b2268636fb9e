import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { renderOpenMetrics, escapeLabelValue } from '../../src/report/openmetrics/render.js';
import { syntheticResult } from './fixture.js';
import { parsePrometheusText } from './prom-parser.js';

const HOSTILE = 'say "hi"\\ back\nnow <script>';

function render(options = {}) {
  const result = syntheticResult({ streaming: true, ...options });
  const analysis = analyze(result);
  return { result, text: renderOpenMetrics(result, analysis, analysis.verdict) };
}

describe('metrics.prom', () => {
  it('parses with a strict Prometheus text-format reader', () => {
    const { text } = render();
    const families = parsePrometheusText(text);
    expect(families.length).toBeGreaterThan(10);
    for (const family of families) {
      expect(family.help, family.name).toBeTruthy();
      expect(family.type, family.name).not.toBe('untyped');
    }
  });

  it('carries latency as a summary in seconds whose quantiles are the run percentiles', () => {
    const { result, text } = render();
    const family = parsePrometheusText(text).find((f) => f.name === 'tailscope_request_duration_seconds')!;
    expect(family.type).toBe('summary');
    const at = (q: string) => family.samples.find((s) => s.labels.quantile === q)!.value;
    expect(at('0.5')).toBeCloseTo(result.totals.latency.p50 / 1000, 12);
    expect(at('0.99')).toBeCloseTo(result.totals.latency.p99 / 1000, 12);
    expect(at('0.999')).toBeCloseTo(result.totals.latency.p999 / 1000, 12);
    expect(family.samples.find((s) => s.name.endsWith('_count'))!.value).toBe(result.totals.latency.count);
    const sum = family.samples.find((s) => s.name.endsWith('_sum'))!.value;
    expect(sum).toBeCloseTo((result.totals.latency.mean * result.totals.latency.count) / 1000, 6);
  });

  it('names counters with _total and counts errors by status and kind', () => {
    const { result, text } = render();
    const families = parsePrometheusText(text);
    expect(families.filter((f) => f.type === 'counter').every((f) => f.name.endsWith('_total'))).toBe(true);
    expect(families.find((f) => f.name === 'tailscope_requests_total')!.samples[0]!.value).toBe(result.totals.requests);
    const errors = families.find((f) => f.name === 'tailscope_request_errors_total')!.samples;
    expect(Object.fromEntries(errors.map((s) => [s.labels.error, s.value]))).toEqual({
      'HTTP 503': result.totals.errorsByKind.byStatus['503'],
      timeout_total: 1,
    });
  });

  it('escapes quotes, backslashes and line feeds in label values so they read back exactly', () => {
    const { text } = render({ name: HOSTILE, requestName: HOSTILE, url: 'http://user:pw@127.0.0.1:1/"x"' });
    const families = parsePrometheusText(text);
    const info = families.find((f) => f.name === 'tailscope_run_info')!.samples[0]!;
    expect(info.labels.scenario).toBe(HOSTILE);
    // Credentials in a target URL never reach a report.
    expect(info.labels.target).toBe('http://127.0.0.1:1/"x"');
    expect(text).not.toContain('pw@');
    const byName = families.find((f) => f.name === 'tailscope_request_by_name_duration_seconds')!;
    expect(byName.samples[0]!.labels.request).toBe(HOSTILE);
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });

  it('reports threshold and SLO checks as 1/0 gauges, leaving out unevaluated thresholds', () => {
    const result = syntheticResult();
    result.thresholds = ['p99 < 50ms', 'error_rate < 1%', 'not a threshold'];
    const analysis = analyze(result);
    const checks = parsePrometheusText(renderOpenMetrics(result, analysis, analysis.verdict)).find(
      (f) => f.name === 'tailscope_check_passed',
    )!;
    expect(Object.fromEntries(checks.samples.map((s) => [s.labels.check, s.value]))).toEqual({
      'p99 < 50ms': 0,
      'error_rate < 1%': 1,
      'SLO p99': 1,
      'SLO error rate': 1,
    });
  });
});

describe('the strict Prometheus reader used above', () => {
  it.each([
    ['an unescaped quote in a label', '# TYPE a gauge\na{x="a"b"} 1\n'],
    ['a counter without _total', '# TYPE a counter\na 1\n'],
    ['a sample before its TYPE', 'a 1\n# TYPE a gauge\n'],
    ['a family split in two', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="1"} 2\n'],
    ['a summary quantile above 1', '# TYPE a summary\na{quantile="1.5"} 1\n'],
    ['a missing final line feed', '# TYPE a gauge\na 1'],
    ['a duplicate series', '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n'],
    ['a bad escape', '# TYPE a gauge\na{x="\\t"} 1\n'],
  ])('rejects %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
