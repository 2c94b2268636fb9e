/** What the numbers were measured on: cores, CPU, Node and every tool's version, and how busy the machine was. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { hasCommand } from './proc.js';
import { AUTOCANNON, REPO } from './paths.js';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  tailscope: string;
  tools: Record<string, string>;
}

function firstLine(command: string, args: string[]): string {
  const out = spawnSync(command, args, { encoding: 'utf8' });
  return `${out.stdout ?? ''}${out.stderr ?? ''}`.trim().split('\n')[0] ?? '?';
}

function debVersion(pkg: string): string {
  const out = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : 'not installed';
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  const pkg = JSON.parse(readFileSync(`${REPO}/package.json`, 'utf8')) as { version: string };
  const autocannonPkg = JSON.parse(readFileSync(`${REPO}/node_modules/autocannon/package.json`, 'utf8')) as { version: string };
  void AUTOCANNON;
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    tailscope: pkg.version,
    tools: {
      autocannon: autocannonPkg.version,
      wrk: hasCommand('wrk') ? debVersion('wrk') : 'not installed',
      hey: hasCommand('hey') ? debVersion('hey') : 'not installed',
      nginx: hasCommand('nginx') ? firstLine('nginx', ['-v']).replace('nginx version: ', '') : 'not installed',
      locust: hasCommand('locust') ? debVersion('python3-locust') : 'not installed',
    },
  };
}

export function loadAverage(): number {
  return os.loadavg()[0]!;
}

export function machineLines(machine: Machine, loadAtStart: number, note: string): string[] {
  const tools = Object.entries(machine.tools)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `- Machine: ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, Linux ${machine.kernel}`,
    `- Node ${machine.node}, tailscope ${machine.tailscope}; peers: ${tools}`,
    `- 1-minute load average at start: ${loadAtStart.toFixed(2)}${note ? ` — ${note}` : ''}`,
  ];
}
