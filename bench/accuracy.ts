/**
 * Accuracy, two ways. First the client layers side by side on nginx's 20 ms `/fixed20` (client-layers.ts):
 * tailscope against wrk and the socket floor. Then against ground truth: at low load (4 connections) each
 * tool's p50 and p99 beside what the mock says it injected into the very same requests (GET /__admin/stats,
 * reset before each tool). The gap left is the tool's own error plus the loopback round trip, which every tool
 * pays alike.
 *
 *   npm run bench:accuracy [-- --quick] [-- --runs N]
 */
import { join } from 'node:path';
import { readStats, resetStats, type TruthStats } from './lib/admin.js';
import { benchOptions, log } from './lib/options.js';
import { describeMachine, loadAverage, machineLines } from './lib/machine.js';
import { REPO } from './lib/paths.js';
import { requirePeers } from './lib/peers.js';
import { corePlan, sleep } from './lib/proc.js';
import { waitForQuiet } from './lib/quiet.js';
import { table, writeRaw, writeSection } from './lib/report.js';
import { fetchToken, startMock } from './lib/servers.js';
import { fmt, spread } from './lib/stats.js';
import { runTool, type Load, type ToolName, type ToolRun } from './lib/tools.js';
import { GENERATE_BODY, quietNote } from './throughput.js';
import { measureClientLayers, renderClientLayers, type LayersMeasured } from './client-layers.js';

/** tailscope's wire engine is the one judged; its node:http engine and autocannon engine stay as contrast rows. */
const TOOLS: ToolName[] = ['tailscope-wire', 'tailscope-node', 'tailscope-autocannon', 'autocannon', 'wrk', 'hey'];
const JUDGED: ToolName = 'tailscope-wire';
/** The client-layer comparison: at least three rounds for figures, seconds per run. */
const LAYER_ROUNDS_MIN = 3;
const LAYER_ROUNDS_MAX = 12;
const LAYER_SECONDS = { full: 10, quick: 3 };
const PROFILES = [
  { name: 'fixed 20 ms', profile: 'fixed-20ms' },
  { name: 'lognormal (median 20 ms, p99 60 ms)', profile: join(REPO, 'bench/profiles/lognormal.yaml') },
  { name: 'bimodal (90% ~8 ms, 10% ~60 ms)', profile: join(REPO, 'bench/profiles/bimodal.yaml') },
];
const CONNECTIONS = 4;

interface Sample {
  run: ToolRun;
  truth: TruthStats;
  p50ErrorMs: number;
  p99ErrorMs: number;
}

interface Cell {
  profile: string;
  tool: ToolName;
  samples: Sample[];
}

/** The goal: within max(0.5 ms, 2% of the true value). */
export function allowedErrorMs(truthMs: number): number {
  return Math.max(0.5, 0.02 * truthMs);
}

export async function accuracyBenchmark(argv: readonly string[]): Promise<void> {
  const options = benchOptions(argv, { runs: 5 });
  requirePeers(['wrk', 'hey', 'nginx']);
  const cores = corePlan();
  const durationSec = options.quick ? 2 : 4;
  const quiet = options.noWait
    ? undefined
    : await waitForQuiet({ below: 0.7, pollSec: 30, maxWaitSec: Number(process.env.BENCH_MAX_WAIT_SEC ?? 2400), log });
  const loadAtStart = loadAverage();
  const machine = describeMachine();
  const began = new Date().toISOString();
  const cells: Cell[] = [];

  const layers = await measureClientLayers({
    cores,
    durationSec: options.quick ? LAYER_SECONDS.quick : LAYER_SECONDS.full,
    rounds: options.quick ? options.runs : Math.max(LAYER_ROUNDS_MIN, options.runs),
    // Rounds added while fewer than three were quiet: bounded, about a minute each.
    maxRounds: options.quick ? options.runs : LAYER_ROUNDS_MAX,
  });

  for (const { name, profile } of PROFILES) {
    const server = await startMock(profile, cores.target);
    try {
      const token = await fetchToken(server.url);
      const load: Load = {
        baseUrl: server.url,
        path: '/v1/generate',
        method: 'POST',
        body: GENERATE_BODY,
        token,
        connections: CONNECTIONS,
        durationSec,
      };
      const row = TOOLS.map((tool): Cell => ({ profile: name, tool, samples: [] }));
      cells.push(...row);
      for (let rep = 0; rep < options.runs; rep++) {
        for (let i = 0; i < TOOLS.length; i++) {
          const cell = row[(i + rep) % TOOLS.length]!;
          await resetStats(server.url);
          const run = await runTool(cell.tool, load, {
            core: cores.generator,
            label: `accuracy-${profile.replace(/\W+/g, '-')}-${cell.tool}-${rep}`,
          });
          const truth = await readStats(server.url);
          const sample = {
            run,
            truth,
            p50ErrorMs: (run.p50Ms ?? NaN) - truth.service.p50Ms,
            p99ErrorMs: (run.p99Ms ?? NaN) - truth.service.p99Ms,
          };
          cell.samples.push(sample);
          log(
            `${name} ${cell.tool}: p50 ${fmt(run.p50Ms)} vs ${fmt(truth.service.p50Ms)}, p99 ${fmt(run.p99Ms)} vs ${fmt(truth.service.p99Ms)} ms (${run.requests} requests, server counted ${truth.service.count})`,
          );
          await sleep(300);
        }
      }
    } finally {
      await server.stop();
    }
  }

  await writeRaw('accuracy', { began, machine, cores, durationSec, runs: options.runs, loadAtStart, quiet, layers, cells });
  if (options.write)
    await writeSection(
      'accuracy',
      render(layers, cells, { machine, cores: cores.note, durationSec, runs: options.runs, loadAtStart, quiet: quietNote(quiet), began }),
    );
}

