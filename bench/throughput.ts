/**
 * Generator throughput: requests/s each tool gets out of one core against nginx (a static 200) and against
 * the mock (`fast` profile), at 10 and 100 keep-alive connections. Tools take turns within each repetition
 * (the order rotates), so a slow drift of the machine falls on all of them alike.
 *
 *   npm run bench:throughput [-- --quick] [-- --runs N]
 */
import { benchOptions, log } from './lib/options.js';
import { describeMachine, loadAverage, machineLines } from './lib/machine.js';
import { requirePeers } from './lib/peers.js';
import { corePlan, sleep } from './lib/proc.js';
import { waitForQuiet } from './lib/quiet.js';
import { table, writeRaw, writeSection } from './lib/report.js';
import { fetchToken, startMock, startNginx } from './lib/servers.js';
import { fmt, fmtInt, fmtSpread, ratio, spread, type Spread } from './lib/stats.js';
import { runTool, SCENARIO_ENGINE, type Load, type ToolName, type ToolRun } from './lib/tools.js';

const TOOLS: ToolName[] = [
  'tailscope-wire',
  'tailscope-wire-default',
  'tailscope-node',
  'tailscope-autocannon',
  'autocannon',
  'wrk',
  'hey',
  'locust',
];
/** Goals on ratios of medians: ✅ at or above the goal, ⚠️ between the floor and the goal, ❌ below the floor. */
export const WIRE_VS_CLI = { goal: 1.0, floor: 0.95 };
export const DEFAULT_VS_ONE_WORKER = { goal: 1.0, floor: 0.95 };
export const AUTOCANNON_ENGINE_VS_CLI = { goal: 0.95, floor: 0.95 };

export function mark(value: number, bound: { goal: number; floor: number }): string {
  if (!Number.isFinite(value)) return '–';
  return value >= bound.goal ? '✅' : value >= bound.floor ? '⚠️' : '❌';
}
const CONNECTIONS = [10, 100];
export const GENERATE_BODY = JSON.stringify({ prompt: 'hello', max_tokens: 16, temperature: 0 });

interface Cell {
  target: 'nginx' | 'mock';
  connections: number;
  tool: ToolName;
  runs: ToolRun[];
}

export async function throughputBenchmark(argv: readonly string[]): Promise<void> {
  const options = benchOptions(argv, { runs: 5 });
  requirePeers(['wrk', 'hey', 'nginx', 'locust']);
  const cores = corePlan();
  const durationSec = options.quick ? 2 : 4;
  const quiet = options.noWait
    ? undefined
    : await waitForQuiet({ below: 0.7, pollSec: 30, maxWaitSec: Number(process.env.BENCH_MAX_WAIT_SEC ?? 2400), log });
  const loadAtStart = loadAverage();
  const machine = describeMachine();
  const cells: Cell[] = [];
  const began = new Date().toISOString();

  for (const target of ['nginx', 'mock'] as const) {
    const server = target === 'nginx' ? await startNginx(cores.target) : await startMock('fast', cores.target);
    try {
      const token = target === 'mock' ? await fetchToken(server.url) : undefined;
      for (const connections of CONNECTIONS) {
        const load: Load =
          target === 'nginx'
            ? { baseUrl: server.url, path: '/', method: 'GET', connections, durationSec }
            : { baseUrl: server.url, path: '/v1/generate', method: 'POST', body: GENERATE_BODY, token, connections, durationSec };
        const row = TOOLS.map((tool): Cell => ({ target, connections, tool, runs: [] }));
        cells.push(...row);
        for (let rep = 0; rep < options.runs; rep++) {
          for (let i = 0; i < TOOLS.length; i++) {
            const cell = row[(i + rep) % TOOLS.length]!;
            const label = `throughput-${target}-c${connections}-${cell.tool}-${rep}`;
            const run = await runTool(cell.tool, load, { core: cores.generator, label });
            cell.runs.push(run);
            log(`${target} c=${connections} ${cell.tool}: ${fmtInt(run.rps)} req/s, ${run.errors} errors`);
            await sleep(500);
          }
        }
      }
    } finally {
      await server.stop();
    }
  }

  await writeRaw('throughput', { began, machine, cores, durationSec, runs: options.runs, loadAtStart, quiet, cells });
  if (options.write)
    await writeSection(
      'throughput',
      render(cells, { machine, cores: cores.note, durationSec, runs: options.runs, loadAtStart, quiet, began }),
    );
}

