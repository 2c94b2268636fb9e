/**
 * Garbage per request: what tailscope's load thread allocates for each request it sends, and how often that
 * stops the thread for a collection, beside the socket floor (bench/peers/socket-floor.ts) doing the same socket
 * work with no per-request objects. A young collection pauses the load thread for about a millisecond; every
 * response that arrives during one is stamped late by it, which at a few hundred requests/s is the p99.9.
 *
 * Each client runs twice per round, a short and a long span, with bench/lib/gc-probe.mjs preloaded into every
 * thread: the difference between the two cancels start-up, leaving bytes and collections per request of the
 * steady state. These are counts, not times, and the server (20 ms a response) paces the requests, so they hold
 * on a busy machine: unlike the latency benchmarks this one does not wait for a quiet one.
 *
 *   npm run bench:garbage [-- --quick] [-- --runs N]
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchOptions, log } from './lib/options.js';
import { describeMachine, loadAverage, machineLines } from './lib/machine.js';
import { OUT, REPO } from './lib/paths.js';
import { requirePeers } from './lib/peers.js';
import { corePlan } from './lib/proc.js';
import { table, writeRaw, writeSection } from './lib/report.js';
import { startNginxEcho } from './lib/servers.js';
import { fmt, fmtInt, spread } from './lib/stats.js';
import { runTool, type Load, type ToolName } from './lib/tools.js';
import { area, frameWhere, type CallFrame } from './profile.js';

const GC_PROBE: Probe = { url: pathToFileURL(join(REPO, 'bench/lib/gc-probe.mjs')).href, dirVariable: 'BENCH_GC_DIR' };
const SITES_PROBE: Probe = { url: pathToFileURL(join(REPO, 'bench/lib/alloc-probe.mjs')).href, dirVariable: 'BENCH_ALLOC_DIR' };
/** Allocation sites listed in the table. */
const TOP_SITES = 15;
const CLIENTS: ToolName[] = ['tailscope-wire', 'socket-floor'];

/** What the probe writes for one thread (bench/lib/gc-probe.mjs). */
interface ThreadGc {
  mainThread: boolean;
  allocatedBytes: number;
  collections: { kind: string; pauseUs: number }[];
}

interface Span {
  requests: number;
  rps: number;
  allocatedBytes: number;
  young: number;
  full: number;
  youngPausesUs: number[];
}

interface Round {
  bytesPerRequest: number;
  youngPer10k: number;
  /** the long span's young collections past the short span's number, in µs: the steady state's pauses */
  steadyYoungPausesUs: number[];
  long: Span;
}

interface LoadCase {
  name: string;
  path: string;
  connections: number;
  shortSec: number;
  longSec: number;
}

/** V8's names for collections of the young generation (Scavenge, or the minor mark-sweep newer V8s can use). */
function isYoung(kind: string): boolean {
  return kind === 'Scavenge' || kind.startsWith('Minor');
}

/** A probe preloaded into every thread of the client's process, and the variable naming the folder it writes to. */
interface Probe {
  url: string;
  dirVariable: string;
}

/**
 * Runs one client for one span with a probe preloaded; returns the run, the requests its load thread sent (the
 * warm-up's too: the probes count over the thread's whole life) and the probe's folder.
 */
async function probedRun(client: ToolName, load: Load, core: string | undefined, label: string, probe: Probe) {
  const dir = join(OUT, 'gc', label);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const run = await runTool(client, load, { core, label, nodeFlags: [`--import=${probe.url}`], env: { [probe.dirVariable]: dir } });
  return { run, requests: run.requests + (run.warmupRequests ?? 0), dir };
}

/** Runs one client for one span and reads its load thread's collections. */
async function span(client: ToolName, load: Load, core: string | undefined, label: string): Promise<Span> {
  const { run, requests, dir } = await probedRun(client, load, core, label, GC_PROBE);
  const threads = await Promise.all(
    (await readdir(dir)).map(async (file) => JSON.parse(await readFile(join(dir, file), 'utf8')) as ThreadGc),
  );
  // Both clients send from one worker thread (tailscope with `workers: 1`, the floor with --thread).
  const loadThreads = threads.filter((t) => !t.mainThread);
  if (loadThreads.length !== 1) throw new Error(`${client}: expected one load thread's collections, found ${loadThreads.length} in ${dir}`);
  const thread = loadThreads[0]!;
  const young = thread.collections.filter((c) => isYoung(c.kind));
  return {
    requests,
    rps: run.rps,
    allocatedBytes: thread.allocatedBytes,
    young: young.length,
    full: thread.collections.filter((c) => c.kind === 'MarkSweepCompact').length,
    youngPausesUs: young.map((c) => c.pauseUs),
  };
}

/** V8's sampled heap profile (HeapProfiler.stopSampling): a call tree with the bytes sampled at each node. */
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

export interface AllocationSite {
  name: string;
  where: string;
  bytes: number;
}

