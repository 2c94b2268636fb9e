/**
 * The mock's ceiling: requests/s wrk (one thread, pinned to the other core) gets from the mock with the
 * `fast` profile — on POST /v1/generate (auth, JSON body, generated text, stats) and on GET /healthz (its
 * routing alone) — next to a bare node:http hello-world and nginx. The mock's goal: ≥ 80% of bare node:http.
 *
 *   npm run bench:mock [-- --quick] [-- --runs N]
 */
import { benchOptions, log } from './lib/options.js';
import { describeMachine, loadAverage, machineLines } from './lib/machine.js';
import { requirePeers } from './lib/peers.js';
import { corePlan, sleep, type Server } from './lib/proc.js';
import { waitForQuiet } from './lib/quiet.js';
import { table, writeRaw, writeSection } from './lib/report.js';
import { fetchToken, startBareNode, startMock, startNginx } from './lib/servers.js';
import { fmt, fmtSpread, ratio, spread } from './lib/stats.js';
import { runTool, type Load, type ToolRun } from './lib/tools.js';
import { GENERATE_BODY, quietNote } from './throughput.js';

const CONNECTIONS = 50;

interface Target {
  name: string;
  start: (core: string | undefined) => Promise<Server>;
  load: (server: Server, durationSec: number) => Promise<Load>;
}

const TARGETS: Target[] = [
  {
    name: 'bare node:http hello world',
    start: startBareNode,
    load: async (s, d) => ({ baseUrl: s.url, path: '/', method: 'GET', connections: CONNECTIONS, durationSec: d }),
  },
  {
    name: 'mock `fast`: GET /healthz',
    start: (c) => startMock('fast', c),
    load: async (s, d) => ({ baseUrl: s.url, path: '/healthz', method: 'GET', connections: CONNECTIONS, durationSec: d }),
  },
  {
    name: 'mock `fast`: POST /v1/generate',
    start: (c) => startMock('fast', c),
    load: async (s, d) => ({
      baseUrl: s.url,
      path: '/v1/generate',
      method: 'POST',
      body: GENERATE_BODY,
      token: await fetchToken(s.url),
      connections: CONNECTIONS,
      durationSec: d,
    }),
  },
  {
    name: 'nginx static 200',
    start: startNginx,
    load: async (s, d) => ({ baseUrl: s.url, path: '/', method: 'GET', connections: CONNECTIONS, durationSec: d }),
  },
];

export async function mockCeilingBenchmark(argv: readonly string[]): Promise<void> {
  const options = benchOptions(argv, { runs: 5 });
  requirePeers(['wrk', 'nginx']);
  const cores = corePlan();
  const durationSec = options.quick ? 2 : 5;
  const quiet = options.noWait
    ? undefined
    : await waitForQuiet({ below: 0.7, pollSec: 30, maxWaitSec: Number(process.env.BENCH_MAX_WAIT_SEC ?? 2400), log });
  const loadAtStart = loadAverage();
  const machine = describeMachine();
  const began = new Date().toISOString();
  // All servers stay up; runs take turns so a drift of the machine falls on all alike.
  const servers = new Map<string, Server>();
  const runs = new Map<string, ToolRun[]>();
  try {
    const loads = new Map<string, Load>();
    for (const target of TARGETS) {
      const server = await target.start(cores.target);
      servers.set(target.name, server);
      loads.set(target.name, await target.load(server, durationSec));
      runs.set(target.name, []);
    }
    for (let rep = 0; rep < options.runs; rep++) {
      for (let i = 0; i < TARGETS.length; i++) {
        const target = TARGETS[(i + rep) % TARGETS.length]!;
        const run = await runTool('wrk', loads.get(target.name)!, { core: cores.generator, label: `mock-${i}-${rep}` });
        runs.get(target.name)!.push(run);
        log(`${target.name}: ${fmt(run.rps, 0)} req/s, ${run.errors} errors`);
        await sleep(300);
      }
    }
  } finally {
    for (const server of servers.values()) await server.stop();
  }
  const cells = TARGETS.map((t) => ({ target: t.name, runs: runs.get(t.name)! }));
  await writeRaw('mock-ceiling', { began, machine, cores, durationSec, runs: options.runs, loadAtStart, quiet, cells });
  if (!options.write) return;
  const bare = spread(cells[0]!.runs.map((r) => r.rps));
  const rows = cells.map((c) => {
    const s = spread(c.runs.map((r) => r.rps));
    return [c.target, fmtSpread(s), fmt(ratio(s, bare)), String(c.runs.reduce((sum, r) => sum + r.errors, 0))];
  });
  const generate = ratio(spread(cells[2]!.runs.map((r) => r.rps)), bare);
  const lines = [
    '## 5. Mock server ceiling',
    '',
    `Run ${began} with \`npm run bench:mock\`: \`wrk -t1 -c${CONNECTIONS} -d${durationSec}s\` against each server, ${options.runs} runs each, taking turns; servers started through tsx like the mock (\`bench/servers/bare-node.ts\`).`,
    ...machineLines(machine, loadAtStart, quietNote(quiet)),
    `- ${cores.note}.`,
    '',
    table(['server', 'requests/s median (min–max)', '× bare node:http', 'errors'], rows),
    '',
    `Goal (mock ≥ 0.80× bare node:http, on the API route POST /v1/generate): ${fmt(generate)} — ${generate >= 0.8 ? 'met ✅' : 'missed ❌'}.`,
    '',
  ];
  await writeSection('mock', lines.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await mockCeilingBenchmark(process.argv.slice(2));
}