export function render(
  cells: Cell[],
  ctx: {
    machine: ReturnType<typeof describeMachine>;
    cores: string;
    durationSec: number;
    runs: number;
    loadAtStart: number;
    quiet: Awaited<ReturnType<typeof waitForQuiet>> | undefined;
    began: string;
  },
): string {
  const rps = (target: string, connections: number, tool: ToolName): Spread =>
    spread(cells.find((c) => c.target === target && c.connections === connections && c.tool === tool)!.runs.map((r) => r.rps));
  const lines: string[] = [];
  lines.push('## 1. Generator throughput', '');
  lines.push(
    `Run ${ctx.began} with \`npm run bench:throughput\`: each tool for ${ctx.durationSec} s per run, ${ctx.runs} runs, tools taking turns.`,
  );
  lines.push(...machineLines(ctx.machine, ctx.loadAtStart, quietNote(ctx.quiet)));
  lines.push(
    `- ${ctx.cores}. tailscope runs with \`workers: 1\` (one load thread plus its coordinator, one process) on the generator core: the fair match for the single-process peers (wrk -t1, hey, autocannon without -w, one Locust process). \`tailscope-wire-default\` runs the scenario's default worker count on that same core.`,
  );
  lines.push(
    `- tailscope's rows: \`tailscope-wire\` = \`engine: ${SCENARIO_ENGINE.wire}\` (every phase timed), \`tailscope-node\` = \`engine: ${SCENARIO_ENGINE.node}\` (node:http, phase-timed), \`tailscope-autocannon\` = \`engine: ${SCENARIO_ENGINE.autocannon}\` (autocannon drives the stage).`,
  );
  lines.push(
    '- Targets: nginx `worker_processes 1` answering `GET /` with a static 200 from memory (`bench/peers/nginx.conf`); the mock (`tailscope mock --profile fast`) answering `POST /v1/generate` with a Bearer token and a JSON body (every tool sends the same bytes).',
  );
  lines.push('- Figures: median requests/s (min–max) over the runs; ratios are of medians measured in this same run.', '');
  const goals: string[] = [];
  for (const target of ['nginx', 'mock']) {
    for (const connections of CONNECTIONS) {
      const wrk = rps(target, connections, 'wrk');
      const cli = rps(target, connections, 'autocannon');
      const rows = TOOLS.map((tool) => {
        const s = rps(target, connections, tool);
        const cell = cells.find((c) => c.target === target && c.connections === connections && c.tool === tool)!;
        const errors = cell.runs.reduce((sum, r) => sum + r.errors, 0);
        return [tool, fmtSpread(s), fmt(ratio(s, wrk)), fmt(ratio(s, cli)), String(errors)];
      });
      lines.push(`### ${target}, ${connections} connections`, '');
      lines.push(table(['tool', 'requests/s median (min–max)', '× wrk', '× autocannon CLI', 'errors (all runs)'], rows), '');
      const wire = rps(target, connections, 'tailscope-wire');
      const wireVsCli = ratio(wire, cli);
      const defaultVsOne = ratio(rps(target, connections, 'tailscope-wire-default'), wire);
      const engineVsCli = ratio(rps(target, connections, 'tailscope-autocannon'), cli);
      const nodeVsCli = ratio(rps(target, connections, 'tailscope-node'), cli);
      // The wire goal is set against nginx; against the mock the mock is the ceiling, so it is shown, not judged.
      const judged = target === 'nginx';
      goals.push(
        `| ${target} | ${connections} | ${fmt(wireVsCli)} ${judged ? mark(wireVsCli, WIRE_VS_CLI) : '(not judged)'} | ${fmt(defaultVsOne)} ${mark(defaultVsOne, DEFAULT_VS_ONE_WORKER)} | ${fmt(ratio(wire, wrk))} | ${fmt(engineVsCli)} ${mark(engineVsCli, AUTOCANNON_ENGINE_VS_CLI)} | ${fmt(nodeVsCli)} |`,
      );
    }
  }
  lines.push('### Goals', '');
  lines.push(
    `Ratios of medians. ✅ goal met, ⚠️ below the goal but above its floor, ❌ below the floor. The wire engine's goal against the autocannon CLI is judged on nginx (goal ≥ ${WIRE_VS_CLI.goal.toFixed(2)}, floor ${WIRE_VS_CLI.floor}); with the default worker count it must not be slower than with one (goal ≥ ${DEFAULT_VS_ONE_WORKER.goal.toFixed(2)}, floor ${DEFAULT_VS_ONE_WORKER.floor}). The node:http engine is contrast.`,
    '',
  );
  lines.push(
    '| target | connections | wire ÷ autocannon CLI | wire, default workers ÷ wire, 1 worker | wire ÷ wrk | autocannon engine ÷ autocannon CLI (goal ≥ 0.95) | node engine ÷ autocannon CLI |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  lines.push(...goals, '');
  return lines.join('\n');
}

export function quietNote(quiet: { waitedSec: number; load: number; quiet: boolean } | undefined): string {
  // Under `npm run bench` the one wait happens before the series (bench/all.ts), which passes its outcome on.
  if (!quiet) return process.env.BENCH_QUIET_NOTE ?? 'no wait for a quiet machine (--no-wait/--quick)';
  return quiet.quiet
    ? `waited ${Math.round(quiet.waitedSec)} s for the load average to fall below 0.7`
    : `the machine never got quiet (load ${quiet.load.toFixed(2)} after ${Math.round(quiet.waitedSec)} s of waiting): other work shared the cores; ratios within the run still compare like with like`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await throughputBenchmark(process.argv.slice(2));
}
