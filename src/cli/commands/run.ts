import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Io } from '../io.js';
import { EXIT } from '../exit-codes.js';
import { parseScenario } from '../../scenario/read.js';
import { runScenario } from '../../runner/run-scenario.js';
import { progressLine } from '../../runner/progress.js';
import { analyze } from '../../analysis/analyze.js';
import { writeReports } from '../../report/write.js';
import { summaryLines } from '../summary.js';

interface RunArgs { scenario: string; out?: string; workers?: number; quiet: boolean }

/** `tailscope run`: scenario in, result + analysis + report out, exit code for CI. */
export const runCommand = {
  command: 'run <scenario>',
  describe: 'run a scenario and write result.json, analysis.json and index.html',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (YAML or JSON)' })
      .option('out', { type: 'string', describe: 'output directory (default: reports/<scenario name>)' })
      .option('workers', { type: 'number', describe: 'worker threads (overrides the scenario)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress lines' })
      .example('tailscope run scenarios/demo.yaml --out reports/demo', 'the demo against the bundled mock server'),
  handler: async (args: RunArgs, io: Io): Promise<number> => {
    const file = resolve(io.cwd, args.scenario);
    // Parse and validate before touching anything: a bad scenario writes nothing.
    const scenario = parseScenario(await io.readFile(file), args.scenario, io.env);
    scenario.file = file;
    if (args.workers !== undefined) scenario.workers = args.workers;
    const outDir = resolve(io.cwd, args.out ?? `reports/${slug(scenario.name)}`);

    const abort = new AbortController();
    let interrupts = 0;
    const unsubscribe = io.onInterrupt((signal) => {
      interrupts += 1;
      if (interrupts === 1) io.stderr(`\n${signal}: stopping; writing the report of what ran (again to quit at once)\n`);
      else process.exit(EXIT.interrupted);
      abort.abort();
    });
    let result;
    try {
      io.stderr(`tailscope: ${scenario.name}: ${scenario.load.model} model, ${(scenario.load.durationMs / 1000).toFixed(0)} s, ${scenario.workers} workers\n`);
      result = await runScenario(scenario, {
        signal: abort.signal,
        onTargetReady: (url) => io.stderr(`target ${url}\n`),
        onInterval: args.quiet
          ? undefined
          : (index, merged) => {
              const line = progressLine(scenario.load, index, scenario.intervalMs, merged);
              io.stderr(io.interactive ? `\r\x1b[2K${line}` : `${line}\n`);
            },
      });
    } finally {
      unsubscribe();
    }
    if (io.interactive && !args.quiet) io.stderr('\n');

    const analysis = analyze(result);
    const written = await writeReports(outDir, result, analysis, io);
    for (const line of summaryLines(result, analysis)) io.stdout(`${line}\n`);
    io.stdout(`report: ${written.files.find((f) => f.endsWith('index.html'))}\n`);

    if (result.interrupted) return EXIT.interrupted;
    if (!result.health.valid) return EXIT.invalidRun;
    return EXIT.ok;
  },
};

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'run';
}
