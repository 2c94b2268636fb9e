import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Io } from '../io.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { analyze } from '../../analysis/analyze.js';
import { parsePolicy, resolvePolicy } from '../../analysis/policy.js';
import { readResultFile } from '../../result/read.js';
import { serializeAnalysis } from '../../analysis/serialize.js';

interface AnalyzeArgs {
  result: string;
  policy?: string;
  out?: string;
}

/** `tailscope analyze`: result.json in, analysis.json out, never touching the target. */
export const analyzeCommand = {
  command: 'analyze <result>',
  describe: 'analyse a result.json: split, timeouts, retries, capacity, validity; --policy replays a what-if client policy',
  builder: (y: Argv) =>
    y
      .positional('result', { type: 'string', demandOption: true, describe: 'result.json of a run' })
      .option('policy', {
        type: 'string',
        describe: 'what-if policy (YAML/JSON): timeouts, retries, budget, hedge, replayed over the recorded distributions',
      })
      .option('out', {
        type: 'string',
        describe: 'directory for analysis.json (default: beside the result, where `tailscope report` picks it up, replay included)',
      })
      .example('tailscope analyze reports/demo/result.json --policy policy.yaml', 'replay a timeout/retry policy against a recorded run'),
  handler: async (args: AnalyzeArgs, io: Io): Promise<number> => {
    const file = resolve(io.cwd, args.result);
    const result = await readResultFile(file, io, args.result);
    let policy;
    if (args.policy) {
      const policyFile = resolve(io.cwd, args.policy);
      const parsed = parsePolicy(await io.readFile(policyFile), args.policy);
      const stage = parsed.stage;
      if (stage !== undefined && !result.stages[stage])
        throw new UsageError(`${args.policy}: stage: the run has no stage ${stage} (it has ${result.stages.length})`);
      const histograms = stage !== undefined ? result.stages[stage]!.histograms : result.histograms;
      policy = { policy: resolvePolicy(parsed, histograms, args.policy), ...(stage !== undefined && { stage }) };
    }
    const analysis = analyze(result, policy ? { policy } : {});
    const outDir = resolve(io.cwd, args.out ?? dirname(file));
    await io.mkdir(outDir);
    const outFile = join(outDir, 'analysis.json');
    await io.writeFile(outFile, serializeAnalysis(analysis));
    if (!analysis.validity.valid) io.stdout(`INVALID RUN: ${analysis.validity.reasons.join('; ')}\n`);
    for (const choice of analysis.timeouts.recommended) {
      io.stdout(
        `timeout ${choice.phase}: ${choice.lowerBound ? '≥ ' : ''}${choice.timeoutMs} ms${choice.rerun ? ` (a floor: ${choice.rerun.text})` : ''} (cuts ${(choice.cutShare * 100).toFixed(3)}%; mean+2σ ${choice.meanPlus2Sd.timeoutMs.toFixed(1)} ms would cut ${(choice.meanPlus2Sd.cutShare * 100).toFixed(2)}%)\n`,
      );
    }
    if (analysis.replay) {
      const r = analysis.replay;
      io.stdout(
        `what-if: success ${(r.successRate * 100).toFixed(2)}% (recorded ${(r.baseline.successRate * 100).toFixed(2)}%), p99 ${r.effective.p99.toFixed(1)} ms, extra load ${(r.extraLoadShare * 100).toFixed(1)}%\n`,
      );
    }
    io.stdout(`analysis: ${outFile}\n`);
    return EXIT.ok;
  },
};