/** Bytes allocated per function (name + file:line), from a sampled heap profile. */
export function allocationSites(head: HeapNode): Map<string, AllocationSite> {
  const byKey = new Map<string, AllocationSite>();
  const stack = [head];
  while (stack.length > 0) {
    const node = stack.pop()!;
    stack.push(...node.children);
    if (node.selfSize === 0) continue;
    const where = frameWhere(node.callFrame);
    const key = `${node.callFrame.functionName}@${where}`;
    const site = byKey.get(key) ?? { name: node.callFrame.functionName || '(anonymous)', where, bytes: 0 };
    site.bytes += node.selfSize;
    byKey.set(key, site);
  }
  return byKey;
}

/** A site's bytes per request of the steady state: the long span's bytes there minus the short one's. */
export interface SiteRate {
  name: string;
  where: string;
  bytesPerRequest: number;
}

/**
 * Where tailscope's load thread allocates, per request: a short and a long span sampled (runs of their own,
 * sampling costs time), each site's bytes differenced as the counts are, so start-up and warm-up cancel.
 */
async function sites(
  load: (durationSec: number) => Load,
  shortSec: number,
  longSec: number,
  core: string | undefined,
): Promise<SiteRate[]> {
  const sampled = async (durationSec: number, label: string) => {
    const { requests, dir } = await probedRun('tailscope-wire', load(durationSec), core, label, SITES_PROBE);
    // The load thread is a worker thread (id ≥ 1); the main thread's file ends in -0.
    const file = (await readdir(dir)).find((f) => !f.endsWith('-0.heapprofile'));
    if (!file) throw new Error(`tailscope-wire: no load thread's heap profile in ${dir}`);
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as { head: HeapNode };
    return { requests, sites: allocationSites(profile.head) };
  };
  const short = await sampled(shortSec, 'gc-sites-short');
  const long = await sampled(longSec, 'gc-sites-long');
  const extraRequests = long.requests - short.requests;
  return [...long.sites]
    .map(([key, site]) => ({
      name: site.name,
      where: site.where,
      bytesPerRequest: (site.bytes - (short.sites.get(key)?.bytes ?? 0)) / extraRequests,
    }))
    .sort((a, b) => b.bytesPerRequest - a.bytesPerRequest);
}

