/**
 * Process plumbing for the benchmarks: start servers and load tools pinned to a core, wait for a port, run a
 * command to its end with a hard time limit. Every child is bounded in time; every server is stopped by pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import os from 'node:os';

/** On two or more cores the target gets core 0 and the load generator core 1, so neither steals the other's. */
export interface CorePlan {
  target?: string;
  generator?: string;
  note: string;
}

export function corePlan(): CorePlan {
  const cores = os.cpus().length;
  if (cores >= 2 && hasCommand('taskset')) {
    return { target: '0', generator: '1', note: `target pinned to core 0, load generator to core 1 (taskset); ${cores} cores` };
  }
  return { note: `not pinned (${cores} core(s)${hasCommand('taskset') ? '' : ', no taskset'})` };
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Prefixes a command with `taskset -c CORE` when a core is given. */
export function pinned(core: string | undefined, command: string, args: string[]): [string, string[]] {
  return core === undefined ? [command, args] : ['taskset', ['-c', core, command, ...args]];
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** Runs a command to its end; kills it (SIGKILL after SIGTERM) when it outlives `limitMs`. */
export function runCommand(
  command: string,
  args: string[],
  options: { core?: string; limitMs: number; env?: NodeJS.ProcessEnv; cwd?: string; onSpawn?: (child: ChildProcess) => void },
): Promise<Finished> {
  const [cmd, argv] = pinned(options.core, command, args);
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
    }, options.limitMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: performance.now() - began });
    });
  });
}

export interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts a long-running server process and resolves once `probeUrl` answers (any status). */
export async function startServer(
  command: string,
  args: string[],
  options: { core?: string; probeUrl: string; url: string; env?: NodeJS.ProcessEnv; cwd?: string; readyLimitMs?: number },
): Promise<Server> {
  const [cmd, argv] = pinned(options.core, command, args);
  const child = spawn(cmd, argv, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(killer);
  };
  const deadline = performance.now() + (options.readyLimitMs ?? 20_000);
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}: ${stderr}`);
    try {
      await fetch(options.probeUrl, { signal: AbortSignal.timeout(1_000) });
      return { url: options.url, pid: child.pid!, stop };
    } catch {
      await sleep(100);
    }
  }
  await stop();
  throw new Error(`${command} did not answer at ${options.probeUrl} in time: ${stderr}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free TCP port on loopback, chosen by the kernel. */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
