import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Io } from '../io.js';
import { EXIT, UsageError, exitCodeOf } from '../exit-codes.js';
import { parseShard, parseStartAt } from '../shard.js';
import { slug } from '../../shared/format.js';
import { parseScenario, type ScenarioOverrides } from '../../scenario/read.js';
import type { Scenario } from '../../scenario/types.js';
import { OverrideError, parseEnvOverride, parseSetOverride } from '../../scenario/overrides.js';
import { Redactor } from '../../scenario/redact.js';
import { runScenario } from '../../runner/run-scenario.js';
import { progressLine } from '../progress.js';
import { probeLine, searchHeader } from '../search-lines.js';
import { progressDisplay } from '../progress-display.js';
import { analyze } from '../../analysis/analyze.js';
import { writeReports } from '../../report/write.js';
import { checkLines, summaryLines } from '../summary.js';
import { abortRules, createAbortWatch, type ThresholdVerdict } from '../../analysis/thresholds/index.js';
import { verdictLine } from '../../report/views/threshold-text.js';
import { compareStep, readResultArg, saveBaseline } from './compare.js';
import { isLoopbackHost, parseDashboardAddress, startDashboard, type Dashboard } from '../dashboard/index.js';
import { busOptionsOf, natsOptions, runIdOf, type NatsArgs } from '../nats-flags.js';
import { connectBus } from '../../fleet/bus.js';
import { GeneratorLink } from '../../fleet/generator.js';
import { runFingerprint } from '../../fleet/messages.js';

export const INSECURE_WARNING = "warning: client.tls.insecure is set: the target's TLS certificate is not verified (the result records it)";

interface RunArgs extends NatsArgs {
  scenario: string;
  out?: string;
  workers?: number;
  quiet: boolean;
  saveBaseline?: string;
  baseline?: string;
  force: boolean;
  shard?: string;
  startAt?: string;
  env?: string | string[];
  target?: string;
  set?: string | string[];
  dashboard?: string;
  dashboardLinger: number;
}