export async function garbageBenchmark(argv: readonly string[]): Promise<void> {
  const options = benchOptions(argv, { runs: 3 });
  requirePeers(['nginx']);
  const cores = corePlan();
  const machine = describeMachine();
  const loadAtStart = loadAverage();
  const began = new Date().toISOString();
  const scale = options.quick ? 0.5 : 1;
  // Both loads are paced by the server (20 ms a response), not by the client's speed: the number of requests a
  // span sends is then the same on a busy machine, which the difference of two spans relies on.
  const cases: LoadCase[] = [
    {
      name: "nginx `GET /fixed20`, 4 connections (~190 requests/s: the accuracy run's load)",
      path: '/fixed20',
      connections: 4,
      shortSec: 4,
      longSec: 14,
    },
    {
      name: "nginx `GET /fixed20`, 100 connections (~4,800 requests/s: the soak's rate)",
      path: '/fixed20',
      connections: 100,
      shortSec: 4,
      longSec: 14,
    },
  ];

  const results: { name: string; rows: { client: ToolName; rounds: Round[] }[] }[] = [];
  for (const loadCase of cases) {
    const server = await startNginxEcho(cores.target);
    const rows = CLIENTS.map((client) => ({ client, rounds: [] as Round[] }));
    try {
      for (let round = 0; round < options.runs; round++) {
        for (const row of rows) {
          const load = (durationSec: number): Load => ({
            baseUrl: server.url,
            path: loadCase.path,
            method: 'GET',
            connections: loadCase.connections,
            durationSec: Math.max(1, Math.round(durationSec * scale)),
          });
          const label = `gc-c${loadCase.connections}-${row.client}-${round}`;
          const short = await span(row.client, load(loadCase.shortSec), cores.generator, `${label}-short`);
          const long = await span(row.client, load(loadCase.longSec), cores.generator, `${label}-long`);
          const extraRequests = long.requests - short.requests;
          if (extraRequests <= 0) throw new Error(`${row.client}: the long span sent no more requests than the short one`);
          const result: Round = {
            bytesPerRequest: (long.allocatedBytes - short.allocatedBytes) / extraRequests,
            youngPer10k: ((long.young - short.young) / extraRequests) * 10_000,
            // Start-up's collections come first and are longer (the heap is still being built).
            steadyYoungPausesUs: long.youngPausesUs.slice(short.young),
            long,
          };
          row.rounds.push(result);
          log(
            `${loadCase.path} ${row.client}: ${fmtInt(result.bytesPerRequest)} B/request, ${fmt(result.youngPer10k, 1)} young collections per 10,000 requests (${fmtInt(long.rps)} req/s)`,
          );
        }
      }
    } finally {
      await server.stop();
    }
    results.push({ name: loadCase.name, rows });
  }

  // Where the bytes go, at the accuracy run's load.
  const sitesCase = cases[0]!;
  const sitesServer = await startNginxEcho(cores.target);
  let siteRates: SiteRate[];
  try {
    siteRates = await sites(
      (durationSec) => ({
        baseUrl: sitesServer.url,
        path: sitesCase.path,
        method: 'GET',
        connections: sitesCase.connections,
        durationSec: Math.max(1, Math.round(durationSec * scale)),
      }),
      sitesCase.shortSec,
      sitesCase.longSec,
      cores.generator,
    );
  } finally {
    await sitesServer.stop();
  }
  for (const site of siteRates.slice(0, TOP_SITES)) log(`${fmtInt(site.bytesPerRequest)} B/request  ${site.name}  ${site.where}`);

  await writeRaw('garbage', {
    began,
    machine,
    cores,
    loadAtStart,
    results,
    sites: { load: sitesCase.name, perRequest: siteRates.slice(0, 60) },
  });
  if (!options.write) return;
  const sections: string[] = [];
  for (const result of results) {
    const floor = result.rows.find((r) => r.client === 'socket-floor');
    const floorBytes = floor ? spread(floor.rounds.map((r) => r.bytesPerRequest)).median : NaN;
    sections.push(`### ${result.name}`, '');
    sections.push(
      table(
        [
          'client',
          'bytes allocated per request',
          '× floor',
          'young collections per 10,000 requests',
          'young pause p50 / max ms',
          'full collections (long span)',
          'requests/s',
        ],
        result.rows.map(({ client, rounds }) => {
          const bytes = spread(rounds.map((r) => r.bytesPerRequest));
          const young = spread(rounds.map((r) => r.youngPer10k));
          const pauses = spread(rounds.flatMap((r) => r.steadyYoungPausesUs));
          return [
            client,
            `${fmtInt(bytes.median)} (${fmtInt(bytes.min)}–${fmtInt(bytes.max)})`,
            client === 'socket-floor' ? '1.0' : fmt(bytes.median / floorBytes, 1),
            `${fmt(young.median, 1)} (${fmt(young.min, 1)}–${fmt(young.max, 1)})`,
            pauses.n > 0 ? `${fmt(pauses.median / 1000)} / ${fmt(pauses.max / 1000)}` : '–',
            String(Math.max(...rounds.map((r) => r.long.full))),
            fmtInt(spread(rounds.map((r) => r.long.rps)).median),
          ];
        }),
      ),
      '',
    );
  }
  await writeSection(
    'garbage',
    [
      '## 9. Garbage per request',
      '',
      `Run ${began} with \`npm run bench:garbage\`: ${options.runs} rounds; in each, every client runs a short and a long span (\`workers: 1\` for tailscope, \`--thread\` for the floor; tailscope's 2 s warm-up kept out of both), with \`bench/lib/gc-probe.mjs\` preloaded to record its load thread's collections. Figures are the long span minus the short one, per request it sent more (warm-up requests counted in both): the steady state, start-up cancelled. Median over the rounds (min–max).`,
      ...machineLines(machine, loadAtStart, 'counts, not times: no wait for a quiet machine'),
      `- ${cores.note}.`,
      "- Bytes allocated: heap in use before each collection minus what the previous one left (V8's own accounting, via `v8.GCProfiler`). Young pauses: the long span's young collections past the short span's number (start-up's come first, and are longer), all rounds.",
      '',
      ...sections,
      `### Where tailscope's load thread allocates: ${sitesCase.name}`,
      '',
      "A short and a long span of `tailscope-wire` more, with `bench/lib/alloc-probe.mjs` preloaded: V8's sampling heap profiler, told to keep what collections freed, one sample per ~4 KiB allocated on average (so a small site's figure is an estimate). Each function's bytes in the long span minus the short one's, per request it sent more; bundle frames named by their source line.",
      '',
      table(
        ['where the code lives', 'bytes per request'],
        areaRates(siteRates).map(([name, bytes]) => [name, fmtInt(bytes)]),
      ),
      '',
      table(
        ['function', 'file:line', 'bytes per request'],
        siteRates.slice(0, TOP_SITES).map((site) => [`\`${site.name}\``, site.where || '–', fmtInt(site.bytesPerRequest)]),
      ),
      '',
    ].join('\n'),
  );
}

function areaRates(list: readonly SiteRate[]): [string, number][] {
  const areas = new Map<string, number>();
  for (const site of list) areas.set(area(site.where, site.name), (areas.get(area(site.where, site.name)) ?? 0) + site.bytesPerRequest);
  return [...areas].sort((a, b) => b[1] - a[1]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await garbageBenchmark(process.argv.slice(2));
}
