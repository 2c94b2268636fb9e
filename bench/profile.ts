/**
 * Where a tailscope worker spends its time at full throughput: the default (wire) engine (and the autocannon
 * engine) against nginx at 100 connections under `node --cpu-prof`, the worker thread's profile summarised as
 * top functions by self time and by where the code lives. Explains any throughput gap in section 1.
 *
 *   npm run bench:profile [-- --quick]
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchOptions, log } from './lib/options.js';
import { describeMachine, loadAverage, machineLines } from './lib/machine.js';
import { OUT, REPO } from './lib/paths.js';
import { corePlan } from './lib/proc.js';
import { table, writeRaw, writeSection } from './lib/report.js';
import { startNginx } from './lib/servers.js';
import { fmt, fmtInt } from './lib/stats.js';
import { runTool, type ToolName } from './lib/tools.js';
import { quietNote } from './throughput.js';

export interface CallFrame {
  functionName: string;
  url: string;
  /** zero-based, as V8 gives them */
  lineNumber: number;
  columnNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

/** Self time per function (name + file:line), from a V8 .cpuprofile; idle time left out of the shares. */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const frameOf = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byKey = new Map<string, SelfTime>();
  let busyUs = 0;
  profile.samples.forEach((nodeId, i) => {
    const frame = frameOf.get(nodeId);
    const deltaUs = profile.timeDeltas[i] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    busyUs += deltaUs;
    const where = frameWhere(frame);
    const key = `${frame.functionName}@${where}`;
    const entry = byKey.get(key) ?? { name: frame.functionName || '(anonymous)', where, selfMs: 0, share: 0 };
    entry.selfMs += deltaUs / 1000;
    byKey.set(key, entry);
  });
  return [...byKey.values()].map((e) => ({ ...e, share: e.selfMs / (busyUs / 1000) })).sort((a, b) => b.selfMs - a.selfMs);
}

/** A frame's place: src/ file and line through a bundle's source map, else its own file (shortened) and line. */
export function frameWhere(frame: CallFrame): string {
  return sourcePlace(frame) ?? `${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
}

/**
 * Load threads run a bundle of their entry (node_modules/.cache/tailscope/*.mjs, see bundleEntry in
 * src/runner/spawn.ts) that carries an inline source map: a frame in it is named by the source file and line
 * it came from, so the tables say src/engines/wire/… rather than a line of the bundle.
 */
function sourcePlace(frame: CallFrame): string | undefined {
  if (!/\/node_modules\/\.cache\/tailscope\/[^/]+\.mjs$/.test(frame.url)) return undefined;
  const map = bundleMap(frame.url);
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry === undefined || !('originalSource' in entry)) return undefined;
  return `${entry.originalSource}:${entry.originalLine + 1}`;
}

const bundleMaps = new Map<string, SourceMap | undefined>();

function bundleMap(url: string): SourceMap | undefined {
  if (!bundleMaps.has(url)) {
    const text = readFileSync(url.startsWith('file:') ? fileURLToPath(url) : url, 'utf8');
    const inline = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(text);
    bundleMaps.set(
      url,
      inline ? new SourceMap(JSON.parse(Buffer.from(inline[1]!, 'base64').toString('utf8')) as SourceMapPayload) : undefined,
    );
  }
  return bundleMaps.get(url);
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(REPO, '')
    .replace(/^.*node_modules\//, 'node_modules/');
}

/** Where the code lives: Node's own http/net, tailscope's source, a library, or V8 (GC, program). */
export function area(where: string, name: string): string {
  // V8's own entries ((garbage collector), (program), (V8 API)) have no source; an anonymous function has one.
  if (name.startsWith('(') && where === '') return `V8 ${name}`;
  if (where.startsWith('node:_http') || where.startsWith('node:http')) return 'node:http (client, agent, parser glue)';
  if (
    where.startsWith('node:net') ||
    where.startsWith('node:internal/stream') ||
    where.startsWith('node:stream') ||
    where.startsWith('node:_stream')
  )
    return 'node:net / streams';
  if (where.startsWith('node:')) return 'other Node internals (timers, events, perf_hooks, …)';
  if (where === '') return 'native / builtins';
  if (where.startsWith('node_modules/autocannon')) return 'autocannon';
  if (where.startsWith('node_modules/http-parser-js')) return "http-parser-js (autocannon's response parser)";
  if (where.startsWith('node_modules/hdr-histogram-js')) return 'hdr-histogram-js';
  if (where.startsWith('node_modules/')) return 'other libraries';
  if (where.startsWith('src/')) return 'tailscope src/';
  return 'other';
}

export async function profileBenchmark(argv: readonly string[]): Promise<void> {
  const options = benchOptions(argv, { runs: 1 });
  const cores = corePlan();
  const durationSec = options.quick ? 3 : 10;
  const loadAtStart = loadAverage();
  const machine = describeMachine();
  const began = new Date().toISOString();
  const server = await startNginx(cores.target);
  const sections: string[] = [];
  const raw: Record<string, unknown> = {};
  try {
    for (const tool of ['tailscope-wire', 'tailscope-autocannon'] as ToolName[]) {
      const dir = join(OUT, 'profiles', tool);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const run = await runTool(
        tool,
        { baseUrl: server.url, path: '/', method: 'GET', connections: 100, durationSec },
        {
          core: cores.generator,
          label: `profile-${tool}`,
          nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
        },
      );
      // File names end in .<pid>.<threadId>.<seq>.cpuprofile; the load runs on a worker thread (id ≥ 1).
      const files = (await readdir(dir)).filter((f) => /\.\d+\.[1-9]\d*\.\d+\.cpuprofile$/.test(f));
      const profiles = await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as CpuProfile));
      const busiest = profiles.map(selfTimes).sort((a, b) => total(b) - total(a))[0] ?? [];
      const areas = new Map<string, number>();
      for (const entry of busiest) areas.set(area(entry.where, entry.name), (areas.get(area(entry.where, entry.name)) ?? 0) + entry.share);
      raw[tool] = { run, top: busiest.slice(0, 40) };
      log(`${tool}: ${fmtInt(run.rps)} req/s under the profiler`);
      sections.push(`### ${tool} (${fmtInt(run.rps)} requests/s under the profiler)`, '');
      sections.push(
        table(
          ['where the code lives', 'share of busy time'],
          [...areas].sort((a, b) => b[1] - a[1]).map(([name, share]) => [name, `${fmt(share * 100, 1)}%`]),
        ),
        '',
      );
      sections.push(
        table(
          ['function', 'file:line', 'self ms', 'share'],
          busiest.slice(0, 15).map((e) => [`\`${e.name}\``, e.where || '–', fmt(e.selfMs, 0), `${fmt(e.share * 100, 1)}%`]),
        ),
        '',
      );
    }
  } finally {
    await server.stop();
  }
  await writeRaw('profile', { began, machine, cores, durationSec, loadAtStart, raw });
  if (!options.write) return;
  await writeSection(
    'profile',
    [
      '## 6. Profile of a tailscope worker',
      '',
      `Run ${began} with \`npm run bench:profile\`: each engine against nginx at 100 connections for ${durationSec} s, \`workers: 1\`, under \`node --cpu-prof\`; the worker thread's profile, idle time excluded. The profiler itself costs some throughput.`,
      ...machineLines(machine, loadAtStart, quietNote(undefined)),
      `- ${cores.note}.`,
      '',
      ...sections,
    ].join('\n'),
  );
}

function total(entries: SelfTime[]): number {
  return entries.reduce((sum, e) => sum + e.selfMs, 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await profileBenchmark(process.argv.slice(2));
}
