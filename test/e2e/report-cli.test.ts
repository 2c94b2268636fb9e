import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { runCli } from '../../src/cli/program.js';
import { processIo, type Io } from '../../src/cli/io.js';
import { formatMs, formatPercent } from '../../src/report/views/format.js';
import { escapeMarkdown } from '../../src/report/markdown/escape.js';
import { syntheticResult } from '../report/fixture.js';

describe('tailscope report', () => {
  let dir: string;
  let stdout: string[];
  let stderr: string[];
  let io: Io;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tailscope-report-cli-'));
    for (const [name, scale] of [
      ['base', 1],
      ['head', 1.4],
    ] as const) {
      await mkdir(join(dir, name));
      await writeFile(join(dir, name, 'result.json'), JSON.stringify(syntheticResult({ name, latencyScale: scale })));
    }
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) => {
    stdout = [];
    stderr = [];
    io = { ...processIo(), cwd: dir, stdout: (t) => void stdout.push(t), stderr: (t) => void stderr.push(t) };
    return runCli(args, io);
  };

  it('rebuilds every report beside a result, computing the missing analysis', async () => {
    expect(await cli(['report', 'base/result.json'])).toBe(0);
    expect((await readdir(join(dir, 'base'))).sort()).toEqual([
      'alerts.yaml',
      'analysis.json',
      'index.html',
      'junit.xml',
      'metrics.prom',
      'result.json',
      'summary.md',
    ]);
    const analysis = JSON.parse(await readFile(join(dir, 'base', 'analysis.json'), 'utf8'));
    const result = JSON.parse(await readFile(join(dir, 'base', 'result.json'), 'utf8'));
    expect(analysis).toEqual(JSON.parse(JSON.stringify(analyze(result))));
    expect(stdout.join('')).toBe(`report: ${join(dir, 'base', 'index.html')}\n`);
  });

  it('uses the analysis.json that sits beside the result', async () => {
    const path = join(dir, 'base', 'analysis.json');
    const analysis = JSON.parse(await readFile(path, 'utf8'));
    // The reports read the stored verdict: a change there shows that the file beside the result was used.
    analysis.verdict.validity.warnings = ['only 4 load levels so the USL fit is indicative'];
    await writeFile(path, JSON.stringify(analysis));
    expect(await cli(['report', 'base/result.json', '--out', 'again'])).toBe(0);
    expect(await readFile(join(dir, 'again', 'summary.md'), 'utf8')).toContain('> only 4 load levels so the USL fit is indicative');
    // Written elsewhere, the folder stands alone: result and analysis are copied with the reports.
    expect((await readdir(join(dir, 'again'))).sort()).toEqual([
      'alerts.yaml',
      'analysis.json',
      'index.html',
      'junit.xml',
      'metrics.prom',
      'result.json',
      'summary.md',
    ]);
  });

  it('keeps the what-if replay of `analyze --policy` when the report is rebuilt', async () => {
    await mkdir(join(dir, 'whatif'));
    await writeFile(join(dir, 'whatif', 'result.json'), JSON.stringify(syntheticResult({ name: 'whatif' })));
    await writeFile(
      join(dir, 'policy.yaml'),
      'timeouts: { total: 120ms }\nretries: { max: 2, base: 20ms }\nbudget: 20%\nhedge: { delay: p95 }\nsamples: 2000\n',
    );
    expect(await cli(['analyze', 'whatif/result.json', '--policy', 'policy.yaml'])).toBe(0);
    const replay = JSON.parse(await readFile(join(dir, 'whatif', 'analysis.json'), 'utf8')).replay;
    expect(replay.policy).toMatchObject({ timeouts: { totalMs: 120 }, retries: { max: 2, baseMs: 20 }, budgetRatio: 0.2, samples: 2000 });
    expect(await cli(['report', 'whatif/result.json'])).toBe(0);
    const summary = await readFile(join(dir, 'whatif', 'summary.md'), 'utf8');
    expect(summary).toContain(
      `| success rate | ${escapeMarkdown(formatPercent(replay.successRate))} | ${escapeMarkdown(formatPercent(replay.baseline.successRate))} |`,
    );
    expect(summary).toContain(`- hedge\\: after ${escapeMarkdown(formatMs(replay.policy.hedge.delayMs))} ms`);
    const html = await readFile(join(dir, 'whatif', 'index.html'), 'utf8');
    expect(html).toContain('<section id="replay">');
    expect(html).toContain(
      `<tr><td>p99</td><td>${formatMs(replay.effective.p99)} ms</td><td>${formatMs(replay.baseline.p99)} ms</td></tr>`,
    );
  });

  it("overlays several runs in one page with a comparison table and each run's own report", async () => {
    expect(await cli(['report', 'base/result.json', 'head/result.json', '--out', 'compare'])).toBe(0);
    const entries = (await readdir(join(dir, 'compare'))).sort();
    expect(entries).toEqual(['1-base', '2-head', 'index.html', 'summary.md']);
    const summary = await readFile(join(dir, 'compare', 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| base \| .* \| reference \|/);
    expect(summary).toMatch(/\| head \| .* \| \+\d+\.\d% \|/);
    const html = await readFile(join(dir, 'compare', 'index.html'), 'utf8');
    expect(html).toContain('id="live-percentile-spectrum"');
    expect(html).toContain('id="live-latency-vs-load"');
    expect(await readdir(join(dir, 'compare', '2-head'))).toContain('index.html');
    // Each run's name links to its own report in its sub-folder.
    expect([...html.matchAll(/<td><a href="([^"]+)">/g)].map((m) => m[1])).toEqual(['1-base/index.html', '2-head/index.html']);
  });

  it('refuses a file that is not a tailscope result with exit 2', async () => {
    await writeFile(join(dir, 'other.json'), JSON.stringify({ schema: 'something/v9' }));
    expect(await cli(['report', 'other.json'])).toBe(2);
    expect(stderr.join('')).toContain('not a tailscope.result/v1 result');
    expect(await cli(['report', 'missing.json'])).toBe(2);
  });
});
