/**
 * The capacity search against ground truth. First the mock with 4 service slots and a fixed 50 ms service, whose
 * capacity is 4 / 50 ms = 80 requests/s exactly (constant arrivals: nothing waits below it), searched with a
 * 200 ms p99 on three seeds: the capacity must land in 72–84 req/s, each search in under three minutes. Then the
 * `saturating` profile (lognormal service, 4 slots, a queue of 64 then 503s), where there is no closed form: the
 * search's capacity beside the best load within the SLO of a hand-written step run with steps 5% apart.
 *
 *   npm run bench:search [-- --quick] [-- --no-wait]
 */
import { stringify } from 'yaml';
import { parseScenario } from '../src/scenario/read.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { analyze } from '../src/analysis/analyze.js';
import type { RunResult } from '../src/result/types.js';
import { benchOptions, log } from './lib/options.js';
import { describeMachine, loadAverage, machineLines } from './lib/machine.js';
import { waitForQuiet } from './lib/quiet.js';
import { table, writeRaw, writeSection } from './lib/report.js';

const SEEDS = [1, 2, 3];
const TRUE_CAPACITY = 80;
const BAND = { low: 72, high: 84 };
const TIME_LIMIT_S = 180;
const SATURATING_STEPS = [60, 63, 66, 69.5, 73, 76.5, 80, 84, 88, 92.5, 97];

const auth = { oauth2: { tokenUrl: '/oauth/token', clientId: 'demo', clientSecret: 'demo-secret' } };
const request = { name: 'generate', method: 'POST', path: '/v1/generate', json: { prompt: 'ping', max_tokens: 8, temperature: 0 } };
const fixedProfile = {
  name: 'slots-4-fixed-50ms',
  seed: 1,
  capacity: { slots: 4 },
  generate: { latency: '50ms', ttft: '50ms', interToken: '0ms' },
};

function scenario(profile: unknown, seed: number, load: object, slo: object) {
  return {
    name: 'bench-search',
    target: { mock: { profile, seed } },
    auth,
    requests: [request],
    // An overloaded probe queues in the client (its latency still counts from the intended send time) rather
    // than opening hundreds of sockets: 16 connections saturate 4 slots.
    client: { poolSize: 16 },
    load,
    slo,
    interval: '250ms',
    workers: 1,
  };
}

async function run(object: object): Promise<{ result: RunResult; seconds: number }> {
  const began = performance.now();
  const result = await runScenario(parseScenario(stringify(object), 'bench-search.yaml', {}), {
    onProbe: (p) => log(`  probe ${p.probe}: ${p.load}/s ${p.verdict} — ${p.reason}`),
  });
  return { result, seconds: (performance.now() - began) / 1000 };
}

async function main(): Promise<void> {
  const options = benchOptions(process.argv.slice(2), { runs: 1 });
  const quiet = options.noWait
    ? { waitedSec: 0, load: loadAverage(), quiet: loadAverage() < 0.7 }
    : await waitForQuiet({ below: 0.7, pollSec: 30, maxWaitSec: Number(process.env.BENCH_MAX_WAIT_SEC ?? 2400), log });
  const hold = options.quick ? '2s' : '3s';
  const search = { from: 10, to: 1000, hold, precision: '5%', sweep: 0 };

  const fixedRows: string[][] = [];
  const raw: unknown[] = [];
  for (const seed of SEEDS) {
    log(`fixed 50 ms × 4 slots, seed ${seed}`);
    const { result, seconds } = await run(scenario(fixedProfile, seed, { search }, { p99: '200ms' }));
    const atSlo = analyze(result).capacity.atSlo!;
    const ok = atSlo.load !== undefined && atSlo.load >= BAND.low && atSlo.load <= BAND.high && seconds < TIME_LIMIT_S;
    log(`  ${atSlo.sentence} in ${seconds.toFixed(0)} s`);
    raw.push({ seed, seconds, atSlo, health: result.health.reasons });
    fixedRows.push([
      String(seed),
      atSlo.load !== undefined ? atSlo.load.toFixed(1) : '–',
      `${atSlo.passedAt ?? '–'} / ${atSlo.failedAt ?? '–'}`,
      String(atSlo.probes.length),
      seconds.toFixed(0),
      ok ? 'yes' : 'no',
    ]);
  }

  log('saturating: search');
  const saturatingSlo = { p99: '300ms', errorRate: '1%' };
  const searched = await run(scenario('saturating', 7, { search }, saturatingSlo));
  const searchedAt = analyze(searched.result).capacity.atSlo!;
  log(`  ${searchedAt.sentence}`);
  log('saturating: hand-written steps');
  const stepped = await run(
    scenario('saturating', 7, { open: [{ steps: SATURATING_STEPS, each: options.quick ? '2s' : '4s' }] }, saturatingSlo),
  );
  const points = analyze(stepped.result).capacity.points;
  // The steps as a hand would read them: the highest load whose stage kept the SLO, below any that broke it.
  const firstBroken = points.find((p) => !p.withinSlo)?.load ?? Infinity;
  const best = Math.max(...points.filter((p) => p.withinSlo && p.load < firstBroken).map((p) => p.load));
  const agreement = searchedAt.load !== undefined ? Math.abs(searchedAt.load - best) / best : NaN;
  raw.push({
    saturating: { atSlo: searchedAt, seconds: searched.seconds, steps: points.map((p) => [p.load, p.p99Ms, p.errorRate, p.withinSlo]) },
  });
  await writeRaw('search', raw);

  const lines = [
    '## 7. Capacity search',
    '',
    `Written by \`npm run bench:search\`${options.quick ? ' (--quick)' : ''}. Each probe held ${hold} after its settle, precision 5%, 250 ms intervals, one worker.`,
    '',
    ...machineLines(describeMachine(), quiet.load, quiet.quiet ? '' : 'the machine never got quiet: timings are noisy'),
    '',
    `Mock with 4 slots and a fixed 50 ms service (capacity ${TRUE_CAPACITY} req/s), p99 SLO 200 ms, constant arrivals; goal: capacity within ${BAND.low}–${BAND.high} req/s in under ${TIME_LIMIT_S / 60} minutes.`,
    '',
    table(['seed', 'capacity (req/s)', 'pass / fail at', 'probes', 'seconds', 'goal met'], fixedRows),
    '',
    `\`saturating\` profile (seed 7), SLO p99 300 ms and 1% errors: the search said "${searchedAt.sentence}" (${searched.seconds.toFixed(0)} s); the step run (${SATURATING_STEPS.join(', ')} req/s) kept the SLO up to ${best} req/s: ${Number.isFinite(agreement) ? `${(agreement * 100).toFixed(1)}% apart` : 'no capacity to compare'} (precision 5%, steps about 5% apart).`,
    '',
  ];
  if (options.write) await writeSection('search', lines.join('\n'));
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
