/**
 * Memory and soak: tailscope at the highest open-model rate it sustains (found by a short calibration), for
 * 10 minutes, its RSS sampled every 5 s from /proc; then result.json's size at two rates a factor 2 apart over
 * the same duration, which should not differ (histograms, not samples). The 10-minute soak runs once.
 *
 *   npm run bench:soak [-- --quick] [-- --rate N] [-- --from-raw  (re-render RESULTS.md from bench/out/soak.json)]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchOptions, log } from './lib/options.js';
import { OUT } from './lib/paths.js';
import { describeMachine, loadAverage, machineLines } from './lib/machine.js';
import { corePlan, sleep } from './lib/proc.js';
import { waitForQuiet, type QuietReport } from './lib/quiet.js';
import { table, writeRaw, writeSection } from './lib/report.js';
import { rssKiB, workingProcess } from './lib/rss.js';
import { fetchToken, startMock } from './lib/servers.js';
import { fmt, fmtInt } from './lib/stats.js';
import { runTool, SCENARIO_ENGINE, type Load, type ToolRun } from './lib/tools.js';
import { GENERATE_BODY, quietNote } from './throughput.js';

const SAMPLE_EVERY_MS = 5_000;
const CONNECTIONS = 100;
const CANDIDATE_RATES = [2000, 3000, 4000, 5000, 6000, 8000, 10000];

interface RssSample {
  atSec: number;
  rssMiB: number;
}

export async function soakBenchmark(argv: readonly string[]): Promise<void> {
  const options = benchOptions(argv, { runs: 1 });
  if (argv.includes('--from-raw') || argv.includes('--sizes-only')) {
    // Re-render the section from the last run's raw file (bench/out/soak.json), without running again.
    const raw = JSON.parse(await readFile(join(OUT, 'soak.json'), 'utf8')) as Parameters<typeof render>[0] & {
      quiet?: QuietReport;
      quietText?: string;
      cores: { note: string };
    };
    if (argv.includes('--sizes-only')) {
      // Only the size comparison again, against a fresh mock; the soak figures stay those of the raw file.
      const cores = corePlan();
      const sizeSec = options.quick ? 10 : 30;
      const server = await startMock('fast', cores.target);
      try {
        const token = await fetchToken(server.url);
        raw.sizes = await sizeRuns(
          (ratePerSec, durationSec) => ({
            baseUrl: server.url,
            path: '/v1/generate',
            method: 'POST',
            body: GENERATE_BODY,
            token,
            connections: CONNECTIONS,
            durationSec,
            ratePerSec,
          }),
          raw.rate,
          sizeSec,
          cores.generator,
        );
      } finally {
        await server.stop();
      }
      raw.sizeSec = sizeSec;
      raw.sizesAt = new Date().toISOString();
      await writeRaw('soak', raw);
    }
    const quietText =
      raw.quietText ?? (raw.quiet ? quietNote(raw.quiet) : 'how long the run waited for a quiet machine is not in its raw file');
    await writeSection(
      'soak',
      render({
        ...raw,
        quietText,
        coresText: raw.cores.note,
        quick: raw.soakSec < 600,
        calibrateSec: raw.soakSec < 600 ? 4 : 10,
        sizeSec: raw.sizeSec,
      }),
    );
    return;
  }
  const rateArg = argv.includes('--rate') ? Number(argv[argv.indexOf('--rate') + 1]) : undefined;
  const cores = corePlan();
  const soakSec = options.quick ? 60 : 600;
  const calibrateSec = options.quick ? 4 : 10;
  const sizeSec = options.quick ? 10 : 30;
  const quiet = options.noWait
    ? undefined
    : await waitForQuiet({ below: 0.7, pollSec: 30, maxWaitSec: Number(process.env.BENCH_MAX_WAIT_SEC ?? 2400), log });
  const loadAtStart = loadAverage();
  const machine = describeMachine();
  const began = new Date().toISOString();
  const server = await startMock('fast', cores.target);
  try {
    const token = await fetchToken(server.url);
    const load = (ratePerSec: number, durationSec: number): Load => ({
      baseUrl: server.url,
      path: '/v1/generate',
      method: 'POST',
      body: GENERATE_BODY,
      token,
      connections: CONNECTIONS,
      durationSec,
      ratePerSec,
    });

    // Calibration: the highest candidate rate delivered in full (≥ 98%), without errors, by a valid run.
    const calibration: { rate: number; run: ToolRun; sustained: boolean }[] = [];
    let rate = rateArg;
    if (rate === undefined) {
      for (const candidate of CANDIDATE_RATES) {
        const run = await runTool('tailscope-wire', load(candidate, calibrateSec), {
          core: cores.generator,
          label: `soak-calibrate-${candidate}`,
        });
        const sustained = run.rps >= 0.98 * candidate && run.errors === 0 && run.valid === true;
        calibration.push({ rate: candidate, run, sustained });
        log(
          `calibration ${candidate}/s: achieved ${fmtInt(run.rps)}/s, p99 ${fmt(run.p99Ms)} ms, valid ${run.valid} ${run.reasons?.join('; ') ?? ''}`,
        );
        if (!sustained) break;
        rate = candidate;
        await sleep(500);
      }
      rate ??= CANDIDATE_RATES[0]!;
    }

    // The soak itself, sampling the RSS of the process that runs the load.
    const samples: RssSample[] = [];
    let pid: number | undefined;
    const soakStart = performance.now();
    const sampler = setInterval(() => {
      if (pid === undefined) return;
      void (async () => {
        const worker = await workingProcess(pid);
        const kib = await rssKiB(worker);
        if (kib !== undefined) samples.push({ atSec: (performance.now() - soakStart) / 1000, rssMiB: kib / 1024 });
      })();
    }, SAMPLE_EVERY_MS);
    log(`soak at ${rate}/s for ${soakSec} s`);
    let soak: ToolRun;
    try {
      soak = await runTool('tailscope-wire', load(rate, soakSec), { core: cores.generator, label: 'soak', onPid: (p) => (pid = p) });
    } finally {
      clearInterval(sampler);
    }

    const { half, full } = await sizeRuns(load, rate, sizeSec, cores.generator);

    const data = {
      began,
      machine,
      cores,
      loadAtStart,
      quiet,
      quietText: quietNote(quiet),
      rate,
      soakSec,
      sizeSec,
      calibration,
      samples,
      soak,
      sizes: { half, full },
    };
    await writeRaw('soak', data);
    if (options.write) await writeSection('soak', render({ ...data, coresText: cores.note, quick: options.quick, calibrateSec }));
  } finally {
    await server.stop();
  }
}

/**
 * result.json size against request count: the same duration at a quarter and half the soak rate, a factor 2
 * apart and both well inside what the generator sustains, so the latency spread (which sets how many histogram
 * buckets are filled) stays alike and only the count doubles.
 */
