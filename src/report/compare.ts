import { join } from 'node:path';
import { renderComparisonHtml } from './compare-html.js';
import { renderComparisonMarkdown, type ComparedRun } from './markdown.js';
import type { LoadedRun } from './load.js';
import { slug } from '../shared/format.js';
import { writeReports, type FileSink, type ReportFiles } from './write.js';

/** A short, unique folder-safe label per run, from the folder each result sits in (a/result.json → a). */
export function runLabels(paths: readonly string[]): string[] {
  const base = paths.map((path) => {
    const parts = path.split(/[\\/]/).filter(Boolean);
    return (parts.length > 1 ? parts.at(-2)! : parts.at(-1)!.replace(/\.json$/, '')) || 'run';
  });
  return base.map((label, i) => (base.indexOf(label) !== i || base.lastIndexOf(label) !== i ? `${i + 1}-${label}` : label));
}


/**
 * Several runs: the overlay page and comparison summary in dir, and each run's own full report in a
 * numbered sub-folder so the comparison can be forwarded as one folder.
 */
export async function writeComparison(dir: string, runs: readonly LoadedRun[], sink: FileSink): Promise<ReportFiles> {
  const labels = runLabels(runs.map((run) => run.path));
  const folders = labels.map((label, i) => `${i + 1}-${slug(label)}`);
  const compared: ComparedRun[] = runs.map((run, i) => ({
    label: labels[i]!, result: run.result, verdict: run.analysis.verdict, reportPath: `${folders[i]}/index.html`,
  }));
  await sink.mkdir(dir);
  const files: string[] = [];
  for (const [name, content] of [
    ['index.html', await renderComparisonHtml(compared)],
    ['summary.md', renderComparisonMarkdown(compared)],
  ] as const) {
    await sink.writeFile(join(dir, name), content);
    files.push(join(dir, name));
  }
  for (const [i, run] of runs.entries()) {
    const written = await writeReports(join(dir, folders[i]!), run.result, run.analysis, sink);
    files.push(...written.files);
  }
  return { dir, files };
}
