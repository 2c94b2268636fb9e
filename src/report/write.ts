import { join } from 'node:path';
import type { RunResult } from '../result/types.js';
import type { Analysis } from '../analysis/types.js';
import { renderHtml } from './html/render.js';
import { renderJunit } from './junit/render.js';
import { renderMarkdown } from './markdown/render.js';
import { renderOpenMetrics } from './openmetrics/render.js';
import { renderAlerts } from './prometheus/alerts.js';
import { serializeResult } from '../result/serialize.js';
import { serializeAnalysis } from '../analysis/serialize.js';

export interface ReportFiles {
  dir: string;
  files: string[];
}

/** A sink for files, so writing reports is testable without a disk (the CLI passes its Io). */
export interface FileSink {
  mkdir(path: string): Promise<void>;
  writeFile(path: string, content: string): Promise<void>;
}

export interface ReportOptions {
  /** false when result.json and analysis.json are already on disk (rebuilding a report from them) */
  writeData?: boolean;
}

/** Every report file of one run, by name: a function of result and analysis alone. */
export async function renderReportFiles(result: RunResult, analysis: Analysis): Promise<[string, string][]> {
  const verdict = analysis.verdict;
  return [
    ['index.html', await renderHtml(result, analysis, verdict)],
    ['summary.md', renderMarkdown(result, analysis, verdict)],
    ['junit.xml', renderJunit(result, verdict)],
    ['metrics.prom', renderOpenMetrics(result, analysis, verdict)],
    // Prometheus alerting rules for the measured service, from its SLO and the recommended timeouts
    ['alerts.yaml', renderAlerts(result, analysis)],
  ];
}

/** Writes result.json, analysis.json, index.html, summary.md, junit.xml, metrics.prom and alerts.yaml into dir. */
export async function writeReports(
  dir: string,
  result: RunResult,
  analysis: Analysis,
  sink: FileSink,
  options: ReportOptions = {},
): Promise<ReportFiles> {
  await sink.mkdir(dir);
  const outputs: [string, string][] = [
    ...(options.writeData === false
      ? []
      : ([
          ['result.json', serializeResult(result)],
          ['analysis.json', serializeAnalysis(analysis)],
        ] as [string, string][])),
    ...(await renderReportFiles(result, analysis)),
  ];
  for (const [name, content] of outputs) await sink.writeFile(join(dir, name), content);
  return { dir, files: outputs.map(([name]) => join(dir, name)) };
}
