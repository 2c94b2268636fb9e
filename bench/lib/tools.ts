/**
 * One runner per load tool, all driven by the same description of the load, so every tool sends the same
 * request over the same number of keep-alive connections for the same time, pinned to the same core.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAutocannon, parseHey, parseLocustSummary, parseSocketFloor, parseWrk, type Measured } from './parse.js';
import { runCommand, type Finished } from './proc.js';
import { AUTOCANNON, OUT, REPO, TSX } from './paths.js';
import { bundleEntry, LOAD_THREAD_V8_FLAGS } from '../../src/runner/spawn.js';

export interface Load {
  baseUrl: string;
  path: string;
  method: 'GET' | 'POST';
  /** JSON text, sent with content-type application/json */
  body?: string;
  /** Bearer token for the Authorization header */
  token?: string;
  connections: number;
  durationSec: number;
  /** open model / rate-limited: total requests per second over all connections */
  ratePerSec?: number;
}

/**
 * The scenario's `engine` value for each of tailscope's engines, by the name the bench gives it: the one line to
 * change if the scenario's names change again.
 */
export const SCENARIO_ENGINE = { wire: 'wire', node: 'node', autocannon: 'autocannon' } as const;
export type TailscopeEngine = keyof typeof SCENARIO_ENGINE;

/**
 * Seconds of warm-up before tailscope's measured load (the scenario's `warmup`): the first second's JIT lifts
 * p99, and a short scenario run defaults to the same 2 s. The socket floor keeps out the same span, so the two
 * compare like with like; wrk, compiled C, has nothing to warm but its connections.
 */
export const TAILSCOPE_WARMUP_SEC: number | undefined = 2;

/** tailscope as each row of the tables runs it: an engine and a worker count (undefined: the scenario default). */
export const TAILSCOPE_TOOLS = {
  'tailscope-wire': { engine: 'wire', workers: 1 },
  'tailscope-wire-default': { engine: 'wire', workers: undefined },
  'tailscope-node': { engine: 'node', workers: 1 },
  'tailscope-autocannon': { engine: 'autocannon', workers: 1 },
} as const satisfies Record<string, { engine: TailscopeEngine; workers: number | undefined }>;
export type TailscopeTool = keyof typeof TAILSCOPE_TOOLS;

export type ToolName = TailscopeTool | 'autocannon' | 'wrk' | 'hey' | 'locust' | 'socket-floor';

export interface ToolRun extends Measured {
  tool: ToolName;
  /** the command line as run (token elided) */
  command: string;
  /** tailscope only: latency from the actual send time, and whether the run judged itself valid */
  uncorrected?: { p50Ms: number; p95Ms: number; p99Ms: number; p999Ms: number };
  /** tailscope only */
  p95Ms?: number;
  valid?: boolean;
  reasons?: string[];
  resultBytes?: number;
  pid?: number;
}

export interface RunOptions {
  core: string | undefined;
  /** a unique label for files written under bench/out */
  label: string;
  /** called with the pid of the load process once it is spawned (for RSS sampling) */
  onPid?: (pid: number) => void;
  /** tailscope and the socket floor: flags for node itself (e.g. --cpu-prof), which NODE_OPTIONS may not carry */
  nodeFlags?: string[];
  /** tailscope and the socket floor: environment added to the load process's own (e.g. where a preload writes) */
  env?: NodeJS.ProcessEnv;
}

const SLACK_MS = 60_000;

export async function runTool(tool: ToolName, load: Load, options: RunOptions): Promise<ToolRun> {
  switch (tool) {
    case 'tailscope-wire':
    case 'tailscope-wire-default':
    case 'tailscope-node':
    case 'tailscope-autocannon':
      return runTailscope(tool, load, options);
    case 'socket-floor':
      return runSocketFloor(load, options);
    case 'autocannon':
      return runAutocannon(load, options);
    case 'wrk':
      return runWrk(load, options);
    case 'hey':
      return runHey(load, options);
    case 'locust':
      return runLocust(load, options);
  }
}

function limitMs(load: Load): number {
  return (load.durationSec + (TAILSCOPE_WARMUP_SEC ?? 0)) * 1000 + SLACK_MS;
}

function failIfBad(tool: string, finished: Finished): void {
  if (finished.code !== 0)
    throw new Error(`${tool} exited with ${finished.code}:\n${finished.stderr.slice(-2000)}\n${finished.stdout.slice(-2000)}`);
}

