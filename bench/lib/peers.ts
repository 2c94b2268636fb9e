/** The benchmarks need Debian's peers; say exactly how to get any that are missing, then stop. */
import { hasCommand } from './proc.js';

const PACKAGE_OF: Record<string, string> = {
  wrk: 'wrk',
  hey: 'hey',
  nginx: 'nginx-light',
  locust: 'python3-locust',
  ab: 'apache2-utils',
  taskset: 'util-linux',
};

export function requirePeers(commands: readonly string[]): void {
  const missing = commands.filter((c) => !hasCommand(c));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((c) => PACKAGE_OF[c] ?? c))].join(' ');
  process.stderr.write(`missing: ${missing.join(', ')}\ninstall them with:\n  apt-get update && apt-get install -y ${packages}\n`);
  process.exit(2);
}
