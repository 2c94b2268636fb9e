import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMockServer } from '../../mock-server/index.js';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { mergeEncoded } from '../../src/shared/histogram.js';
import type { RunResult } from '../../src/result/types.js';
import { fakeIo } from '../helpers/fake-io.js';
import { probeTimerLateness } from '../helpers/timer-lateness.js';
import { natsServerPath, startNatsServer, type NatsServer } from '../helpers/nats-server.js';

const NATS = natsServerPath();
// CI installs nats-server (.ci/run): there these tests must run. Elsewhere they skip, saying why.
const skip = !NATS && !process.env.CI;
if (skip) console.warn('skipping the live multi-machine tests: nats-server is not installed (apt-get install nats-server)');

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'tailscope.js');

/** tailscope in a process of its own, so that a test can kill it as a machine dies (SIGKILL: no goodbye). */
function child(args: string[]) {
  const proc = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
  let output = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => void (output += chunk));
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => void (output += chunk));
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  return { kill: () => proc.kill('SIGKILL'), exited, output: () => output };
}

/** Polls until `ready()` holds; returns the moment it first did (performance.now()). */
async function when(ready: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (!ready()) {
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now();
}

/** The start time the coordinator announced, as a performance.now() on this machine. */
function announcedStart(stderr: string): number | undefined {
  const match = /the run starts at (\S+)/.exec(stderr);
  return match ? Date.parse(match[1]!) - performance.timeOrigin : undefined;
}

const read = async <T = RunResult>(path: string) => JSON.parse(await readFile(path, 'utf8')) as T;
const served = (server: RunningMockServer) =>
  Object.values(server.stats().byRoute['/v1/generate'] ?? {}).reduce((a: number, b) => a + b, 0);

interface FleetJson {
  startSpreadMs: number | null;
  liveRequests: number;
  lost: number[];
  shards: {
    shard: number;
    clockOffsetMs?: number;
    snapshots: number;
    snapshotsMissing: number[];
    duplicates: number;
    lost?: { afterStartMs: number };
  }[];
}

async function scenarioFile(dir: string, url: string, extra = '', load = '{ closed: [{ hold: 2s, concurrency: 8 }] }') {
  const file = join(dir, 'fleet.yaml');
  await writeFile(
    file,
    `name: fleet
target: { url: "${url}" }
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: demo-secret }
requests: [{ name: generate, method: POST, path: /v1/generate, json: { prompt: p, max_tokens: 4, temperature: 0 } }]
load: ${load}
interval: 500ms
warmup: 0s
workers: 1
${extra}`,
  );
  return file;
}

describe.skipIf(skip)('a live run over NATS JetStream', () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await startNatsServer(NATS!);
  });
  afterAll(async () => {
    await nats?.close();
  });

  // The tests run side by side (one broker, each its own run id and mock) to keep the file short; timings they
  // assert are measured within each test, against its own events.
  it.concurrent(
    'starts four generators together and merges their live snapshots into one exact result',
    async () => {
      const server = await startMockServer({ profile: { name: 'steady', generate: { latency: '10ms' } } });
      try {
        const dir = await mkdtemp(join(tmpdir(), 'tailscope-fleet-'));
        const scenario = await scenarioFile(dir, server.url, 'thresholds: ["p99 < 2s"]\n');
        const coordinatorIo = fakeIo(dir);
        const coordinator = runCli(
          [
            'coordinate',
            scenario,
            '--nats',
            nats.url,
            '--generators',
            '4',
            '--out',
            join(dir, 'whole'),
            '--run-id',
            'four',
            '--start-lead',
            '1',
          ],
          coordinatorIo.io,
        );
        const ios = [0, 1, 2, 3].map(() => fakeIo(dir));
        const generators = await Promise.all(
          [0, 1, 2, 3].map((i) =>
            runCli(
              ['run', scenario, '--nats', nats.url, '--run-id', 'four', '--shard', `${i}/4`, '--out', join(dir, `gen-${i}`), '--quiet'],
              ios[i]!.io,
            ),
          ),
        );
        const all = [coordinatorIo, ...ios].map((i) => i.stdout() + i.stderr()).join('\n---\n');
        const code = await coordinator;
        for (const i of [0, 1, 2, 3]) {
          const own = await read(join(dir, `gen-${i}`, 'result.json'));
          expect(generators[i], all).toBe(own.health.valid ? EXIT.ok : EXIT.invalidRun);
        }

        const whole = await read(join(dir, 'whole', 'result.json'));
        const parts = await Promise.all([0, 1, 2, 3].map((i) => read(join(dir, 'whole', 'shards', String(i), 'result.json'))));
        const fleet = await read<FleetJson>(join(dir, 'whole', 'fleet.json'));
        // The mock's own count is the truth: every request it served is in the merged result, once.
        expect(whole.totals.requests).toBe(served(server));
        expect(fleet.liveRequests).toBe(whole.totals.requests);
        expect(fleet.shards.every((s) => s.duplicates === 0)).toBe(true);
        // Exact: the merged percentiles are those of one histogram of all four shards' requests.
        const added = mergeEncoded(parts.map((p) => p.histograms.total!));
        expect(whole.totals.latency.p99).toBe(added.getValueAtPercentile(99) / 1000);
        expect(whole.totals.latency.p50).toBe(added.getValueAtPercentile(50) / 1000);
        // Validity also weighs each generator's own health (CPU, event loop), which a shared 2-core machine running
        // five processes' worth of work may fail: the exit code must agree with it, and no generator may be lost.
        expect(whole.health.reasons.filter((r) => /lost/.test(r))).toEqual([]);
        expect(code, all).toBe(whole.health.valid ? EXIT.ok : EXIT.invalidRun);
        // Each generator measures its own start in the coordinator's clock; on one machine they agree to a few ms.
        expect(fleet.startSpreadMs).not.toBeNull();
        expect(fleet.startSpreadMs!).toBeLessThanOrEqual(50);
        expect(fleet.shards.every((s) => s.clockOffsetMs !== undefined && Math.abs(s.clockOffsetMs) < 50)).toBe(true);
        expect(coordinatorIo.stderr()).toMatch(/^\[\s+\d+s\] .* req\/s/m);
        // The secret stays with each process: nothing the coordinator heard or wrote carries it.
        for (const name of ['result.json', 'fleet.json', 'index.html'])
          expect(await readFile(join(dir, 'whole', name), 'utf8')).not.toContain('demo-secret');
      } finally {
        await server.close();
      }
    },
    60_000,
  );
  it.concurrent(
    'reports a generator killed mid-run as lost within 5 s, by shard, and lets the others finish',
    async () => {
      const server = await startMockServer({ profile: { name: 'steady', generate: { latency: '10ms' } } });
      const dir = await mkdtemp(join(tmpdir(), 'tailscope-fleet-kill-'));
      const scenario = await scenarioFile(dir, server.url, '', '{ closed: [{ hold: 3s, concurrency: 3 }] }');
      const common = ['--nats', nats.url, '--run-id', 'killed-generator'];
      const victim = child(['run', scenario, ...common, '--shard', '2/3', '--out', join(dir, 'gen-2'), '--quiet']);
      try {
        const coordinatorIo = fakeIo(dir);
        const coordinator = runCli(
          ['coordinate', scenario, ...common, '--generators', '3', '--out', join(dir, 'whole'), '--quiet', '--start-lead', '1'],
          coordinatorIo.io,
        );
        const ios = [0, 1].map(() => fakeIo(dir));
        const generators = Promise.all(
          [0, 1].map((i) =>
            runCli(['run', scenario, ...common, '--shard', `${i}/3`, '--out', join(dir, `gen-${i}`), '--quiet'], ios[i]!.io),
          ),
        );
        await when(
          () => announcedStart(coordinatorIo.stderr()) !== undefined,
          45_000,
          `the start time (the killed generator said: ${victim.output()})`,
        );
        const start = announcedStart(coordinatorIo.stderr())!;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + 1_000 - performance.now())));
        victim.kill();
        const killedAt = performance.now();
        const lostAt = await when(() => /shard 2 lost/.test(coordinatorIo.stderr()), 8_000, 'the lost report');
        expect(lostAt - killedAt).toBeLessThanOrEqual(5_000);

        const codes = await generators;
        const all = [coordinatorIo, ...ios].map((i) => i.stdout() + i.stderr()).join('\n---\n');
        expect(await coordinator, all).toBe(EXIT.invalidRun);
        for (const i of [0, 1]) {
          expect(codes[i], all).not.toBe(EXIT.interrupted);
          expect((await read(join(dir, `gen-${i}`, 'result.json'))).interrupted).toBe(false);
        }
        const whole = await read(join(dir, 'whole', 'result.json'));
        expect(whole.health.valid).toBe(false);
        expect(whole.health.reasons[0]).toMatch(/generator shard 2 was lost/);
        const fleet = await read<FleetJson>(join(dir, 'whole', 'fleet.json'));
        expect(fleet.lost).toEqual([2]);
      } finally {
        victim.kill();
        await server.close();
      }
    },
    60_000,
  );

  it.concurrent(
    'stops the generators within 12 s of losing the coordinator, each with its own result',
    async () => {
      const server = await startMockServer({ profile: { name: 'steady', generate: { latency: '10ms' } } });
      const dir = await mkdtemp(join(tmpdir(), 'tailscope-fleet-orphan-'));
      const scenario = await scenarioFile(dir, server.url, '', '{ closed: [{ hold: 40s, concurrency: 2 }] }');
      const common = ['--nats', nats.url, '--run-id', 'killed-coordinator'];
      const coordinator = child(['coordinate', scenario, ...common, '--generators', '2', '--out', join(dir, 'whole'), '--start-lead', '1']);
      try {
        const ios = [0, 1].map(() => fakeIo(dir));
        const generators = Promise.all(
          [0, 1].map((i) => runCli(['run', scenario, ...common, '--shard', `${i}/2`, '--out', join(dir, `gen-${i}`)], ios[i]!.io)),
        );
        const outputs = () => ios.map((i) => i.stdout() + i.stderr()).join('\n---\n');
        const stoppedAt: number[] = [];
        const watches = [0, 1].map((i) =>
          when(() => /the coordinator has been silent/.test(ios[i]!.stderr()), 60_000, `generator ${i} stopped`).then(
            (at) => (stoppedAt[i] = at),
          ),
        );
        await when(
          () => announcedStart(coordinator.output()) !== undefined,
          45_000,
          `the start time (the coordinator said: ${coordinator.output()})`,
        );
        const start = announcedStart(coordinator.output())!;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + 1_000 - performance.now())));
        // Each generator must be sending when the coordinator dies: one still measuring its clock offset on a busy
        // machine would rightly stop before its start, with nothing sent and nothing to report. Its first progress
        // line (one per 500 ms interval) says it is under way.
        await when(
          () => ios.every((i) => /req\/s/.test(i.stderr())),
          30_000,
          () => `both generators sending (they said: ${outputs()})`,
        );
        coordinator.kill();
        const killedAt = performance.now();
        await Promise.all(watches);
        const codes = await generators;
        const all = outputs();
        // A stopped run exits 130 and still writes what ran.
        expect(codes, all).toEqual([EXIT.interrupted, EXIT.interrupted]);
        for (const i of [0, 1]) {
          // The stop is the moment it stops sending; its report is written after that.
          expect(stoppedAt[i]! - killedAt, all).toBeLessThanOrEqual(12_000);
          expect(ios[i]!.stderr()).toMatch(/the coordinator has been silent for 1\d\.\d s/);
          const own = await read(join(dir, `gen-${i}`, 'result.json')).catch((error: Error) => {
            throw new Error(`${error.message}; the generators said: ${all}`);
          });
          expect(own.interrupted).toBe(true);
          expect(own.totals.requests).toBeGreaterThan(0);
        }
        expect(existsSync(join(dir, 'whole', 'result.json'))).toBe(false);
      } finally {
        coordinator.kill();
        await server.close();
      }
    },
    60_000,
  );

  it.concurrent(
    'rides out a broker stopped for 3 s: no snapshot lost, none counted twice',
    async () => {
      const broker = await startNatsServer(NATS!);
      const server = await startMockServer({ profile: { name: 'steady', generate: { latency: '10ms' } } });
      try {
        const dir = await mkdtemp(join(tmpdir(), 'tailscope-fleet-outage-'));
        const scenario = await scenarioFile(dir, server.url, '', '{ closed: [{ hold: 5s, concurrency: 2 }] }');
        const common = ['--nats', broker.url, '--run-id', 'outage'];
        const coordinatorIo = fakeIo(dir);
        const coordinator = runCli(
          ['coordinate', scenario, ...common, '--generators', '2', '--out', join(dir, 'whole'), '--quiet', '--start-lead', '1'],
          coordinatorIo.io,
        );
        const ios = [0, 1].map(() => fakeIo(dir));
        const generators = Promise.all(
          [0, 1].map((i) =>
            runCli(['run', scenario, ...common, '--shard', `${i}/2`, '--out', join(dir, `gen-${i}`), '--quiet'], ios[i]!.io),
          ),
        );
        await when(() => announcedStart(coordinatorIo.stderr()) !== undefined, 45_000, 'the start time');
        const start = announcedStart(coordinatorIo.stderr())!;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + 1_000 - performance.now())));
        await broker.stop();
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        await broker.restart();

        const codes = await generators;
        const code = await coordinator;
        const all = [coordinatorIo, ...ios].map((i) => i.stdout() + i.stderr()).join('\n---\n');
        expect(
          codes.every((c) => c === EXIT.ok || c === EXIT.invalidRun),
          all,
        ).toBe(true);
        expect([EXIT.ok, EXIT.invalidRun], all).toContain(code);
        expect(existsSync(join(dir, 'whole', 'result.json')), all).toBe(true);
        expect(coordinatorIo.stderr()).toMatch(/broker unreachable/);
        const whole = await read(join(dir, 'whole', 'result.json'));
        const fleet = await read<FleetJson>(join(dir, 'whole', 'fleet.json'));
        expect(fleet.lost).toEqual([]);
        expect(whole.health.reasons.filter((r) => /lost/.test(r))).toEqual([]);
        // Every interval snapshot of every shard arrived live exactly once: as many as the shard's own intervals,
        // and their requests add up to the merged total, which is the mock's own count.
        for (const i of [0, 1]) {
          const own = await read(join(dir, `gen-${i}`, 'result.json'));
          expect(fleet.shards[i]!.snapshots).toBe(own.intervals.length);
          expect(fleet.shards[i]!.snapshotsMissing).toEqual([]);
        }
        expect(fleet.liveRequests).toBe(whole.totals.requests);
        expect(whole.totals.requests).toBe(served(server));
      } finally {
        await server.close();
        await broker.close();
      }
    },
    60_000,
  );

  it.concurrent(
    'stops every generator within 2 intervals when a latency step breaks an abortOnFail threshold',
    async () => {
      const server = await startMockServer({ profile: { name: 'steady', generate: { latency: '10ms' } } });
      try {
        const dir = await mkdtemp(join(tmpdir(), 'tailscope-fleet-abort-'));
        const scenario = await scenarioFile(
          dir,
          server.url,
          'thresholds: [{ threshold: "p99 < 150ms", abortOnFail: true }]\n',
          '{ closed: [{ hold: 5s, concurrency: 4 }] }',
        );
        const common = ['--nats', nats.url, '--run-id', 'abort'];
        const coordinatorIo = fakeIo(dir);
        const coordinator = runCli(
          ['coordinate', scenario, ...common, '--generators', '2', '--out', join(dir, 'whole'), '--quiet', '--start-lead', '1'],
          coordinatorIo.io,
        );
        const ios = [0, 1].map(() => fakeIo(dir));
        const stoppedAt: number[] = [];
        const generators = Promise.all(
          [0, 1].map((i) =>
            runCli(['run', scenario, ...common, '--shard', `${i}/2`, '--out', join(dir, `gen-${i}`), '--quiet'], ios[i]!.io),
          ),
        );
        const watches = [0, 1].map((i) =>
          when(() => /the coordinator stopped the run: abortOnFail/.test(ios[i]!.stderr()), 60_000, `generator ${i} stopped`).then(
            (at) => (stoppedAt[i] = at),
          ),
        );
        await when(() => announcedStart(coordinatorIo.stderr()) !== undefined, 45_000, 'the start time');
        const start = announcedStart(coordinatorIo.stderr())!;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + 1_500 - performance.now())));
        const lateness = probeTimerLateness();
        const latencyMs = 400;
        server.setProfile({ name: 'step', generate: { latency: `${latencyMs}ms` } });
        // The first slow response completes one latency after the step: that is the breach.
        const breachAt = performance.now() + latencyMs;
        await Promise.all(watches);
        // Two intervals, as asked; on a busy machine each of the four turns of this event loop on the way (the
        // generator publishing its interval, the coordinator reading it, judging and broadcasting, the generator
        // hearing the stop) can be late by what any timer here is late by, measured over the same window.
        const allowanceMs = 4 * lateness.stop().maxMs;
        await generators;
        const all = [coordinatorIo, ...ios].map((i) => i.stdout() + i.stderr()).join('\n---\n');
        const code = await coordinator;
        for (const i of [0, 1])
          expect(stoppedAt[i]! - breachAt, `${all}\nallowance ${allowanceMs} ms`).toBeLessThanOrEqual(2 * 500 + allowanceMs);
        const whole = await read(join(dir, 'whole', 'result.json'));
        // A run stopped by abortOnFail fails (exit 1), unless a generator's own health made it invalid first.
        expect(code, all).toBe(whole.health.valid ? EXIT.failed : EXIT.invalidRun);
        expect(whole.abortedBy).toBe('p99 < 150ms');
        expect(whole.interrupted).toBe(true);
      } finally {
        await server.close();
      }
    },
    60_000,
  );

  it.concurrent(
    'lets a coordinator stopped at the barrier release the generators already waiting, with nothing sent',
    async () => {
      const server = await startMockServer({ profile: { name: 'steady', generate: { latency: '10ms' } } });
      try {
        const dir = await mkdtemp(join(tmpdir(), 'tailscope-fleet-barrier-'));
        const scenario = await scenarioFile(dir, server.url);
        const common = ['--nats', nats.url, '--run-id', 'barrier'];
        const coordinatorIo = fakeIo(dir);
        const coordinator = runCli(['coordinate', scenario, ...common, '--generators', '3', '--out', join(dir, 'whole')], coordinatorIo.io);
        const generatorIo = fakeIo(dir);
        const generator = runCli(['run', scenario, ...common, '--shard', '0/3', '--out', join(dir, 'gen-0'), '--quiet'], generatorIo.io);
        // Ready (its workers started, its clock measured), waiting for two generators that never come.
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        coordinatorIo.interrupt();
        expect(await coordinator, coordinatorIo.stderr()).toBe(EXIT.interrupted);
        const stoppedAt = performance.now();
        expect(await generator, generatorIo.stderr()).toBe(EXIT.interrupted);
        expect(performance.now() - stoppedAt).toBeLessThan(2_000);
        expect(generatorIo.stderr()).toMatch(/the coordinator stopped the run: SIGINT at the coordinator/);
        expect(served(server)).toBe(0);
        expect(existsSync(join(dir, 'gen-0', 'result.json'))).toBe(false);
      } finally {
        await server.close();
      }
    },
    40_000,
  );

  it.concurrent(
    'refuses at the barrier a generator whose scenario differs from the coordinator’s, with nothing sent',
    async () => {
      const server = await startMockServer({ profile: { name: 'steady', generate: { latency: '10ms' } } });
      try {
        const dir = await mkdtemp(join(tmpdir(), 'tailscope-fleet-foreign-'));
        const scenario = await scenarioFile(dir, server.url);
        const common = ['--nats', nats.url, '--run-id', 'foreign'];
        const coordinatorIo = fakeIo(dir);
        const coordinator = runCli(['coordinate', scenario, ...common, '--generators', '1', '--out', join(dir, 'whole')], coordinatorIo.io);
        const generatorIo = fakeIo(dir);
        const generator = runCli(
          ['run', scenario, ...common, '--shard', '0/1', '--set', 'interval=250ms', '--out', join(dir, 'gen-0'), '--quiet'],
          generatorIo.io,
        );
        expect(await coordinator, coordinatorIo.stderr()).toBe(EXIT.badInput);
        expect(coordinatorIo.stderr()).toMatch(/generators 0 run another scenario, load curve or interval than the coordinator/);
        expect(await generator, generatorIo.stderr()).toBe(EXIT.interrupted);
        expect(served(server)).toBe(0);
      } finally {
        await server.close();
      }
    },
    40_000,
  );
});
