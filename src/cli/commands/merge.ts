import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Io } from '../io.js';
import { EXIT } from '../exit-codes.js';
import { mergeResults } from '../../result/merge.js';
import { analyze } from '../../analysis/analyze.js';
import { writeReports } from '../../report/write.js';
import { evaluateThresholds } from '../../analysis/thresholds/index.js';
import { verdictLine } from '../../report/threshold-text.js';
import { summaryLines } from '../summary.js';
import { readResultFile } from './compare.js';

interface MergeArgs { results: string[]; out: string; force: boolean }

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
    const results = await Promise.all(args.results.map((file) => readResultFile(io, file)));
    const merged = mergeResults(results, args.force);
    const analysis = analyze(merged);
    const written = await writeReports(resolve(io.cwd, args.out), merged, analysis, io);
    for (const line of summaryLines(merged, analysis)) io.stdout(`${line}\n`);
    io.stdout(`report: ${written.files.find((f) => f.endsWith('index.html'))}\n`);
    const verdicts = evaluateThresholds(merged, merged.thresholds);
    for (const verdict of verdicts) io.stdout(`${verdictLine(verdict)}\n`);
    if (merged.interrupted) return EXIT.interrupted;
    if (!merged.health.valid) return EXIT.invalidRun;
    return verdicts.some((v) => !v.pass) ? EXIT.failed : EXIT.ok;
  },
};