async function sizeRuns(
  load: (ratePerSec: number, durationSec: number) => Load,
  rate: number,
  sizeSec: number,
  core: string | undefined,
): Promise<{ half: ToolRun; full: ToolRun }> {
  const half = await runTool('tailscope-wire', load(rate / 4, sizeSec), { core, label: 'soak-size-quarter' });
  const full = await runTool('tailscope-wire', load(rate / 2, sizeSec), { core, label: 'soak-size-half' });
  return { half, full };
}

function render(d: {
  began: string;
  machine: ReturnType<typeof describeMachine>;
  loadAtStart: number;
  quietText: string;
  coresText: string;
  quick: boolean;
  rate: number;
  soakSec: number;
  calibrateSec: number;
  sizeSec: number;
  /** set when the size comparison was run again on its own (--sizes-only) */
  sizesAt?: string;
  calibration: { rate: number; run: ToolRun; sustained: boolean }[];
  samples: RssSample[];
  soak: ToolRun;
  sizes: { half: ToolRun; full: ToolRun };
}): string {
  const afterFirstMinute = d.samples.filter((s) => s.atSec >= 60);
  const baseline = afterFirstMinute[0]?.rssMiB ?? NaN;
  const peakAfter = Math.max(...afterFirstMinute.map((s) => s.rssMiB));
  const last = d.samples[d.samples.length - 1]?.rssMiB ?? NaN;
  const growth = peakAfter - baseline;
  const every = Math.max(1, Math.round(d.samples.length / 20));
  const series = d.samples
    .filter((_, i) => i % every === 0 || i === d.samples.length - 1)
    .map((s) => `${Math.round(s.atSec)} s: ${fmt(s.rssMiB, 0)}`)
    .join(' · ');
  const lines: string[] = [];
  lines.push('## 4. Memory and soak', '');
  lines.push(
    `Run ${d.began} with \`npm run bench:soak${d.quick ? ' -- --quick' : ''}\`${d.quick ? ' (QUICK MODE: a 60 s soak, not the 10-minute one)' : ''}: tailscope \`engine: ${SCENARIO_ENGINE.wire}\`, \`workers: 1\`, open model against the mock (\`fast\`), ${CONNECTIONS}-socket pool. The ${fmtInt(d.soakSec / 60)}-minute soak ran once.`,
  );
  lines.push(...machineLines(d.machine, d.loadAtStart, d.quietText));
  lines.push(`- ${d.coresText}.`, '');
  if (d.calibration.length > 0) {
    lines.push(
      `Calibration (${d.calibrateSec} s per rate; sustained = ≥ 98% of the rate delivered, no errors, run valid by its own health check):`,
      '',
    );
    lines.push(
      table(
        ['rate/s', 'achieved/s', 'p99 ms', 'valid', 'sustained'],
        d.calibration.map((c) => [String(c.rate), fmtInt(c.run.rps), fmt(c.run.p99Ms), String(c.run.valid), c.sustained ? 'yes' : 'no']),
      ),
      '',
    );
  }
  lines.push(
    `Soak at **${fmtInt(d.rate)} requests/s** for ${d.soakSec} s: ${fmtInt(d.soak.requests)} requests, achieved ${fmtInt(d.soak.rps)}/s, ${d.soak.errors} errors, p50 ${fmt(d.soak.p50Ms)} ms, p99 ${fmt(d.soak.p99Ms)} ms, run valid: ${d.soak.valid}${d.soak.reasons?.length ? ` (${d.soak.reasons.join('; ')})` : ''}.`,
    '',
  );
  lines.push(`RSS of the tailscope process (MiB), every ${SAMPLE_EVERY_MS / 1000} s (shown thinned): ${series}.`, '');
  lines.push(
    `RSS at 60 s: ${fmt(baseline, 1)} MiB; highest after 60 s: ${fmt(peakAfter, 1)} MiB; at the end: ${fmt(last, 1)} MiB. Growth after the first minute: **${fmt(growth, 1)} MiB** — goal < 20 MB: ${growth < 20 ? 'met ✅' : 'missed ❌'}.`,
    '',
  );
  const { half, full } = d.sizes;
  lines.push(
    `result.json size against request count (${d.sizeSec} s each, at a quarter and half the soak rate${d.sizesAt ? `; run ${d.sizesAt} with \`npm run bench:soak -- --sizes-only\`` : ''}):`,
    '',
  );
  lines.push(
    table(
      ['rate/s', 'requests', 'result.json bytes'],
      [
        [fmtInt(half.requests / d.sizeSec), fmtInt(half.requests), fmtInt(half.resultBytes ?? NaN)],
        [fmtInt(full.requests / d.sizeSec), fmtInt(full.requests), fmtInt(full.resultBytes ?? NaN)],
      ],
    ),
    '',
  );
  const sizeRatio = (full.resultBytes ?? NaN) / (half.resultBytes ?? NaN);
  const perRequest = (run: ToolRun) => (run.resultBytes ?? NaN) / run.requests;
  lines.push(
    `Twice the requests, ${fmt(sizeRatio)}× the bytes (${fmt(perRequest(half), 2)} → ${fmt(perRequest(full), 2)} bytes per request). result.json holds histograms, not samples: its size follows the run's length (one set of interval histograms per ${'second'}) and how many histogram buckets the latencies occupy — here p99 ${fmt(half.p99Ms)} → ${fmt(full.p99Ms)} ms — not the request count. The ${d.soakSec} s soak (${fmtInt(d.soak.requests)} requests) wrote ${fmtInt(d.soak.resultBytes ?? NaN)} bytes, ${fmtInt((d.soak.resultBytes ?? NaN) / d.soakSec)} bytes per second of run.`,
    '',
  );
  lines.push(
    `Goal (size independent of request count): ${sizeRatio < 1.1 ? 'met ✅' : `not met as stated ❌ — bounded by buckets and duration, but ${fmt(sizeRatio)}× here`}.`,
    '',
  );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await soakBenchmark(process.argv.slice(2));
}
