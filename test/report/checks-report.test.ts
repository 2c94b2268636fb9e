import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { renderMarkdown } from '../../src/report/markdown/render.js';
import { checksSection } from '../../src/report/html/sections.js';
import { renderOpenMetrics } from '../../src/report/openmetrics/render.js';
import { syntheticResult } from './fixture.js';
import type { RunResult } from '../../src/result/types.js';

const HOSTILE = '<script>alert(1)</script> | [x](javascript:alert(1))\nsecond line';

/** A result whose check failure quotes what a hostile target sent back. */
function withChecks(): RunResult {
  const result = syntheticResult({});
  const [name] = Object.keys(result.requestsByName);
  result.requestsByName[name!]!.checks = [
    { label: 'status 200', passes: 120, fails: 0 },
    { label: '$.result contains "ok"', passes: 100, fails: 20, firstFailure: `$.result is "${HOSTILE}", expected it to contain "ok"` },
  ];
  return result;
}

describe('checks in the reports', () => {
  it('lists each check with passes, fails and the first failure in summary.md, the target’s words inert', () => {
    const result = withChecks();
    const analysis = analyze(result);
    const text = renderMarkdown(result, analysis, analysis.verdict);
    expect(text).toMatch(/^checks: 220 of 240 passed \(91\.67%\)$/m);
    const row = text.split('\n').find((line) => line.includes('contains') && line.startsWith('| '))!;
    expect(row).toMatch(/\| 100 \| 20 \| /);
    expect(row).not.toMatch(/<script/);
    expect(row).not.toContain('](');
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(5);
  });

  it('shows a Checks section in index.html with the failure escaped', () => {
    const section = checksSection(withChecks());
    expect(section).toContain('220 of 240 checks passed (91.67%)');
    expect(section).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(section).not.toContain('<script>');
  });

  it('counts each check by result in metrics.prom, labels escaped', () => {
    const result = withChecks();
    const analysis = analyze(result);
    const text = renderOpenMetrics(result, analysis, analysis.verdict);
    expect(text).toContain('# TYPE tailscope_checks_total counter');
    expect(text).toMatch(/^tailscope_checks_total\{.*check="status 200",result="pass"\} 120$/m);
    expect(text).toMatch(/^tailscope_checks_total\{.*check="\$\.result contains \\"ok\\"",result="fail"\} 20$/m);
  });

  it('leaves the section out of a run without checks', () => {
    const result = syntheticResult({});
    const analysis = analyze(result);
    expect(checksSection(result)).toBe('');
    expect(renderMarkdown(result, analysis, analysis.verdict)).not.toMatch(/^checks:/m);
  });
});