export function render(
  layers: LayersMeasured,
  cells: Cell[],
  ctx: {
    machine: ReturnType<typeof describeMachine>;
    cores: string;
    durationSec: number;
    runs: number;
    loadAtStart: number;
    quiet: string;
    began: string;
  },
): string {
  const lines: string[] = [];
  lines.push('## 2. Accuracy', '');
  lines.push(`Run ${ctx.began} with \`npm run bench:accuracy\`.`);
  lines.push(...machineLines(ctx.machine, ctx.loadAtStart, ctx.quiet));
  lines.push(`- ${ctx.cores}.`, '');
  lines.push(...renderClientLayers(layers));
  lines.push("### Against ground truth: the mock's record of what it injected", '');
  lines.push(
    `${CONNECTIONS} connections, ${ctx.durationSec} s per run, ${ctx.runs} runs per tool and profile, tools taking turns; the mock's stats are reset before each tool and read after it, so each tool is compared with the service times of the very requests it sent.`,
    '',
  );
  lines.push(
    "- Error = the tool's percentile − the injected service-time percentile (`GET /__admin/stats`), in ms: median over the runs (min–max). It includes the loopback round trip and HTTP parsing on both sides (~0.1–0.3 ms here), which every tool pays.",
  );
  lines.push(
    "- Each tool's own resolution: wrk 1 µs (its histogram, read by `bench/peers/wrk.lua`), hey 4 decimals of s (0.1 ms), autocannon whole ms (its `--json` latencies are integers), tailscope µs HDR (3 significant digits).",
  );
  lines.push('- Goal: |error| ≤ max(0.5 ms, 2% of the true value) at p50 and p99, judged on the median error; ✅ when met.', '');
  const verdicts: string[] = [];
  for (const profile of [...new Set(cells.map((c) => c.profile))]) {
    const row = cells.filter((c) => c.profile === profile);
    const truthP50 = spread(row.flatMap((c) => c.samples.map((s) => s.truth.service.p50Ms)));
    const truthP99 = spread(row.flatMap((c) => c.samples.map((s) => s.truth.service.p99Ms)));
    lines.push(`#### ${profile}`, '');
    lines.push(
      `True service time over all runs: p50 ${fmt(truthP50.median)} ms (${fmt(truthP50.min)}–${fmt(truthP50.max)}), p99 ${fmt(truthP99.median)} ms (${fmt(truthP99.min)}–${fmt(truthP99.max)}).`,
      '',
    );
    const rows = row.map((cell) => {
      const e50 = spread(cell.samples.map((s) => s.p50ErrorMs));
      const e99 = spread(cell.samples.map((s) => s.p99ErrorMs));
      const ok50 = Math.abs(e50.median) <= allowedErrorMs(truthP50.median);
      const ok99 = Math.abs(e99.median) <= allowedErrorMs(truthP99.median);
      if (cell.tool === JUDGED) verdicts.push(`${profile}, ${cell.tool}: p50 ${ok50 ? 'met' : 'missed'}, p99 ${ok99 ? 'met' : 'missed'}`);
      const requests = spread(cell.samples.map((s) => s.run.requests));
      return [
        cell.tool,
        `${fmt(e50.median)} (${fmt(e50.min)}…${fmt(e50.max)}) ${ok50 ? '✅' : '❌'}`,
        `${fmt(e99.median)} (${fmt(e99.min)}…${fmt(e99.max)}) ${ok99 ? '✅' : '❌'}`,
        fmt(spread(cell.samples.map((s) => s.run.p50Ms ?? NaN)).median),
        fmt(spread(cell.samples.map((s) => s.run.p99Ms ?? NaN)).median),
        String(Math.round(requests.median)),
      ];
    });
    lines.push(table(['tool', 'p50 error ms', 'p99 error ms', 'p50 ms', 'p99 ms', 'requests/run'], rows), '');
    lines.push(`Allowed error: p50 ±${fmt(allowedErrorMs(truthP50.median))} ms, p99 ±${fmt(allowedErrorMs(truthP99.median))} ms.`, '');
  }
  lines.push(
    "#### Goal (tailscope's wire engine; its node and autocannon engines are contrast rows above)",
    '',
    ...verdicts.map((v) => `- ${v}`),
    '',
  );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await accuracyBenchmark(process.argv.slice(2));
}
