import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Io } from '../io.js';
import { EXIT, UsageError, exitCodeOf } from '../exit-codes.js';
import { slug } from '../../shared/format.js';
import { parseScenario } from '../../scenario/read.js';
import { Redactor } from '../../scenario/redact.js';
import { progressLine } from '../progress.js';
import { analyze } from '../../analysis/analyze.js';
import { writeReports } from '../../report/write.js';
import { checkLines, summaryLines } from '../summary.js';
import { abortRules, createAbortWatch } from '../../analysis/thresholds/index.js';
import { verdictLine } from '../../report/views/threshold-text.js';
import { mergeResults } from '../../result/merge.js';
import { serializeResult } from '../../result/serialize.js';
import type { RunResult } from '../../result/types.js';
import { connectBus } from '../../fleet/bus.js';
import { conductRun, type FleetOutcome } from '../../fleet/conductor.js';
import { runFingerprint } from '../../fleet/messages.js';
import { busOptionsOf, natsOptions, runIdOf, type NatsArgs } from '../nats-flags.js';

interface CoordinateArgs extends NatsArgs {
  scenario: string;
  generators: number;
  out?: string;
  quiet: boolean;
  startLead: number;
  readyTimeout: number;
}

/** A generator silent this long is reported lost (heartbeats go every 0.5 s). */
const LOST_AFTER_MS = 3_000;
/** After the schedule, warm-up and graceful stop: time for the generators to write their reports and send them. */
const RESULT_SLACK_MS = 60_000;

/** `tailscope coordinate`: the one live view, verdict and result of a run whose load comes from many machines. */
export const coordinateCommand = {
  command: 'coordinate <scenario>',
  describe: 'coordinate a live run of N generators (tailscope run --nats … --shard i/N) over NATS JetStream, and judge it as one',
  builder: (y: Argv) =>
    natsOptions(y)
      .positional('scenario', { type: 'string', demandOption: true, describe: 'the scenario every generator runs (YAML or JSON)' })
      .option('generators', { type: 'number', demandOption: true, describe: 'how many generators (--shard i/N) take part' })
      .option('out', { type: 'string', describe: 'output directory (default: reports/<scenario name>)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress lines' })
      .option('start-lead', { type: 'number', default: 3, describe: 'seconds between the last generator ready and the start' })
      .option('ready-timeout', { type: 'number', default: 600, describe: 'seconds to wait for every generator to be ready' })
      .demandOption('nats')
      .example(
        'tailscope coordinate big.yaml --nats nats://nats:4222 --generators 4 --out reports/big',
        'with four `run --nats … --shard i/4`',
      ),
  handler: async (args: CoordinateArgs, processIo: Io): Promise<number> => {
    const file = resolve(processIo.cwd, args.scenario);
    const scenario = parseScenario(await processIo.readFile(file), args.scenario, processIo.env);
    scenario.file = file;
    if (!Number.isInteger(args.generators) || args.generators < 1) throw new UsageError('--generators takes a whole number from 1');
    if (scenario.target.mock)
      throw new UsageError('a live multi-machine run needs target.url: each generator would start a mock server of its own');
    const redactor = new Redactor(scenario.secretValues);
    const io: Io = { ...processIo, stdout: (t) => processIo.stdout(redactor.scrub(t)), stderr: (t) => processIo.stderr(redactor.scrub(t)) };
    const outDir = resolve(io.cwd, args.out ?? `reports/${slug(scenario.name)}`);
    const runId = runIdOf(args, scenario.name);
    const bus = await connectBus(await busOptionsOf(args, processIo, 'tailscope coordinator'));

    const abortWatch = createAbortWatch(abortRules(scenario.thresholds), scenario.intervalMs);
    let abortedBy: string | undefined;
    const conductor = conductRun(
      bus,
      {
        runId,
        plan: runFingerprint(scenario.name, scenario.load, scenario.intervalMs),
        generators: args.generators,
        startLeadMs: args.startLead * 1000 + scenario.warmupMs,
        lostAfterMs: LOST_AFTER_MS,
        readyTimeoutMs: args.readyTimeout * 1000,
        resultTimeoutMs: scenario.warmupMs + scenario.load.durationMs + scenario.gracefulStop + RESULT_SLACK_MS,
      },
      {
        onReady: (startAt) => io.stderr(`all ${args.generators} generators ready; the run starts at ${new Date(startAt).toISOString()}\n`),
        onInterval: ({ index, merged, missing }) => {
          if (!args.quiet) {
            const without = missing.length > 0 ? ` (without shard ${missing.join(', ')})` : '';
            const line = `${progressLine(scenario.load, index, scenario.intervalMs, merged)}${without}`;
            io.stderr(io.interactive ? `\r\x1b[2K${line}` : `${line}\n`);
          }
          const failed = abortWatch.onInterval(index, merged);
          if (failed && !abortedBy) {
            abortedBy = failed.expression;
            io.stderr(`\nthreshold failed on the merged numbers, stopping every generator (abortOnFail): ${verdictLine(failed)}\n`);
            conductor.stop(`abortOnFail: ${verdictLine(failed)}`);
          }
        },
        onLost: (shard, silentMs) =>
          io.stderr(`\nshard ${shard} lost: no heartbeat for ${(silentMs / 1000).toFixed(1)} s; the others go on\n`),
        onForeignMessage: (subject, problem) => io.stderr(`ignored an unreadable message on ${subject}: ${problem}\n`),
        onBrokerConnection: (up) => io.stderr(up ? 'broker reachable again\n' : 'broker unreachable; waiting for it\n'),
      },
    );
    let interrupted = false;
    const unsubscribe = processIo.onInterrupt((signal) => {
      if (interrupted) processIo.exitNow(EXIT.interrupted);
      interrupted = true;
      io.stderr(`\n${signal}: stopping every generator; writing the report of what ran (again to quit at once)\n`);
      conductor.stop(`${signal} at the coordinator`);
    });
    let outcome: FleetOutcome;
    try {
      outcome = await conductor.done;
    } finally {
      unsubscribe();
      await bus.close();
    }
    if (io.interactive && !args.quiet) io.stderr('\n');
    if (outcome.results.length === 0) {
      io.stderr(outcome.startAtEpochMs === 0 ? 'stopped before the start: nothing was sent\n' : 'no generator delivered a result\n');
      return outcome.startAtEpochMs === 0 ? EXIT.interrupted : EXIT.invalidRun;
    }

    const result = wholeRun(outcome, abortedBy, interrupted);
    const analysis = analyze(result);
    const written = await writeReports(outDir, result, analysis, io);
    for (const shardResult of outcome.results) {
      const dir = join(outDir, 'shards', String(shardResult.shard?.index ?? 0));
      await io.mkdir(dir);
      await io.writeFile(join(dir, 'result.json'), serializeResult(shardResult));
    }
    await io.writeFile(join(outDir, 'fleet.json'), `${JSON.stringify(fleetReport(runId, outcome), null, 2)}\n`);
    for (const shard of outcome.shards)
      if (shard.clockOffsetMs !== undefined)
        io.stderr(
          `shard ${shard.shard}: clock offset ${shard.clockOffsetMs.toFixed(1)} ms (± ${((shard.clockRttMs ?? 0) / 2).toFixed(1)} ms)\n`,
        );
    const spread = startSpreadMs(outcome);
    if (spread !== undefined) io.stderr(`start spread across generators: ${spread.toFixed(1)} ms\n`);
    for (const line of summaryLines(result, analysis)) io.stdout(`${line}\n`);
    io.stdout(`report: ${written.files.find((f) => f.endsWith('index.html'))}\n`);
    for (const line of checkLines(analysis.verdict)) io.stdout(`${line}\n`);
    if (abortedBy) io.stdout(`aborted by abortOnFail: ${abortedBy}\n`);
    return exitCodeOf(analysis.verdict);
  },
};

