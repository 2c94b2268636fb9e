import { join } from 'node:path';
import { renderOverlayHtml } from './html/overlay.js';
import { renderOverlayMarkdown } from './markdown/overlay.js';
import { runLabels, type OverlayRun } from './views/overlay.js';
import type { LoadedRun } from './build.js';
import { slug } from '../shared/format.js';
import { writeReports, type FileSink, type ReportFiles } from './write.js';

/**
 * Several runs: the overlay page and its summary in dir, and each run's own full report in a numbered
 * sub-folder so the overlay can be forwarded as one folder.
 */
export async function writeOverlay(dir: string, runs: readonly LoadedRun[], sink: FileSink): Promise<ReportFiles> {
  const labels = runLabels(runs.map((run) => run.path));
  const folders = labels.map((label, i) => `${i + 1}-${slug(label)}`);
  const overlaid: OverlayRun[] = runs.map((run, i) => ({
    label: labels[i]!,
    result: run.result,
    verdict: run.analysis.verdict,
    reportPath: `${folders[i]}/index.html`,
  }));
  await sink.mkdir(dir);
  const files: string[] = [];
  for (const [name, content] of [
    ['index.html', await renderOverlayHtml(overlaid)],
    ['summary.md', renderOverlayMarkdown(overlaid)],
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
