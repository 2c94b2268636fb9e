import yargs, { type Argv } from 'yargs';
import type { Io } from './io.js';
import { EXIT, UsageError } from './exit-codes.js';
import { mapError } from './errors.js';
import { runCommand } from './commands/run.js';
import { mockCommand } from './commands/mock.js';
import { analyzeCommand } from './commands/analyze.js';
import { compareCommand } from './commands/compare.js';
import { reportCommand } from './commands/report.js';
import { mergeCommand } from './commands/merge.js';
import { initCommand } from './commands/init.js';
import { coordinateCommand } from './commands/coordinate.js';
import { TOOL_VERSION } from '../version.js';

/** One subcommand: its yargs definition and a handler that returns an exit code. */
export interface Command<A = Record<string, unknown>> {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<A>;
  handler: (args: A, io: Io) => Promise<number>;
}

const COMMANDS = [
  runCommand,
  initCommand,
  analyzeCommand,
  mockCommand,
  compareCommand,
  reportCommand,
  mergeCommand,
  coordinateCommand,
] as unknown as Command[];

/** Parses argv, runs one command and returns its exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = EXIT.ok;
  let ran = false;
  const parser = yargs([...argv])
    .scriptName('tailscope')
    .version(TOOL_VERSION)
    .strict()
    .demandCommand(1, 'name a command: run, init, analyze, compare, report, merge, coordinate, mock')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, io.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
  for (const command of COMMANDS) {
    parser.command(command.command, command.describe, command.builder, async (args) => {
      ran = true;
      exitCode = await command.handler(args, io);
    });
  }
  try {
    await new Promise<void>((resolve, reject) => {
      // With a callback yargs hands back help and version text instead of printing it.
      parser
        .parseAsync(argv as string[], {}, (error, _args, output) => {
          if (output) io.stdout(output.endsWith('\n') ? output : `${output}\n`);
          if (error) reject(error);
        })
        .then(() => resolve(), reject);
    });
  } catch (error) {
    const mapped = mapError(error);
    io.stderr(`${mapped.message}\n`);
    return mapped.exitCode;
  }
  return ran ? exitCode : EXIT.ok;
}