/** A repeatable flag as a list, however many times it was given. */
function listOf(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** `-e`, `--target` and `--set` as the scenario reader takes them; a malformed one is a usage error (exit 2). */
function overridesOf(args: RunArgs): ScenarioOverrides {
  try {
    const env = listOf(args.env).map(parseEnvOverride);
    const set = listOf(args.set).map(parseSetOverride);
    return {
      ...(args.workers !== undefined ? { workers: args.workers } : {}),
      ...(env.length > 0 ? { env: Object.fromEntries(env) } : {}),
      ...(args.target !== undefined ? { target: args.target } : {}),
      ...(set.length > 0 ? { set } : {}),
    };
  } catch (error) {
    if (error instanceof OverrideError) throw new UsageError(error.message);
    throw error;
  }
}

/** `tailscope run`: scenario in, result + analysis + report out, exit code for CI. */
export const runCommand = {
  command: 'run <scenario>',
  describe: 'run a scenario and write result.json, analysis.json, index.html, summary.md, junit.xml, metrics.prom and alerts.yaml',
  builder: (y: Argv) =>
    natsOptions(y)
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (YAML or JSON)' })
      .option('out', { type: 'string', describe: 'output directory (default: reports/<scenario name>)' })
      .option('workers', { type: 'number', describe: 'worker threads (overrides the scenario)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'no progress lines' })
      .option('env', {
        alias: 'e',
        type: 'string',
        describe: 'NAME=value for ${NAME} in the scenario, ahead of the environment (repeatable)',
      })
      .option('target', { type: 'string', describe: 'run against this URL instead of target.url (and instead of target.mock)' })
      .option('set', {
        type: 'string',
        describe:
          'path=value: set any scenario field before it is checked, e.g. load.closed[0].concurrency=8 (repeatable; the value is read as YAML)',
      })
      .option('dashboard', {
        type: 'string',
        describe:
          'serve a live page (charts, verdict so far, Stop button) and /metrics for Prometheus during the run, at [host:]port (default 127.0.0.1:5665; loopback unless a host is given)',
      })
      .option('dashboard-linger', {
        type: 'number',
        default: 0,
        describe: 'with --dashboard: keep serving the page and the final report for this many seconds after the run (Ctrl-C ends it)',
      })
      .option('save-baseline', { type: 'string', describe: 'also write result.json to this path, as the baseline for later runs' })
      .option('baseline', {
        type: 'string',
        describe:
          'compare with this baseline result.json after the run; also writes compare.json, compare.md and compare.junit.xml (exit 1 on a regression)',
      })
      .option('force', { type: 'boolean', default: false, describe: 'with --baseline: compare even if the scenario or load shape differs' })
      .option('shard', {
        type: 'string',
        describe: 'run shard INDEX/COUNT (0-based) of the curve; combine the results with tailscope merge',
      })
      .option('start-at', { type: 'string', describe: 'with --shard: the shared start time (ISO date or epoch ms) all shards wait for' })
      .example('tailscope run big.yaml --shard 0/4 --start-at 2026-11-27T10:00:00Z', 'one of four machines driving one curve')
      .example(
        'tailscope run big.yaml --nats nats://nats:4222 --shard 0/4',
        'one of four generators of a live run (see tailscope coordinate)',
      )
      .example('tailscope run scenarios/demo.yaml --out reports/demo', 'the demo against the bundled mock server')
      .example('tailscope run scenarios/demo.yaml --dashboard', 'watch it live at http://127.0.0.1:5665/ (Prometheus: /metrics)')
      .example(
        'tailscope run s.yaml -e VUS=32 --target https://staging.example.com/api/v2 --set load.closed[0].concurrency=8',
        'the same scenario against another host, with overrides',
      ),
  handler: async (args: RunArgs, processIo: Io): Promise<number> => {
    // Signals are ours from the first line to the last file written: before the load a stop ends start-up with
    // nothing written (StoppedBeforeLoadError, exit 130); during it, what ran is reported; while the report is
    // written, a first signal lets it finish, so no file is left half-written.
    const abort = new AbortController();
    let interrupts = 0;
    let loadStarted = false;
    const unsubscribe = processIo.onInterrupt((signal) => {
      interrupts += 1;
      if (interrupts > 1) processIo.exitNow(EXIT.interrupted);
      if (loadStarted && !abort.signal.aborted)
        processIo.stderr(`\n${signal}: stopping; writing the report of what ran (again to quit at once)\n`);
      abort.abort(signal);
    });
    // The dashboard's Stop button is a first Ctrl-C: what ran is reported.
    const stopFromDashboard = () => {
      if (abort.signal.aborted) return;
      interrupts = Math.max(interrupts, 1);
      if (loadStarted) processIo.stderr('\nstopped from the dashboard; writing the report of what ran\n');
      abort.abort('dashboard');
    };
    try {
      return await run(args, processIo, abort, () => (loadStarted = true), stopFromDashboard);
    } finally {
      unsubscribe();
    }
  },
};

/** The run itself; `abort` fires on a signal, `onLoadStarted` marks the point from which a stop reports what ran. */
async function run(
  args: RunArgs,
  processIo: Io,
  abort: AbortController,
  onLoadStarted: () => void,
  stopFromDashboard: () => void,
): Promise<number> {
  const file = resolve(processIo.cwd, args.scenario);
  // Parse and validate before touching anything: a bad scenario writes nothing.
  const scenario = parseScenario(await processIo.readFile(file), args.scenario, processIo.env, overridesOf(args));
  scenario.file = file;
  // Every line printed from here on is scrubbed of the scenario's secrets, as every file written is.
  const redactor = new Redactor(scenario.secretValues);
  const io: Io = {
    ...processIo,
    stdout: (text) => processIo.stdout(redactor.scrub(text)),
    stderr: (text) => processIo.stderr(redactor.scrub(text)),
  };
  // Every run, not once: a result measured without verification must not pass for one measured with it.
  if (scenario.client.tls?.insecure) io.stderr(`${INSECURE_WARNING}\n`);
  const shard = args.shard === undefined ? undefined : parseShard(args.shard);
  const startAtEpochMs = args.startAt === undefined ? undefined : parseStartAt(args.startAt);
  if (shard && shard.count > 1 && scenario.load.search) {
    throw new UsageError('--shard cannot split a capacity search: each shard would search on its own; run it on one machine');
  }
  if (shard && shard.count > 1 && scenario.target.mock) {
    throw new UsageError('--shard needs target.url: each shard would start a mock server of its own');
  }
  if (args.nats !== undefined && !shard) throw new UsageError('--nats needs --shard INDEX/COUNT: which generator this is');
  if (args.nats !== undefined && startAtEpochMs !== undefined)
    throw new UsageError('--start-at and --nats do not go together: with --nats the coordinator sends the start time');
  const outDir = resolve(io.cwd, args.out ?? `reports/${slug(scenario.name)}`);
  // Read the baseline first: a missing or foreign baseline file should fail before minutes of load.
  const baseline = args.baseline === undefined ? undefined : await readResultArg(io, args.baseline);

  // A live multi-machine run: the coordinator gives the start time, judges abortOnFail on the merged numbers
  // and may stop this generator; every interval goes out to it, scrubbed of the scenario's secrets.
  const runId = args.nats === undefined ? undefined : runIdOf(args, scenario.name);
  const link =
    args.nats === undefined
      ? undefined
      : new GeneratorLink(await connectBus(await busOptionsOf(args, processIo, `tailscope generator ${shard!.index}/${shard!.count}`)), {
          runId: runId!,
          shard: shard!,
          plan: runFingerprint(scenario.name, scenario.load, scenario.intervalMs),
          coordinatorSilentMs: COORDINATOR_SILENT_MS,
          readyTimeoutMs: FLEET_READY_TIMEOUT_MS,
        });
  link?.onStop((reason) => {
    io.stderr(`\n${reason}\n`);
    abort.abort(reason);
  });
  // abortOnFail thresholds are judged on the intervals merged so far; a failure stops the run the way SIGINT does.
  // In a live run the coordinator judges them on every generator's numbers together.
  const abortWatch = createAbortWatch(link ? [] : abortRules(scenario.thresholds), scenario.intervalMs);
  io.stderr(
    scenario.load.search
      ? `tailscope: ${scenario.name}: ${searchHeader(scenario.load)}, ${workersText(scenario.workers)}\n`
      : `tailscope: ${scenario.name}: ${scenario.load.model} model, ${(scenario.load.durationMs / 1000).toFixed(0)} s, ${workersText(scenario.workers)}\n`,
  );
  const dashboardAddress = args.dashboard === undefined ? undefined : parseDashboardAddress(args.dashboard);
  const dashboard =
    dashboardAddress && (await startDashboard(scenario, dashboardAddress, stopFromDashboard, redactor).catch(closing(link)));
  try {
    if (dashboard) io.stderr(`dashboard ${dashboard.url} (Prometheus: ${dashboard.url}metrics)\n`);
    if (dashboardAddress && !isLoopbackHost(dashboardAddress.host))
      io.stderr(
        `warning: the dashboard listens on ${dashboardAddress.host}: reachable from the network; Stop works only from this machine\n`,
      );
    return await runWith(args, io, scenario, abort, onLoadStarted, {
      outDir,
      shard,
      startAtEpochMs,
      baseline,
      abortWatch,
      dashboard,
      link,
      redactor,
    });
  } finally {
    await dashboard?.close();
    await link?.close();
  }
}

function workersText(count: number): string {
  return `${count} worker${count === 1 ? '' : 's'}`;
}

/** Closes the bus link before passing an error on: a failed start must not leave the connection open. */
function closing(link: GeneratorLink | undefined) {
  return async (error: unknown): Promise<never> => {
    await link?.close();
    throw error;
  };
}

/** A generator stops by itself when the coordinator of a live run has been silent this long. */
const COORDINATOR_SILENT_MS = 10_000;
/** How long a generator waits at the barrier for the others and the coordinator. */
const FLEET_READY_TIMEOUT_MS = 10 * 60_000;
/** How long a generator tries to hand its result to the broker before it leaves it only on its own disk. */
const FINAL_DELIVERY_MS = 15_000;

/** The load, the reports and the verdict, with the dashboard (if any) fed along the way. */
async function runWith(
  args: RunArgs,
  io: Io,
  scenario: Scenario,
  abort: AbortController,
  onLoadStarted: () => void,
  context: {
    outDir: string;
    shard: ReturnType<typeof parseShard> | undefined;
    startAtEpochMs: number | undefined;
    baseline: Awaited<ReturnType<typeof readResultArg>> | undefined;
    abortWatch: ReturnType<typeof createAbortWatch>;
    dashboard: Dashboard | undefined;
    /** a live multi-machine run's link to its coordinator */
    link: GeneratorLink | undefined;
    redactor: Redactor;
  },
): Promise<number> {
  const { outDir, shard, startAtEpochMs, baseline, abortWatch, dashboard, link, redactor } = context;
  let abortedBy: ThresholdVerdict | undefined;
  const progress = args.quiet ? undefined : progressDisplay(io, scenario.load.durationMs);
  const slo = { p99Ms: scenario.slo?.p99, errorRate: scenario.slo?.errorRate };
  // A search's curve grows probe by probe: progress lines read it as it stands.
  let plan = scenario.load;
  // The bar's redraw timer must stop however the run ends.
  let ran: Awaited<ReturnType<typeof runScenario>>;
  try {
    ran = await runScenario(scenario, {
      signal: abort.signal,
      shard,
      startAtEpochMs,
      ...(link ? { startGate: link.startGate } : {}),
      liveDetail: dashboard !== undefined,
      onTargetReady: (url) => {
        dashboard?.targetReady(url);
        io.stderr(`target ${url}\n`);
      },
      onTlsProblem: (reason) => io.stderr(`warning: ${reason}\n`),
      onLoadStarted,
      // Each probe once decided, on a line of its own (above the redrawn progress line on a terminal).
      onPlan: (segments) => (plan = { ...plan, segments: [...segments] }),
      onProbe: (probe) => {
        const line = probeLine(probe, scenario.load.model, slo);
        dashboard?.onProbe(line);
        io.stderr(`${io.interactive ? '\r\x1b[2K' : ''}${line}\n`);
      },
      onInterval: (index, merged, health, live) => {
        dashboard?.onInterval(index, merged, live);
        if (live?.afterEnd) return;
        link?.interval(index, redactor.scrubJson(merged));
        progress?.interval((index + 1) * scenario.intervalMs, progressLine(plan, index, scenario.intervalMs, merged));
        const failed = abortWatch.onInterval(index, merged);
        if (failed && !abort.signal.aborted) {
          abortedBy = failed;
          io.stderr(`\nthreshold failed, aborting (abortOnFail): ${verdictLine(failed)}\n`);
          abort.abort();
        }
      },
    });
  } finally {
    progress?.stop();
  }

  const result = abortedBy ? { ...ran, abortedBy: abortedBy.expression } : ran;
  const analysis = analyze(result);
  let delivered = true;
  if (link) {
    const clock = link.clock;
    if (clock) io.stderr(`clock offset vs the coordinator: ${clock.offsetMs.toFixed(1)} ms (± ${(clock.rttMs / 2).toFixed(1)} ms)\n`);
    // The result goes to the coordinator (it is already scrubbed) before the reports are rendered here: rendering
    // is CPU work that can hold up heartbeats, and a shard whose result has arrived can no longer be taken for lost.
    delivered = await link.finish(result, FINAL_DELIVERY_MS);
  }
  // Written whatever the bus did: each shard keeps its own result.
  const written = await writeReports(outDir, result, analysis, io);
  if (!delivered)
    io.stderr(`could not hand this shard's result to the coordinator within ${FINAL_DELIVERY_MS / 1000} s; it is in ${outDir}\n`);
  const reportPath = written.files.find((f) => f.endsWith('index.html'));
  // The page links the report (and /metrics says final) before the report line is printed, so whoever waits for
  // that line finds the dashboard already done.
  if (dashboard && reportPath) dashboard.finish({ interrupted: result.interrupted, reportPath }, await io.readFile(reportPath));
  for (const line of summaryLines(result, analysis)) io.stdout(`${line}\n`);
  io.stdout(`report: ${reportPath}\n`);
  if (dashboard && args.dashboardLinger > 0) await linger(args.dashboardLinger, io);

  const { verdict } = analysis;
  if (result.shard) {
    // One shard saw part of the population: thresholds and baselines are judged after tailscope merge.
    io.stdout(
      `shard ${result.shard.index}/${result.shard.count}: thresholds are judged on the merged result (${link ? 'by the coordinator' : 'tailscope merge'})\n`,
    );
    return exitCodeOf(verdict);
  }
  for (const line of checkLines(verdict)) io.stdout(`${line}\n`);
  if (abortedBy) io.stdout(`aborted by abortOnFail: ${verdictLine(abortedBy)}\n`);
  if (args.saveBaseline !== undefined) {
    // A cut-short or invalid run is a poor yardstick for every later build: refuse to make it one.
    if (result.interrupted || !result.health.valid) io.stderr('not saving a baseline: the run was interrupted or is invalid\n');
    else io.stdout(`baseline: ${await saveBaseline(io, args.saveBaseline, result)}\n`);
  }
  let comparison: { regression: boolean } | undefined;
  if (baseline && !result.interrupted) {
    comparison = await compareStep(
      baseline,
      result,
      {
        rules: scenario.compare?.rules,
        confidence: scenario.compare?.confidence,
        force: args.force,
        outDir,
        names: { json: 'compare.json', markdown: 'compare.md', junit: 'compare.junit.xml' },
      },
      io,
    );
  }
  return exitCodeOf(verdict, comparison);
}

/** Keeps the dashboard up after the run for `seconds`, or until a signal (the run's abort fires on Ctrl-C). */
async function linger(seconds: number, io: Io): Promise<void> {
  const done = new AbortController();
  const unsubscribe = io.onInterrupt(() => done.abort());
  io.stderr(`dashboard: serving the final report for ${seconds} s (Ctrl-C to quit)\n`);
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      done.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    unsubscribe();
  }
}
