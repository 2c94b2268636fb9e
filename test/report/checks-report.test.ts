import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { renderMarkdown } from '../../src/report/markdown/render.js';
import { renderHtml } from '../../src/report/html/render.js';
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

  it('shows a Checks section in index.html with the failure escaped', async () => {
    const result = withChecks();
    const analysis = analyze(result);
    const html = await renderHtml(result, analysis, analysis.verdict);
    const section = /<section id="response-checks">[\s\S]*?<\/section>/.exec(html)![0];
    expect(section).toContain('220 of 240 checks passed (91.67%)');
    expect(section).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(section).not.toContain('<script>');
  });

  it('leaves the section out of a run without checks', async () => {
    const result = syntheticResult({});
    const analysis = analyze(result);
    expect(await renderHtml(result, analysis, analysis.verdict)).not.toContain('id="response-checks"');
    expect(renderMarkdown(result, analysis, analysis.verdict)).not.toMatch(/^checks:/m);
  });
});
