import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Io } from '../io.js';
import { EXIT } from '../exit-codes.js';
import { loadRun } from '../../report/build.js';
import { writeReports } from '../../report/write.js';
import { writeOverlay } from '../../report/overlay.js';
import { serializeAnalysis } from '../../analysis/serialize.js';

interface ReportArgs {
  results: string[];
  out?: string;
}

/** `tailscope report`: rebuild the reports of one run, or overlay several, from result.json files alone. */
export const reportCommand = {
  command: 'report <results..>',
  describe: 'rebuild index.html, summary.md, junit.xml, metrics.prom and alerts.yaml from result.json (several: compare them)',
  builder: (y: Argv) =>
    y
      .positional('results', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'result.json files (analysis.json beside each is used when present, with its what-if replay; otherwise it is recomputed)',
      })
      .option('out', { type: 'string', describe: 'output directory (default: beside the result; for several runs, reports/compare)' })
      .example('tailscope report reports/demo/result.json', 'rebuild one report')
      .example(
        'tailscope report base/result.json head/result.json --out reports/compare',
        "overlay two runs; each run's own report goes to a numbered sub-folder, linked from the overlay",
      ),
  handler: async (args: ReportArgs, io: Io): Promise<number> => {
    const paths = args.results.map((path) => resolve(io.cwd, path));
    const runs = [];
    for (const path of paths) runs.push(await loadRun(path, io));
    if (runs.length === 1) {
      const run = runs[0]!;
      const outDir = resolve(io.cwd, args.out ?? dirname(run.path));
      // Beside its own result, only a freshly computed analysis is new; elsewhere, copy both so the folder stands alone.
      const elsewhere = outDir !== dirname(run.path);
      const written = await writeReports(outDir, run.result, run.analysis, io, { writeData: elsewhere });
      if (!elsewhere && run.analysisComputed) await io.writeFile(resolve(outDir, 'analysis.json'), serializeAnalysis(run.analysis));
      io.stdout(`report: ${written.files.find((f) => f.endsWith('index.html'))}\n`);
      return EXIT.ok;
    }
    const outDir = resolve(io.cwd, args.out ?? 'reports/compare');
    const written = await writeOverlay(outDir, runs, io);
    io.stdout(`report: ${written.files[0]}\n`);
    return EXIT.ok;
  },
};
