/**
 * Coordinated omission: a constant 400 requests/s over 10 connections through periodic stalls (2 ms service,
 * frozen 50 ms every 1013 ms, so ~20 arrivals meet 10 stuck connections). Every request that would finish
 * inside a stall waits for its end, so the truth follows from the schedule alone; a tool that times from the
 * actual send (or stops sending while its connections are stuck) reports less than that.
 *
 * Expected latency: with probability F/E a request is held, its latency uniform on (s, s + F]; otherwise s.
 * So the q-quantile is s when 1 − q > F/E, else s + F − (1 − q)·E, with s the injected service time (read back
 * from the mock), F the stall and E its period.
 *
 *   npm run bench:co [-- --quick] [-- --runs N]
 */
import { join } from 'node:path';
import { readStats, resetStats } from './lib/admin.js';
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

const STALL_EVERY_MS = 1013;
const STALL_FOR_MS = 50;
const RATE_PER_SEC = 400;
const CONNECTIONS = 10;
const TOOLS: ToolName[] = ['tailscope-wire', 'autocannon', 'hey'];

/** The q-quantile (0..1) of latency under periodic stalls, from the schedule alone. */
export function expectedQuantileMs(q: number, serviceMs: number, stall: { everyMs: number; forMs: number }): number {
  const heldShare = stall.forMs / stall.everyMs;
  const above = 1 - q;
  return above >= heldShare ? serviceMs : serviceMs + stall.forMs - above * stall.everyMs;
}

interface Sample {
  tool: string;
  run: ToolRun;
  serviceP50Ms: number;
}

export async function coBenchmark(argv: readonly string[]): Promise<void> {
  const options = benchOptions(argv, { runs: 5 });
  requirePeers(['hey']);
  const cores = corePlan();
  const durationSec = options.quick ? 6 : 12;
  const quiet = options.noWait
    ? undefined
    : await waitForQuiet({ below: 0.7, pollSec: 30, maxWaitSec: Number(process.env.BENCH_MAX_WAIT_SEC ?? 2400), log });
  const loadAtStart = loadAverage();
  const machine = describeMachine();
  const began = new Date().toISOString();
  const samples: Sample[] = [];
  const server = await startMock(join(REPO, 'bench/profiles/stall.yaml'), cores.target);
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
      ratePerSec: RATE_PER_SEC,
    };
    for (let rep = 0; rep < options.runs; rep++) {
      for (let i = 0; i < TOOLS.length; i++) {
        const tool = TOOLS[(i + rep) % TOOLS.length]!;
        await resetStats(server.url);
        const run = await runTool(tool, load, { core: cores.generator, label: `co-${tool}-${rep}` });
        const truth = await readStats(server.url);
        samples.push({ tool, run, serviceP50Ms: truth.service.p50Ms });
        log(
          `${tool}: p99 ${fmt(run.p99Ms)} p99.9 ${fmt(run.p999Ms)} ms${run.uncorrected ? ` (uncorrected p99 ${fmt(run.uncorrected.p99Ms)} p99.9 ${fmt(run.uncorrected.p999Ms)})` : ''}, ${run.requests} requests`,
        );
        await sleep(300);
      }
    }
  } finally {
    await server.stop();
  }
  await writeRaw('co', { began, machine, cores, durationSec, runs: options.runs, loadAtStart, quiet, samples });
  if (options.write)
    await writeSection(
      'co',
      render(samples, { machine, cores: cores.note, durationSec, runs: options.runs, loadAtStart, quiet: quietNote(quiet), began }),
    );
}

