import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Io } from '../io.js';
import { exitCodeOf } from '../exit-codes.js';
import { mergeRunFiles } from '../../report/build.js';
import { writeReports } from '../../report/write.js';
import { checkLines, summaryLines } from '../summary.js';

interface MergeArgs {
  results: string[];
  out: string;
  force: boolean;
}

/** `tailscope merge`: the shards of one run (run --shard i/N) into one result, judged as a whole. */
export const mergeCommand = {
  command: 'merge <results..>',
  describe: 'merge the result.json files of a sharded run exactly (histograms add) and judge the whole run',
  builder: (y: Argv) =>
    y
      .positional('results', { type: 'string', array: true, demandOption: true, describe: 'result.json of every shard' })
      .option('out', { type: 'string', demandOption: true, describe: 'directory for the merged result and its reports' })
      .option('force', { type: 'boolean', default: false, describe: 'merge even if the results are not the shards of one run' })
      .example('tailscope merge shard-*/result.json --out reports/merged', 'after four machines ran --shard 0/4 … 3/4'),
  handler: async (args: MergeArgs, io: Io): Promise<number> => {
    const files = args.results.map((file) => ({ path: resolve(io.cwd, file), shownAs: file }));
    const { result: merged, analysis, overridden } = await mergeRunFiles(files, io, args.force);
    if (overridden.length > 0) io.stderr(`--force: merged although ${overridden.join('; ')}\n`);
    const written = await writeReports(resolve(io.cwd, args.out), merged, analysis, io);
    for (const line of summaryLines(merged, analysis)) io.stdout(`${line}\n`);
    io.stdout(`report: ${written.files.find((f) => f.endsWith('index.html'))}\n`);
    for (const line of checkLines(analysis.verdict)) io.stdout(`${line}\n`);
    return exitCodeOf(analysis.verdict);
  },
};