function shown(args: string[], token: string | undefined): string {
  const text = args.map((a) => (/[\s"'{}$]/.test(a) ? `'${a}'` : a)).join(' ');
  return token ? text.replaceAll(token, '$TOKEN') : text;
}

// ---- tailscope, through its CLI; `workers: 1` is the fair match for single-process peers

export function tailscopeScenario(tool: TailscopeTool, load: Load, name: string): object {
  const { engine, workers } = TAILSCOPE_TOOLS[tool];
  const request: Record<string, unknown> = { name: 'bench', method: load.method, path: load.path };
  if (load.body !== undefined) request.json = JSON.parse(load.body);
  const hold = `${load.durationSec}s`;
  return {
    name,
    target: { url: load.baseUrl },
    ...(load.token ? { auth: { header: { name: 'authorization', value: `Bearer ${load.token}` } } } : {}),
    requests: [request],
    client: { poolSize: load.connections },
    load:
      load.ratePerSec !== undefined ? { open: [{ hold, rate: load.ratePerSec }] } : { closed: [{ hold, concurrency: load.connections }] },
    ...(TAILSCOPE_WARMUP_SEC !== undefined ? { warmup: `${TAILSCOPE_WARMUP_SEC}s` } : {}),
    ...(workers !== undefined ? { workers } : {}),
    engine: SCENARIO_ENGINE[engine],
  };
}

async function runTailscope(tool: TailscopeTool, load: Load, options: RunOptions): Promise<ToolRun> {
  const { workers } = TAILSCOPE_TOOLS[tool];
  const dir = join(OUT, 'runs', options.label);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const scenarioFile = join(dir, 'scenario.json');
  await writeFile(scenarioFile, JSON.stringify(tailscopeScenario(tool, load, options.label), null, 2));
  const args = [
    ...(options.nodeFlags ?? []),
    'src/cli/main.ts',
    'run',
    scenarioFile,
    '--out',
    dir,
    '--quiet',
    ...(workers !== undefined ? ['--workers', String(workers)] : []),
  ];
  const finished = await runCommand(TSX, args, {
    core: options.core,
    limitMs: limitMs(load),
    cwd: REPO,
    env: options.env,
    onSpawn: (child) => child.pid !== undefined && options.onPid?.(child.pid),
  });
  // Exit 3 means the run judged itself invalid (a saturated generator): expected when measuring its ceiling.
  if (finished.code !== 0 && finished.code !== 3) failIfBad(tool, finished);
  const text = await readFile(join(dir, 'result.json'), 'utf8');
  const result = JSON.parse(text) as TailscopeResult;
  const t = result.totals;
  return {
    tool,
    command: `tsx ${shown(args, load.token).replace(REPO, '')}  # scenario: ${JSON.stringify(tailscopeScenario(tool, { ...load, token: load.token ? '$TOKEN' : undefined }, 'bench'))}`,
    rps: t.throughput,
    requests: t.requests,
    warmupRequests: result.warmup?.requests ?? 0,
    errors: t.errors,
    p50Ms: t.latency.p50,
    p90Ms: t.latency.p90,
    p99Ms: t.latency.p99,
    p999Ms: t.latency.p999,
    p95Ms: t.latency.p95,
    ...(t.latencyUncorrected && {
      uncorrected: {
        p50Ms: t.latencyUncorrected.p50,
        p95Ms: t.latencyUncorrected.p95,
        p99Ms: t.latencyUncorrected.p99,
        p999Ms: t.latencyUncorrected.p999,
      },
    }),
    valid: result.health.valid,
    reasons: result.health.reasons,
    resultBytes: Buffer.byteLength(text),
  };
}

interface TailscopeResult {
  totals: {
    throughput: number;
    requests: number;
    errors: number;
    latency: { p50: number; p90: number; p95: number; p99: number; p999: number };
    latencyUncorrected?: { p50: number; p95: number; p99: number; p999: number };
  };
  health: { valid: boolean; reasons: string[] };
  warmup?: { requests: number };
}

// ---- peers

async function runAutocannon(load: Load, options: RunOptions): Promise<ToolRun> {
  const args = ['-c', String(load.connections), '-d', String(load.durationSec), '-j'];
  if (load.method !== 'GET') args.push('-m', load.method);
  if (load.body !== undefined) args.push('-H', 'content-type=application/json', '-b', load.body);
  if (load.token) args.push('-H', `authorization=Bearer ${load.token}`);
  if (load.ratePerSec !== undefined) args.push('-R', String(load.ratePerSec));
  args.push(load.baseUrl + load.path);
  const finished = await runCommand(AUTOCANNON, args, { core: options.core, limitMs: limitMs(load) });
  failIfBad('autocannon', finished);
  return { tool: 'autocannon', command: `autocannon ${shown(args, load.token)}`, ...parseAutocannon(finished.stdout) };
}

async function runWrk(load: Load, options: RunOptions): Promise<ToolRun> {
  if (load.ratePerSec !== undefined) throw new Error('wrk (4.x) has no rate option');
  // The script sets the method and body and prints p99.9 at the end; it defines no per-request hook.
  const args = ['-t1', `-c${load.connections}`, `-d${load.durationSec}s`, '--latency', '-s', join(REPO, 'bench/peers/wrk.lua')];
  args.push(load.baseUrl + load.path);
  const env = { BENCH_METHOD: load.method, BENCH_BODY: load.body ?? '', BENCH_TOKEN: load.token ?? '' };
  const finished = await runCommand('wrk', args, { core: options.core, limitMs: limitMs(load), env });
  failIfBad('wrk', finished);
  return { tool: 'wrk', command: `wrk ${shown(args, load.token).replace(REPO, '')}`, ...parseWrk(finished.stdout) };
}

/**
 * The floor a Node client can reach: `bench/peers/socket-floor.ts`, a bare `net.Socket` loop, run through tsx
 * like tailscope, with the V8 flags of its load threads, and pinned like every peer. It keeps out the same
 * warm-up span tailscope's scenario does.
 */
async function runSocketFloor(load: Load, options: RunOptions): Promise<ToolRun> {
  if (load.ratePerSec !== undefined) throw new Error('the socket floor is closed-model only');
  const args = [
    join(REPO, 'bench/peers/socket-floor.ts'),
    load.baseUrl + load.path,
    '--method',
    load.method,
    '--connections',
    String(load.connections),
    '--duration',
    String(load.durationSec),
    '--warmup',
    String(TAILSCOPE_WARMUP_SEC ?? 0),
  ];
  if (load.body !== undefined) args.push('--json', load.body);
  if (load.token) args.push('--token', load.token);
  // Without the load threads' heap setting, V8's memory reducer's full collections stalled the floor's own loop,
  // and its p99 read ~1 ms above tailscope's. Like tailscope's load, the loop runs as built JavaScript in a
  // worker thread: run through tsx on the main thread, its p99.9 read 2.0–2.5 ms above tailscope's own.
  args[0] = socketFloorBundle();
  args.push('--thread');
  const nodeArgs = [...LOAD_THREAD_V8_FLAGS, ...(options.nodeFlags ?? []), ...args];
  const finished = await runCommand(process.execPath, nodeArgs, {
    core: options.core,
    limitMs: limitMs(load),
    cwd: REPO,
    env: options.env,
  });
  failIfBad('socket-floor', finished);
  return {
    tool: 'socket-floor',
    command: `node ${shown(nodeArgs, load.token).replaceAll(REPO, '')}`,
    ...parseSocketFloor(finished.stdout),
  };
}

/** bench/peers/socket-floor.ts as one JavaScript file, bundled as tailscope bundles its load thread's entry. */
function socketFloorBundle(): string {
  const bundled = bundleEntry(join(REPO, 'bench/peers/socket-floor.ts'));
  if (bundled === undefined) throw new Error('socket-floor: could not bundle bench/peers/socket-floor.ts with esbuild');
  return bundled;
}

async function runHey(load: Load, options: RunOptions): Promise<ToolRun> {
  const args = ['-z', `${load.durationSec}s`, '-c', String(load.connections), '-m', load.method];
  if (load.body !== undefined) args.push('-T', 'application/json', '-d', load.body);
  if (load.token) args.push('-H', `Authorization: Bearer ${load.token}`);
  // hey's -q is a rate per worker (connection), not overall.
  if (load.ratePerSec !== undefined) args.push('-q', String(load.ratePerSec / load.connections));
  args.push(load.baseUrl + load.path);
  const finished = await runCommand('hey', args, { core: options.core, limitMs: limitMs(load) });
  failIfBad('hey', finished);
  return { tool: 'hey', command: `hey ${shown(args, load.token)}`, ...parseHey(finished.stdout) };
}

async function runLocust(load: Load, options: RunOptions): Promise<ToolRun> {
  if (load.ratePerSec !== undefined) throw new Error('locust is run closed-model only here');
  const n = String(load.connections);
  const args = [
    '-f',
    join(REPO, 'bench/peers/locustfile.py'),
    '--headless',
    '--users',
    n,
    '--spawn-rate',
    n,
    '--run-time',
    `${load.durationSec}s`,
    '--host',
    load.baseUrl,
    '--only-summary',
    '--loglevel',
    'WARNING',
  ];
  const env = { BENCH_METHOD: load.method, BENCH_PATH: load.path, BENCH_BODY: load.body ?? '', BENCH_TOKEN: load.token ?? '' };
  const finished = await runCommand('locust', args, { core: options.core, limitMs: limitMs(load), env });
  // Locust exits 1 when any request failed; the CSV still holds the counts.
  if (finished.code !== 0 && finished.code !== 1) failIfBad('locust', finished);
  const measured = parseLocustSummary(finished.stderr);
  return { tool: 'locust', command: `locust ${shown(args, load.token).replaceAll(REPO, '')}`, ...measured };
}