function render(
  samples: Sample[],
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
  const stall = { everyMs: STALL_EVERY_MS, forMs: STALL_FOR_MS };
  const serviceMs = spread(samples.map((s) => s.serviceP50Ms)).median;
  const expected = {
    p50: expectedQuantileMs(0.5, serviceMs, stall),
    p99: expectedQuantileMs(0.99, serviceMs, stall),
    p999: expectedQuantileMs(0.999, serviceMs, stall),
  };
  const views: { name: string; pick: (s: Sample) => { p50?: number; p99?: number; p999?: number } | undefined; tool: string }[] = [
    {
      name: 'tailscope (open model, from the intended send time)',
      tool: 'tailscope-wire',
      pick: (s) => ({ p50: s.run.p50Ms, p99: s.run.p99Ms, p999: s.run.p999Ms }),
    },
    {
      name: 'tailscope uncorrected view (`latencyUncorrected`)',
      tool: 'tailscope-wire',
      pick: (s) => s.run.uncorrected && { p50: s.run.uncorrected.p50Ms, p99: s.run.uncorrected.p99Ms, p999: s.run.uncorrected.p999Ms },
    },
    {
      name: `autocannon -R ${RATE_PER_SEC} (its default correction on)`,
      tool: 'autocannon',
      pick: (s) => ({ p50: s.run.p50Ms, p99: s.run.p99Ms, p999: s.run.p999Ms }),
    },
    {
      name: `hey -q ${RATE_PER_SEC / CONNECTIONS} per worker (= ${RATE_PER_SEC}/s)`,
      tool: 'hey',
      pick: (s) => ({ p50: s.run.p50Ms, p99: s.run.p99Ms }),
    },
  ];
  const cellOf = (values: (number | undefined)[], expectedMs: number): string => {
    const s = spread(values.filter((v): v is number => v !== undefined));
    if (s.n === 0) return '–';
    const error = (s.median - expectedMs) / expectedMs;
    return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)}) ${error >= 0 ? '+' : ''}${fmt(error * 100, 0)}%`;
  };
  const rows = views.map((view) => {
    const picked = samples
      .filter((s) => s.tool === view.tool)
      .map(view.pick)
      .filter((p) => p !== undefined);
    const rps = spread(samples.filter((s) => s.tool === view.tool).map((s) => s.run.rps)).median;
    return [
      view.name,
      cellOf(
        picked.map((p) => p.p50),
        expected.p50,
      ),
      cellOf(
        picked.map((p) => p.p99),
        expected.p99,
      ),
      cellOf(
        picked.map((p) => p.p999),
        expected.p999,
      ),
      fmt(rps, 1),
    ];
  });
  const ts = samples.filter((s) => s.tool === 'tailscope-wire');
  const within = (values: (number | undefined)[], expectedMs: number) =>
    Math.abs(spread(values.map((v) => v ?? NaN)).median - expectedMs) / expectedMs <= 0.1;
  const okP99 = within(
    ts.map((s) => s.run.p99Ms),
    expected.p99,
  );
  const okP999 = within(
    ts.map((s) => s.run.p999Ms),
    expected.p999,
  );
  const lines: string[] = [];
  lines.push('## 3. Coordinated omission', '');
  lines.push(
    `Run ${ctx.began} with \`npm run bench:co\`: ${RATE_PER_SEC} requests/s for ${ctx.durationSec} s over ${CONNECTIONS} connections (tailscope \`client.poolSize: ${CONNECTIONS}\`, \`load.open\` hold at ${RATE_PER_SEC}/s, constant arrivals), ${ctx.runs} runs per tool, taking turns. Mock profile \`bench/profiles/stall.yaml\`: service ${fmt(serviceMs)} ms (read back from the mock), stalled ${STALL_FOR_MS} ms every ${STALL_EVERY_MS} ms.`,
  );
  lines.push(...machineLines(ctx.machine, ctx.loadAtStart, ctx.quiet));
  lines.push(`- ${ctx.cores}.`);
  lines.push(
    `- Expected from the schedule: a request is held with probability ${STALL_FOR_MS}/${STALL_EVERY_MS}, its latency then uniform on (s, s + ${STALL_FOR_MS} ms], so p50 = ${fmt(expected.p50)} ms, p99 = s + ${STALL_FOR_MS} − 0.01·${STALL_EVERY_MS} = ${fmt(expected.p99)} ms, p99.9 = ${fmt(expected.p999)} ms.`,
  );
  lines.push("- Cells: median ms (min–max) over the runs, and the median's error against the expected value. hey prints no p99.9.", '');
  lines.push(table(['view', 'p50 ms', 'p99 ms', 'p99.9 ms', 'achieved req/s'], rows), '');
  lines.push(
    `Goal (tailscope within 10% of the expected value): p99 ${okP99 ? 'met ✅' : 'missed ❌'}, p99.9 ${okP999 ? 'met ✅' : 'missed ❌'}.`,
    '',
  );
  lines.push(
    `Reading the uncorrected view: each stall meets about ${Math.round((RATE_PER_SEC * STALL_FOR_MS) / 1000)} arrivals on ${CONNECTIONS} connections. The p99 and p99.9 requests are the earliest ones of a stall, which still found a free connection, so timing from the moment a socket was assigned (the uncorrected view) loses nothing there; the arrivals after them waited for a connection, and that is where the two views part: tailscope's p95 is ${fmt(spread(ts.map((s) => s.run.p95Ms ?? NaN)).median)} ms corrected against ${fmt(spread(ts.map((s) => s.run.uncorrected?.p95Ms ?? NaN)).median)} ms uncorrected (medians). The peers' figures depend on how each paces: autocannon spends each second's budget in a burst, hey paces every connection on its own ticker.`,
    '',
  );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await coBenchmark(process.argv.slice(2));
}
