/**
 * Every benchmark in turn, after one wait for a quiet machine: `npm run bench`. Each writes its own section of
 * RESULTS.md as it finishes, so a run cut short keeps what it measured.
 */
import { log } from './lib/options.js';
import { waitForQuiet } from './lib/quiet.js';
import { quietNote } from './throughput.js';
import { accuracyBenchmark } from './accuracy.js';
import { coBenchmark } from './co.js';
import { mockCeilingBenchmark } from './mock-ceiling.js';
import { profileBenchmark } from './profile.js';
import { garbageBenchmark } from './garbage.js';
import { soakBenchmark } from './soak.js';
import { throughputBenchmark } from './throughput.js';

const argv = process.argv.slice(2);
if (!argv.includes('--quick') && !argv.includes('--no-wait')) {
  const quiet = await waitForQuiet({ below: 0.7, pollSec: 30, maxWaitSec: Number(process.env.BENCH_MAX_WAIT_SEC ?? 2400), log });
  // Later benchmarks start right after earlier ones, whose own load the load average still shows.
  process.env.BENCH_QUIET_NOTE = `before the series (npm run bench): ${quietNote(quiet)}; each benchmark starts right after the previous one, whose own load the figure above still includes`;
}
for (const [name, bench] of [
  ['mock ceiling', mockCeilingBenchmark],
  ['throughput', throughputBenchmark],
  ['accuracy', accuracyBenchmark],
  ['coordinated omission', coBenchmark],
  ['profile', profileBenchmark],
  ['garbage', garbageBenchmark],
  ['soak', soakBenchmark],
] as const) {
  log(`--- ${name}`);
  await bench([...argv, '--no-wait']);
}
