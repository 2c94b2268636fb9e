import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { renderComparisonMarkdown, renderMarkdown } from '../../src/report/markdown.js';
import { escapeMarkdown } from '../../src/report/markdown-escape.js';
import { verdictOf } from '../../src/report/verdict.js';
import { syntheticResult } from './fixture.js';

const HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> | [x](javascript:alert(1)) @org/team *bold*\nsecond line';

describe('summary.md', () => {
  it('makes hostile names inert: no HTML, no link, no table break, no mention, one line', () => {
    const result = syntheticResult({ name: HOSTILE, url: `http://127.0.0.1:1/${HOSTILE}` });
    result.thresholds = [HOSTILE];
    const analysis = analyze(result);
    const text = renderMarkdown(result, analysis, verdictOf(result, analysis));
    expect(text).not.toMatch(/<script|<img/);
    expect(text).not.toContain('](');
    expect(text).not.toMatch(/(^|[^\\])@org/);
    expect(text).toContain('&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    // The threshold row keeps exactly four cells although its name holds a pipe and a line feed.
    const row = text.split('\n').find((line) => line.startsWith('| &lt;script'))!;
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(4);
  });

  it('leads with the verdict and lists each check with what was observed', () => {
    const result = syntheticResult();
    result.slo = { p99Ms: 50, errorRate: 0.01 };
    const analysis = analyze(result);
    result.thresholds = ['p99 < 200ms', 'no such stat < 3'];
    const text = renderMarkdown(result, analysis, verdictOf(result, analysis));
    const lines = text.split('\n');
    expect(lines[0]).toBe('### tailscope: synthetic — ❌ FAIL');
    expect(lines.find((l) => l.startsWith('| p99 &lt; 200ms |'))).toMatch(/^\| p99 &lt; 200ms \| ✅ pass \| p99 \\= 14\d ms \| &lt; 200 ms \|$/);
    expect(lines.find((l) => l.startsWith('| SLO p99 |'))).toMatch(/❌ fail \| 14\d ms \| ≤ 50\\\.0 ms/);
    expect(lines.find((l) => l.startsWith('| no such stat'))).toMatch(/^\| no such stat &lt; 3 \| not evaluated \| not evaluated\\: .+ \|  \|$/);
  });

  it('compares runs against the first one', () => {
    const base = syntheticResult();
    const slower = syntheticResult({ latencyScale: 1.5, seed: 7 });
    const verdict = (r: typeof base) => verdictOf(r, analyze(r));
    const text = renderComparisonMarkdown([{ label: 'base', result: base, verdict: verdict(base) }, { label: 'head', result: slower, verdict: verdict(slower) }]);
    const headRow = text.split('\n').find((l) => l.startsWith('| head'))!;
    const expected = ((slower.totals.latency.p99 - base.totals.latency.p99) / base.totals.latency.p99) * 100;
    expect(headRow).toContain(`+${expected.toFixed(1)}%`);
    expect(text).toContain('| base |');
    expect(text).toContain('reference');
  });

  it('escapes every Markdown-active character it is given', () => {
    expect(escapeMarkdown('a_b*c`d|e<f>&[g](h)#!~@\\')).toBe('a\\_b\\*c\\`d\\|e&lt;f&gt;&amp;\\[g\\]\\(h\\)\\#\\!\\~\\@\\\\');
  });
});