/**
 * The shards' results merged exactly; a lost shard makes the run invalid, by name, since its share of the load
 * is missing from the totals (its live snapshots were shown, but its result never came).
 */
function wholeRun(outcome: FleetOutcome, abortedBy: string | undefined, interrupted: boolean): RunResult {
  const merged = mergeResults(outcome.results, outcome.lost.length > 0);
  const lostReasons = outcome.lost.map((shard) => {
    const report = outcome.shards[shard]!;
    const when = report.lost ? ` ${(report.lost.afterStartMs / 1000).toFixed(1)} s into the run` : '';
    return `generator shard ${shard} was lost${when} (no heartbeat for 3 s); its share of the load is missing from the totals`;
  });
  return {
    ...merged,
    ...(abortedBy ? { abortedBy } : {}),
    // A stop (abortOnFail, a signal here) cuts every shard short, as SIGINT does a single-machine run.
    interrupted: merged.interrupted || interrupted,
    health: {
      ...merged.health,
      valid: merged.health.valid && lostReasons.length === 0,
      reasons: [...lostReasons, ...merged.health.reasons],
    },
  };
}

/** How far apart the generators started, in the coordinator's clock, as each measured its own start. */
export function startSpreadMs(outcome: Pick<FleetOutcome, 'shards'>): number | undefined {
  const starts = outcome.shards.flatMap((s) => (s.startedAtCoordMs !== undefined ? [s.startedAtCoordMs] : []));
  return starts.length > 1 ? Math.max(...starts) - Math.min(...starts) : undefined;
}

function fleetReport(runId: string, outcome: FleetOutcome) {
  return {
    runId,
    startAt: new Date(outcome.startAtEpochMs).toISOString(),
    startSpreadMs: startSpreadMs(outcome) ?? null,
    liveRequests: outcome.liveRequests,
    lost: outcome.lost,
    ...(outcome.stoppedBy ? { stoppedBy: outcome.stoppedBy } : {}),
    shards: outcome.shards,
  };
}
