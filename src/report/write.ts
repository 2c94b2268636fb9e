import { join } from 'node:path';
import type { RunResult } from '../result/types.js';
import type { Analysis } from '../analysis/types.js';
import { renderHtml } from './html.js';

export interface ReportFiles { dir: string; files: string[] }

/** A sink for files, so writing reports is testable without a disk (the CLI passes its Io). */
export interface FileSink {
  mkdir(path: string): Promise<void>;
  writeFile(path: string, content: string): Promise<void>;
}

/** Writes result.json, analysis.json and index.html into dir. */
export async function writeReports(dir: string, result: RunResult, analysis: Analysis, sink: FileSink): Promise<ReportFiles> {
  await sink.mkdir(dir);
  const outputs: [string, string][] = [
    ['result.json', `${JSON.stringify(result, null, 1)}\n`],
    ['analysis.json', `${JSON.stringify(analysis, null, 2)}\n`],
    ['index.html', await renderHtml(result, analysis)],
  ];
  for (const [name, content] of outputs) await sink.writeFile(join(dir, name), content);
  return { dir, files: outputs.map(([name]) => join(dir, name)) };
}
