import { dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Io } from '../io.js';
import { EXIT, UsageError } from '../exit-codes.js';
import type { RunResult } from '../../result/types.js';
import { readResultFile } from '../../result/read.js';
import { compareRuns, COMPARE_DEFAULTS, type Comparison } from '../../analysis/compare/compare.js';
import { comparabilityProblems, IncomparableRunsError } from '../../analysis/compare/compatible.js';
import { DEFAULT_COMPARE_RULES } from '../../metrics/grammar/compare-rule.js';
import { compareTable } from '../../report/views/regression.js';
import { compareMarkdown } from '../../report/markdown/regression.js';
import { compareSuite } from '../../report/junit/regression.js';
import { junitXml } from '../../report/junit/xml.js';
import { serializeResult } from '../../result/serialize.js';

/** A result file named on the command line, resolved against the working directory. */
export async function readResultArg(io: Io, file: string): Promise<RunResult> {
  return readResultFile(resolve(io.cwd, file), io, file);
}

/** Rules and confidence from the scenario's `compare:` section as recorded in the result, if it has one. */
export function scenarioCompareSettings(result: RunResult): { rules?: string[]; confidence?: number } {
  const section = (result.scenario.definition as { compare?: { rules?: unknown; confidence?: unknown } } | null)?.compare;
  return {
    ...(Array.isArray(section?.rules) ? { rules: section.rules.filter((r): r is string => typeof r === 'string') } : {}),
    ...(typeof section?.confidence === 'number' ? { confidence: section.confidence } : {}),
  };
}

export interface CompareStepOptions {
  rules?: readonly string[];
  confidence?: number;
  force: boolean;
  /** where compare.json, the Markdown and the JUnit file go; nothing is written when absent */
  outDir?: string;
  /** file names inside outDir: `tailscope compare` writes summary.md/junit.xml, `run --baseline` prefixed ones */
  names: { json: string; markdown: string; junit: string };
}

/**
 * Compares two results, prints the table and writes the outputs. Throws IncomparableRunsError (exit 2)
 * for runs of different scenarios or load shapes unless forced.
 */
export async function compareStep(baseline: RunResult, current: RunResult, options: CompareStepOptions, io: Io): Promise<Comparison> {
  const problems = comparabilityProblems(baseline, current);
  if (problems.length > 0 && !options.force) throw new IncomparableRunsError(problems);
  const fromScenario = scenarioCompareSettings(current);
  const rules = options.rules && options.rules.length > 0 ? options.rules : fromScenario.rules;
  const comparison = compareRuns(baseline, current, { rules, confidence: options.confidence ?? fromScenario.confidence });
  if (problems.length > 0) comparison.warnings.push(`compared despite: ${problems.join('; ')} (--force)`);
  for (const line of compareTable(comparison)) io.stdout(`${line}\n`);
  if (options.outDir) {
    await io.mkdir(options.outDir);
    await io.writeFile(join(options.outDir, options.names.json), `${JSON.stringify(comparison, null, 2)}\n`);
    await io.writeFile(join(options.outDir, options.names.markdown), compareMarkdown(comparison));
    await io.writeFile(join(options.outDir, options.names.junit), junitXml([compareSuite(comparison)]));
  }
  return comparison;
}

interface CompareArgs {
  baseline: string;
  current: string;
  rule?: string[];
  confidence?: number;
  force: boolean;
  out?: string;
}

/** `tailscope compare baseline.json current.json`: is the current run worse, beyond tolerance and beyond noise? */
export const compareCommand = {
  command: 'compare <baseline> <current>',
  describe: 'compare two result.json files: change per metric with a confidence interval, exit 1 on a regression',
  builder: (y: Argv) =>
    y
      .positional('baseline', { type: 'string', demandOption: true, describe: 'result.json of the baseline run' })
      .positional('current', { type: 'string', demandOption: true, describe: 'result.json of the run to judge' })
      .option('rule', {
        type: 'string',
        array: true,
        describe: `regression rule, repeatable (default: the scenario's compare.rules, else ${DEFAULT_COMPARE_RULES.map((r) => `"${r}"`).join(', ')})`,
      })
      .option('confidence', { type: 'number', describe: `confidence of the intervals (default ${COMPARE_DEFAULTS.confidence})` })
      .option('force', { type: 'boolean', default: false, describe: 'compare runs of different scenarios or load shapes anyway' })
      .option('out', { type: 'string', describe: 'directory for compare.json, summary.md and junit.xml' })
      .example('tailscope compare base/result.json new/result.json --rule "p99 +10%" --rule "error_rate +0.5pp"', ''),
  handler: async (args: CompareArgs, io: Io): Promise<number> => {
    if (args.confidence !== undefined && !(args.confidence > 0.5 && args.confidence < 1))
      throw new UsageError('--confidence is a level between 0.5 and 1, e.g. 0.95');
    const baseline = await readResultArg(io, args.baseline);
    const current = await readResultArg(io, args.current);
    const comparison = await compareStep(
      baseline,
      current,
      {
        rules: args.rule,
        confidence: args.confidence,
        force: args.force,
        outDir: args.out === undefined ? undefined : resolve(io.cwd, args.out),
        names: { json: 'compare.json', markdown: 'summary.md', junit: 'junit.xml' },
      },
      io,
    );
    return comparison.regression ? EXIT.failed : EXIT.ok;
  },
};

/** `run --save-baseline`: the result as a file a later run compares against. */
export async function saveBaseline(io: Io, path: string, result: RunResult): Promise<string> {
  const file = resolve(io.cwd, path);
  await io.mkdir(dirname(file));
  await io.writeFile(file, serializeResult(result));
  return file;
}
