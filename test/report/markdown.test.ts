import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { renderMarkdown } from '../../src/report/markdown/render.js';
import { renderOverlayMarkdown } from '../../src/report/markdown/overlay.js';
import { escapeMarkdown, fencedCode } from '../../src/report/markdown/escape.js';
import { RESILIENCE, withFixedAdvice } from './advice-fixture.js';
import { syntheticResult, withAdvice } from './fixture.js';

const HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> | [x](javascript:alert(1)) @org/team *bold*\nsecond line';

describe('summary.md', () => {
  it('makes hostile names inert: no HTML, no link, no table break, no mention, one line', () => {
    const result = syntheticResult({ name: HOSTILE, url: `http://127.0.0.1:1/${HOSTILE}` });
    result.thresholds = [HOSTILE];
    const analysis = analyze(result);
    const text = renderMarkdown(result, analysis, analysis.verdict);
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
    result.thresholds = ['p99 < 200ms', 'no such stat < 3'];
    const analysis = analyze(result);
    const text = renderMarkdown(result, analysis, analysis.verdict);
    const lines = text.split('\n');
    expect(lines[0]).toBe('### tailscope: synthetic — ❌ FAIL');
    expect(lines.find((l) => l.startsWith('| p99 &lt; 200ms |'))).toMatch(
      /^\| p99 &lt; 200ms \| ✅ pass \| p99 \\= 14\d ms \| &lt; 200 ms \|$/,
    );
    expect(lines.find((l) => l.startsWith('| SLO p99 |'))).toMatch(/❌ fail \| 14\d ms \| ≤ 50\\\.0 ms/);
    expect(lines.find((l) => l.startsWith('| no such stat'))).toMatch(
      /^\| no such stat &lt; 3 \| not evaluated \| not evaluated\\: .+ \| {2}\|$/,
    );
  });

  it('compares runs against the first one', () => {
    const base = syntheticResult();
    const slower = syntheticResult({ latencyScale: 1.5, seed: 7 });
    const verdict = (r: typeof base) => analyze(r).verdict;
    const text = renderOverlayMarkdown([
      { label: 'base', result: base, verdict: verdict(base) },
      { label: 'head', result: slower, verdict: verdict(slower) },
    ]);
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

describe('advice in summary.md', () => {
  const result = syntheticResult();
  const analysis = withFixedAdvice(withAdvice(analyze(result), result));
  const text = renderMarkdown(result, analysis, analysis.verdict);
  const lines = text.split('\n');

  it('lists each resilience setting with its value and rule, and its warnings', () => {
    const start = lines.indexOf('**Retries and resilience**');
    expect(lines.slice(start + 2, start + 10)).toEqual([
      '| setting | value | rule |',
      '| --- | --- | --- |',
      '| max retries | 2 | fewest retries R ≤ 3 with p^\\(R\\+1\\) ≤ 0\\.0001 |',
      '| backoff | exponential, base 25\\.0 ms, cap 200 ms, full jitter | base \\= median latency rounded up |',
      '| retry budget | 15% of requests, floor 10 retries/s, min retry concurrency 3 | 3× the retryable failure share, kept within 10–20% |',
      '| hedging | after 48\\.0 ms \\(p95\\)\\: \\+5\\.1% load, p99 142 → 63\\.2 ms | hedge at the p95 of total latency |',
      '| concurrency limit | 12 in flight | the measured in\\-flight requests at the knee \\(stage 2\\) |',
      '| circuit breaker | open above 6% failures; max 12 concurrent, 12 pending | open when the failure share over a window exceeds 5× the 1\\.20% seen |',
    ]);
    expect(text).toContain('> no knee was found\\: the concurrency limit is read at the heaviest stage');
  });

  it('carries both snippets verbatim in fenced blocks inside collapsed details', () => {
    expect(text).toContain(`<details><summary>fetch + AbortSignal</summary>\n\n\`\`\`js\n${RESILIENCE.snippets.fetch}\`\`\`\n\n</details>`);
    expect(text).toContain(`<details><summary>Envoy</summary>\n\n\`\`\`yaml\n${RESILIENCE.snippets.envoy}\`\`\`\n\n</details>`);
  });

  it('fences a snippet so that no backtick run inside can close the block early', () => {
    const hostile = 'a\n```\n<script>alert(1)</script>\n`````x';
    const block = fencedCode(hostile, 'js"><b');
    expect(block).toBe(`\`\`\`\`\`\`jsb\n${hostile}\n\`\`\`\`\`\``);
    // Every backtick run inside is shorter than the fence, so only the last line closes it.
    const fence = block.split('\n')[0]!.replace(/[^`]/g, '');
    expect(Math.max(...(hostile.match(/`+/g) ?? []).map((run) => run.length))).toBeLessThan(fence.length);
  });

  it('shows the what-if replay against the recorded baseline, with the policy and failures by cause', () => {
    const start = lines.indexOf('**What-if replay**');
    // The replay closes the summary, so this is everything after its heading (the file ends with a newline).
    expect(lines.slice(start + 2)).toEqual([
      '- timeouts\\: connect 500 ms, first byte 150 ms',
      '- retries\\: up to 2 on 5xx, timeout, exponential backoff from 25\\.0 ms to 200 ms, full jitter',
      '- retry budget\\: 20% of first attempts',
      '- hedge\\: after 48\\.0 ms',
      '- replayed\\: 10000 logical requests, seed 7',
      '',
      '|  | with the policy | no policy \\(as recorded\\) |',
      '| --- | --- | --- |',
      '| success rate | 99\\.91% | 98\\.80% |',
      '| p50 | 31\\.5 ms | 30\\.7 ms |',
      '| p99 | 96\\.2 ms | 144 ms |',
      '| p99\\.9 | 212 ms | 199 ms |',
      '| extra load | \\+7\\.3% | \\+0\\.0% |',
      '',
      'failed: timeout\\_first\\_byte 6 (0\\.060%), 5xx 3 (0\\.030%)',
      '',
      'method: Monte Carlo over the recorded histograms \\(seed 7, 10000 logical requests\\)',
      '',
      '> the run had timeouts of its own\\: those attempts are taken to exceed any policy timeout \\(censored\\)',
      '',
    ]);
  });

  it('tabulates the timeouts with mean+2σ beside them, and per load level', () => {
    const total = result.totals.latency;
    expect(text).toContain('**Timeouts** (read at the knee level\\: stage c8, load 8\\.0, 310 req/s)');
    expect(text).toContain(
      `| total | ${escapeMarkdown(`${(total.p999 * 1.5).toFixed(0)} ms`)} | 0\\.040% | complete | ${escapeMarkdown(`${(total.mean * 2.2).toFixed(1)} ms (cuts 3.000%)`)} |`,
    );
    const start = lines.indexOf('By load level:');
    expect(lines.slice(start + 2, start + 7)).toEqual([
      '| level | stage | concurrency | req/s | firstByte | total |',
      '| --- | --- | --- | --- | --- | --- |',
      '| light | c2 | 2\\.0 | 99\\.5 | 62\\.0 ms \\(cuts 0\\.000%\\) | 70\\.0 ms \\(cuts 0\\.050%\\) |',
      '| nominal | c4 | 4\\.0 | 198 | 75\\.0 ms \\(cuts 0\\.100%\\) | 82\\.0 ms \\(cuts 0\\.080%\\) |',
      '| knee | c8 | 8\\.0 | 310 | – | 160 ms \\(cuts 0\\.125%\\) |',
    ]);
  });
});
