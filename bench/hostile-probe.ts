/**
 * The hostile-input probe, re-run against the current code: one or more representative probes for each of ten
 * groups of failures a load tool must survive, each judged held or not, and a table of tried / held per group.
 * Run by hand (not part of npm test); bounded: every probe has a deadline, the whole takes about a minute.
 *
 *   npx tsx bench/hostile-probe.ts
 *
 * It reuses the tests' own material: the raw-TCP hostile server, the bad-scenario corpus, the corrupt
 * result.json variants, the headless chart check, and the real CLI (in-process, or bin/tailscope.js in a child
 * process for signals).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { runCli } from '../src/cli/program.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { parseScenario } from '../src/scenario/read.js';
import { runScenario } from '../src/runner/run-scenario.js';
import { analyze } from '../src/analysis/analyze.js';
import { renderHtml } from '../src/report/html/render.js';
import type { RunResult } from '../src/result/types.js';
import type { Analysis, SplitView } from '../src/analysis/types.js';
import { startMockServer } from '../mock-server/index.js';
import { fakeIo } from '../test/helpers/fake-io.js';
import { startHostileServer } from '../test/helpers/hostile-server.js';
import { BAD_RESULT_VARIANTS, corruptResultText, GOOD_RESULT } from '../test/fixtures/bad-results.js';
import { nonFinite, pageParts, renderProblems } from '../test/helpers/chart-render.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BAD_SCENARIOS = join(ROOT, 'test', 'fixtures', 'bad-scenarios');
const ALIAS_BOMB = join(ROOT, 'test', 'fixtures', 'bad-profiles', 'alias-bomb.yaml');
/** A probe that has not ended by then did not hold (it hangs). */
const PROBE_DEADLINE_MS = 25_000;
/** The issue's memory bound: no hostile target moves RSS more than this. */
const RSS_LIMIT_MIB = 64;

/** true: held; a string: what went wrong. */
type Verdict = true | string;
interface Probe {
  group: number;
  name: string;
  run: () => Promise<Verdict>;
}

const GROUPS: Record<number, string> = {
  1: 'in-flight requests dropped at the end',
  2: 'hangs',
  3: 'unbounded memory',
  4: 'a secret leaked',
  5: 'silent failures counted as fast successes',
  6: 'crashes',
  7: 'wrong numbers accepted',
  8: 'checked too late',
  9: 'signals during start-up',
  10: 'zero-request report; file:// callback_url',
};

let workDir = '';
const probes: Probe[] = [];
const probe = (group: number, name: string, run: () => Promise<Verdict>) => void probes.push({ group, name, run });
const check = (ok: boolean, why: string): Verdict => (ok ? true : why);

/** Runs `tailscope <argv>` in-process with a fake Io; files go to the real disk. */
async function cli(argv: string[]) {
  const dir = await mkdtemp(join(workDir, 'cli-'));
  const fake = fakeIo(dir);
  const startedAt = performance.now();
  const code = await runCli(argv, fake.io);
  return { code, stdout: fake.stdout(), stderr: fake.stderr(), ms: performance.now() - startedAt, dir };
}

/** Writes a scenario and runs it; returns the exit code, output, result.json (when written) and peak RSS growth. */
async function runScenarioFile(yaml: string, name = 'probe.yaml') {
  const dir = await mkdtemp(join(workDir, 'run-'));
  const file = join(dir, name);
  await writeFile(file, yaml);
  const out = join(dir, 'out');
  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 25);
  try {
    const ran = await cli(['run', file, '--out', out, '--quiet']);
    const resultFile = join(out, 'result.json');
    const result = existsSync(resultFile) ? (JSON.parse(await readFile(resultFile, 'utf8')) as RunResult) : undefined;
    return { ...ran, out, result, growthMiB: (peakRss - startRss) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

const hasStack = (text: string) => /\n\s+at .+:\d+:\d+/.test(text);

/** A loopback HTTP server whose handler is given; closes every socket on close. */
async function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createHttpServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}

/** A raw TCP server: `answer` gets each connection once its first request head has arrived. */
async function rawServer(answer: (socket: Socket) => void) {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let head = '';
    socket.on('data', (chunk) => {
      if (head.includes('\r\n\r\n')) return;
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) answer(socket);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}

const closed = (url: string, extra = '', load = '{ closed: [{ hold: 1s, concurrency: 2 }] }') => `name: probe
target: { url: "${url}" }
requests: [{ name: h, method: GET, path: /h }]
load: ${load}
warmup: 0
workers: 1
${extra}
`;

// ── 1. In-flight requests dropped at the end ────────────────────────────────────────────────────────────────
probe(1, 'silent target, no timeouts, 2 users × 1 s: both attempts counted (interrupted)', async () => {
  const server = await startHostileServer('silent');
  try {
    const ran = await runScenarioFile(
      closed(server.url, 'client: { timeouts: { connect: 0, firstByte: 0, total: 0, idle: 0 } }\ngracefulStop: 500ms'),
    );
    const byKind = ran.result?.totals.errorsByKind.byKind ?? {};
    return check(
      ran.result?.totals.requests === server.requests() && (byKind.interrupted ?? 0) === server.requests() && server.requests() === 2,
      `server saw ${server.requests()}, result has ${ran.result?.totals.requests} (${JSON.stringify(byKind)})`,
    );
  } finally {
    await server.close();
  }
});
probe(1, 'every 50th request hangs, concurrency 8: the result counts what the server saw', async () => {
  let seen = 0;
  const server = await httpServer((_req, res) => {
    seen += 1;
    if (seen % 50 !== 0) res.end('ok');
  });
  try {
    const ran = await runScenarioFile(closed(server.url, 'gracefulStop: 500ms', '{ closed: [{ hold: 1s, concurrency: 8 }] }'));
    return check(ran.result?.totals.requests === seen, `server saw ${seen}, result has ${ran.result?.totals.requests}`);
  } finally {
    await server.close();
  }
});

// ── 2. Hangs ────────────────────────────────────────────────────────────────────────────────────────────────
for (const file of ['interval-zero.yaml', 'rate-huge.yaml', 'concurrency-huge.yaml']) {
  probe(2, `${file}: refused at once`, async () => {
    const ran = await cli(['run', join(BAD_SCENARIOS, file), '--quiet']);
    return check(ran.code === EXIT.badInput && ran.ms < 5_000, `exit ${ran.code} after ${ran.ms.toFixed(0)} ms`);
  });
}
probe(2, 'a 5 MiB scenario: refused (limit 4 MiB) within 2 s', async () => {
  const ran = await runScenarioFile(`${closed('http://127.0.0.1:1')}description: "${'x'.repeat(5 * 2 ** 20)}"\n`);
  return check(
    ran.code === EXIT.badInput && ran.ms < 2_000 && /MiB/.test(ran.stderr),
    `exit ${ran.code} after ${ran.ms.toFixed(0)} ms: ${ran.stderr.slice(0, 120)}`,
  );
});
probe(2, '100,000 keys in one mapping: parsed in linear time (< 3 s)', async () => {
  const keys = Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`).join(', ');
  const yaml = `name: keys\ntarget: { url: "http://127.0.0.1:1" }\nrequests: [{ name: h, method: POST, path: /h, json: { ${keys} } }]\nload: { closed: [{ hold: 1s, concurrency: 1 }] }\n`;
  const startedAt = performance.now();
  try {
    parseScenario(yaml, 'keys.yaml', {});
  } catch (error) {
    // Refused is fine too, as long as it is quick and says why.
    if (!(error instanceof Error)) throw error;
  }
  const ms = performance.now() - startedAt;
  return check(ms < 3_000, `parsing took ${ms.toFixed(0)} ms`);
});
probe(2, 'open model at 5,000/s for 1 s ends in time (< 6 s)', async () => {
  const server = await httpServer((_req, res) => res.end('ok'));
  try {
    const ran = await runScenarioFile(closed(server.url, 'gracefulStop: 500ms', '{ open: [{ hold: 1s, rate: 5000 }] }'));
    return check(
      [EXIT.ok, EXIT.invalidRun].includes(ran.code as 0 | 3) && ran.ms < 6_000,
      `exit ${ran.code} after ${ran.ms.toFixed(0)} ms`,
    );
  } finally {
    await server.close();
  }
});

// ── 3. Unbounded memory ─────────────────────────────────────────────────────────────────────────────────────
const SSE_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n';
/**
 * A run's RSS growth includes what any run adds to this process (workers, report rendering, the garbage of a
 * loop at full speed): hostile runs are held to the growth of a well-behaved SSE run at the same concurrency
 * (short streams, answered at once, as many as the loop sends) plus the limit, as test/e2e/hostile-targets.test.ts
 * holds its modes.
 */
let baselineGrowthMiB: number | undefined;
async function overBaselineMiB(growthMiB: number): Promise<number> {
  if (baselineGrowthMiB === undefined) {
    const server = await rawServer((socket) => socket.end(`${SSE_HEAD}data: a\n\ndata: b\n\n`));
    try {
      baselineGrowthMiB = (await runScenarioFile(closed(server.url).replace('path: /h }', 'path: /h, stream: sse }'))).growthMiB;
    } finally {
      await server.close();
    }
  }
  return growthMiB - baselineGrowthMiB;
}
probe(3, 'SSE with an endless data: line: bounded, counted as too_large', async () => {
  const server = await rawServer((socket) => {
    socket.write(`${SSE_HEAD}data: `);
    const chunk = 'a'.repeat(64 * 1024);
    const pump = () => {
      while (!socket.destroyed && socket.write(chunk));
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
  });
  try {
    const ran = await runScenarioFile(closed(server.url, 'gracefulStop: 500ms').replace('path: /h }', 'path: /h, stream: sse }'));
    const tooLarge = ran.result?.totals.errorsByKind.byKind.too_large ?? 0;
    const over = await overBaselineMiB(ran.growthMiB);
    return check(
      over < RSS_LIMIT_MIB && tooLarge > 0,
      `RSS +${over.toFixed(0)} MiB over a well-behaved run, too_large ${tooLarge}, exit ${ran.code}`,
    );
  } finally {
    await server.close();
  }
});
probe(3, 'a flood of tiny SSE events for a 2 s hold: bounded memory and wall time', async () => {
  const server = await rawServer((socket) => {
    socket.write(SSE_HEAD);
    const chunk = 'data: x\n\n'.repeat(4096);
    const pump = () => {
      while (!socket.destroyed && socket.write(chunk));
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
  });
  try {
    const ran = await runScenarioFile(
      closed(server.url, 'gracefulStop: 500ms\nclient: { timeouts: { total: 1s } }', '{ closed: [{ hold: 2s, concurrency: 2 }] }').replace(
        'path: /h }',
        'path: /h, stream: sse }',
      ),
    );
    const over = await overBaselineMiB(ran.growthMiB);
    return check(
      over < RSS_LIMIT_MIB && ran.ms < 9_000 && (ran.result?.totals.requests ?? 0) > 0,
      `RSS +${over.toFixed(0)} MiB over a well-behaved run, ${ran.ms.toFixed(0)} ms, ${ran.result?.totals.requests} requests`,
    );
  } finally {
    await server.close();
  }
});
probe(3, 'a WebSocket flood of 4 MiB messages: bounded, counted (not 0 requests)', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const big = Buffer.alloc(4 * 2 ** 20, 97);
  wss.on('connection', (ws) => {
    const pump = () => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(big, () => setImmediate(pump));
    };
    pump();
  });
  try {
    const url = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    const ran = await runScenarioFile(
      closed(url, 'gracefulStop: 500ms\nclient: { timeouts: { total: 1s } }').replace('path: /h }', 'path: /h, stream: ws }'),
    );
    const over = await overBaselineMiB(ran.growthMiB);
    return check(
      over < RSS_LIMIT_MIB && (ran.result?.totals.requests ?? 0) > 0,
      `RSS +${over.toFixed(0)} MiB over a well-behaved run, ${ran.result?.totals.requests} requests (${JSON.stringify(ran.result?.totals.errorsByKind.byKind)}), exit ${ran.code}`,
    );
  } finally {
    for (const client of wss.clients) client.terminate();
    await new Promise((done) => wss.close(done));
  }
});

// ── 4. A secret leaked ──────────────────────────────────────────────────────────────────────────────────────
const PASSWORD = 'pr0be-passw0rd-7f3a';
const CLIENT_SECRET = 'pr0be-client-secret-91c2';
/** Every file of the out dir and the CLI output, searched for each secret raw, URL-encoded and base64. */
async function leaks(ran: { out: string; stdout: string; stderr: string }, secrets: string[]): Promise<string[]> {
  const texts = [ran.stdout, ran.stderr];
  if (existsSync(ran.out)) for (const file of await readdir(ran.out)) texts.push(await readFile(join(ran.out, file), 'utf8'));
  const forms = secrets.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')]);
  return forms.filter((form) => texts.some((text) => text.includes(form)));
}
probe(4, 'a password in tokenUrl and a client secret, echoed back by the target: in no output', async () => {
  const server = await httpServer((req, res) => {
    if (req.url?.startsWith('/oauth/token')) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: `tok-${CLIENT_SECRET}`, token_type: 'Bearer', expires_in: 3600 }));
      return;
    }
    res.statusCode = 500;
    res.setHeader('x-echo', `${req.headers.authorization} ${PASSWORD}`);
    res.end(`error: ${req.headers.authorization} ${CLIENT_SECRET} ${PASSWORD}`);
  });
  try {
    const tokenUrl = server.url.replace('http://', `http://user:${PASSWORD}@`) + '/oauth/token';
    const ran = await runScenarioFile(
      closed(server.url, `auth: { oauth2: { tokenUrl: "${tokenUrl}", clientId: probe, clientSecret: ${CLIENT_SECRET} } }`),
    );
    const found = await leaks(ran, [PASSWORD, CLIENT_SECRET]);
    return check(ran.result !== undefined && found.length === 0, `found ${found.join(', ') || 'no result.json'}`);
  } finally {
    await server.close();
  }
});
probe(4, 'credentials in target.url: sent as Basic auth, in no output', async () => {
  let authorization: string | undefined;
  const server = await httpServer((req, res) => {
    authorization = req.headers.authorization;
    res.end('ok');
  });
  try {
    const ran = await runScenarioFile(closed(server.url.replace('http://', `http://user:${PASSWORD}@`)));
    const expected = `Basic ${Buffer.from(`user:${PASSWORD}`).toString('base64')}`;
    const found = await leaks(ran, [PASSWORD]);
    return check(
      authorization === expected && found.length === 0,
      `authorization ${authorization ?? 'none'}; found ${found.join(', ') || 'nothing'}`,
    );
  } finally {
    await server.close();
  }
});

// ── 5. Silent failures counted as fast successes ────────────────────────────────────────────────────────────
probe(5, '100% auth failures cannot pass "p99 < 1ms"; the reason is printed', async () => {
  const ran = await runScenarioFile(`name: auth-fails
target: { mock: { profile: fast } }
auth: { oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: wrong-secret } }
requests: [{ name: generate, method: POST, path: /v1/generate, json: { prompt: "hi", max_tokens: 4 } }]
load: { closed: [{ hold: 1s, concurrency: 2 }] }
thresholds: ["p99 < 1ms"]
warmup: 0
workers: 1
`);
  return check(ran.code !== EXIT.ok && /auth|401/.test(ran.stdout), `exit ${ran.code}; ${ran.stdout.split('\n').slice(0, 3).join(' / ')}`);
});
probe(5, 'an unresolvable host: exit 2 naming ENOTFOUND, nothing written', async () => {
  const ran = await runScenarioFile(closed('http://no-such-host.invalid'));
  return check(
    ran.code === EXIT.badInput && /ENOTFOUND|EAI_AGAIN/.test(ran.stderr) && !existsSync(ran.out),
    `exit ${ran.code}: ${ran.stderr.trim()}`,
  );
});

// ── 6. Crashes ──────────────────────────────────────────────────────────────────────────────────────────────
probe(6, 'POST /__admin/profile with a YAML alias bomb: 400, the mock keeps serving', async () => {
  const mock = await startMockServer({ profile: 'fast', seed: 1 });
  try {
    const response = await fetch(`${mock.url}/__admin/profile`, { method: 'POST', body: await readFile(ALIAS_BOMB, 'utf8') });
    const stats = await fetch(`${mock.url}/__admin/stats`);
    return check(response.status === 400 && stats.status === 200, `profile ${response.status}, stats ${stats.status}`);
  } finally {
    await mock.close();
  }
});
probe(6, 'tailscope mock --profile <alias bomb>: exit 2, no stack', async () => {
  const ran = await cli(['mock', '--profile', ALIAS_BOMB, '--port', '0']);
  return check(ran.code === EXIT.badInput && !hasStack(ran.stderr), `exit ${ran.code}: ${ran.stderr.slice(0, 160)}`);
});
for (const file of ['header-crlf.yaml', 'path-space.yaml']) {
  probe(6, `${file}: refused before any request (no worker crash)`, async () => {
    const ran = await cli(['run', join(BAD_SCENARIOS, file), '--quiet']);
    return check(ran.code === EXIT.badInput && !hasStack(ran.stderr), `exit ${ran.code}`);
  });
}
for (const [what, corrupt, field] of BAD_RESULT_VARIANTS) {
  probe(6, `corrupt result.json (${what}): exit 2 naming the field in analyze, compare, merge, report`, async () => {
    const dir = await mkdtemp(join(workDir, 'bad-result-'));
    const file = join(dir, 'result.json');
    await writeFile(file, await corruptResultText(corrupt));
    const out = join(dir, 'out');
    for (const argv of [
      ['analyze', file, '--out', out],
      ['compare', GOOD_RESULT, file],
      ['merge', GOOD_RESULT, file, '--out', out, '--force'],
      ['report', file, '--out', out],
    ]) {
      const ran = await cli(argv);
      if (ran.code !== EXIT.badInput || !field.test(ran.stderr) || hasStack(ran.stderr))
        return `${argv[0]}: exit ${ran.code}: ${ran.stderr.slice(0, 120)}`;
    }
    return check(!existsSync(out), 'an output directory was written');
  });
}

// ── 7. Wrong numbers accepted ───────────────────────────────────────────────────────────────────────────────
for (const dur of ['500', '1e308']) {
  probe(7, `Server-Timing app;dur=${dur} on a fast response: rejected and counted, service ≤ total`, async () => {
    const server = await httpServer((_req, res) => {
      res.setHeader('server-timing', `app;dur=${dur}`);
      res.end('ok');
    });
    try {
      const ran = await runScenarioFile(closed(server.url));
      const rejected = ran.result?.totals.counters.serverTimingRejected ?? 0;
      const analysisFile = join(ran.out, 'analysis.json');
      const analysis = existsSync(analysisFile) ? (JSON.parse(await readFile(analysisFile, 'utf8')) as Analysis) : undefined;
      // Split unknown (no timing left to trust) or a service time within the request: either is honest.
      const serviceP99 = analysis?.split.method === 'none' ? 0 : ((analysis?.split as SplitView | undefined)?.service.p99 ?? 0);
      return check(
        rejected > 0 && rejected === ran.result?.totals.requests && serviceP99 <= (ran.result?.totals.latency.p99 ?? 0) + 0.001,
        `rejected ${rejected} of ${ran.result?.totals.requests}, service p99 ${serviceP99}`,
      );
    } finally {
      await server.close();
    }
  });
}
probe(7, 'merge of two unsharded runs 20 minutes apart: refused, exit 2', async () => {
  const dir = await mkdtemp(join(workDir, 'merge-'));
  const later = JSON.parse(await readFile(GOOD_RESULT, 'utf8')) as RunResult;
  later.startedAt = new Date(Date.parse(later.startedAt) + 20 * 60_000).toISOString();
  await writeFile(join(dir, 'later.json'), JSON.stringify(later));
  const ran = await cli(['merge', GOOD_RESULT, join(dir, 'later.json'), '--out', join(dir, 'out')]);
  return check(ran.code === EXIT.badInput && !existsSync(join(dir, 'out')), `exit ${ran.code}: ${ran.stderr.slice(0, 120)}`);
});

// ── 8. Checked too late ─────────────────────────────────────────────────────────────────────────────────────
for (const file of (await readdir(BAD_SCENARIOS)).sort()) {
  probe(8, `${file}: exit 2 at load time, file:line, nothing written`, async () => {
    const dir = await mkdtemp(join(workDir, 'corpus-'));
    const ran = await cli(['run', join(BAD_SCENARIOS, file), '--out', join(dir, 'out'), '--quiet']);
    const located = new RegExp(`${file.replace(/\./g, '\\.')}:\\d+`).test(ran.stderr);
    return check(
      ran.code === EXIT.badInput && located && !existsSync(join(dir, 'out')) && !/^target /m.test(ran.stderr),
      `exit ${ran.code}: ${ran.stderr.slice(0, 120)}`,
    );
  });
}

// ── 9. Signals during start-up ──────────────────────────────────────────────────────────────────────────────
const BIN = join(ROOT, 'bin', 'tailscope.js');
const REPORT_FILES = ['analysis.json', 'index.html', 'junit.xml', 'metrics.prom', 'result.json', 'summary.md'];
/** bin/tailscope.js in a child process, signalled `at` ms after spawn, when its stderr says so, or by `onSpawn`'s caller. */
async function signalled(
  yaml: string,
  signal: NodeJS.Signals,
  at: number | ((stderr: string) => boolean) | undefined,
  onSpawn?: (kill: () => void) => void,
): Promise<Verdict> {
  const dir = await mkdtemp(join(workDir, 'signal-'));
  await writeFile(join(dir, 'scenario.yaml'), yaml);
  const out = join(dir, 'out');
  const child = spawn(process.execPath, [BIN, 'run', join(dir, 'scenario.yaml'), '--out', out, '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  let stderr = '';
  let sent = false;
  const kill = () => {
    if (!sent) child.kill(signal);
    sent = true;
  };
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (typeof at === 'function' && at(stderr)) kill();
  });
  child.stdout.resume();
  if (typeof at === 'number') setTimeout(kill, at);
  onSpawn?.(kill);
  const [code, killedBy] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  const files = existsSync(out) ? (await readdir(out)).sort() : [];
  const whole = files.length === 0 || files.join() === REPORT_FILES.join();
  return check(
    code === EXIT.interrupted && whole && !hasStack(stderr),
    `exit ${code ?? killedBy}, files [${files.join(', ')}], stderr ${JSON.stringify(stderr.slice(-160))}`,
  );
}
const MOCK_RUN = closed('', '', '{ closed: [{ hold: 3s, concurrency: 2 }] }').replace(
  'target: { url: "" }',
  'target: { mock: { profile: fast } }',
);
for (const [signal, at] of [
  ['SIGINT', 200],
  ['SIGTERM', 200],
  ['SIGINT', 1000],
  ['SIGTERM', 1000],
] as const) {
  probe(9, `${signal} ${at} ms after start: exit 130, one line, nothing half-written`, () => signalled(MOCK_RUN, signal, at));
}
probe(9, 'SIGINT during a preflight the target stalls (TLS never answered): exit 130 at once', async () => {
  let kill: () => void = () => undefined;
  const stall = createServer(() => kill());
  await new Promise<void>((done) => stall.listen(0, '127.0.0.1', done));
  try {
    const startedAt = performance.now();
    const verdict = await signalled(
      closed(`https://127.0.0.1:${(stall.address() as AddressInfo).port}`),
      'SIGINT',
      undefined,
      (k) => (kill = k),
    );
    const ms = performance.now() - startedAt;
    return verdict === true ? check(ms < 5_000 + 2_000, `took ${ms.toFixed(0)} ms`) : verdict;
  } finally {
    stall.close();
  }
});
probe(9, 'SIGINT during the load: exit 130 with every report file written', () =>
  signalled(MOCK_RUN.replace('--quiet', ''), 'SIGINT', (stderr) => /^target /m.test(stderr) && stderr.length > 0),
);

// ── 10. Zero-request report; file:// callback_url ───────────────────────────────────────────────────────────
probe(10, 'a run stopped as its load began (0 requests): every chart renders with no warning, "no data" shown', async () => {
  const abort = new AbortController();
  const yaml =
    'name: zero\ntarget: { mock: { profile: fast } }\nrequests: [{ name: h, method: GET, path: /h }]\nworkers: 1\nwarmup: 0s\nload: { closed: [{ hold: 5s, concurrency: 2 }] }\n';
  const zero = await runScenario(parseScenario(yaml, 'zero.yaml', {}), { signal: abort.signal, onLoadStarted: () => abort.abort() });
  const analysis = analyze(zero);
  const html = await renderHtml(zero, analysis, analysis.verdict);
  const parts = pageParts(html);
  const problems = [...(await Promise.all(Object.values(parts.specs).map(renderProblems))).flat(), ...parts.staticSvgs.flatMap(nonFinite)];
  return check(
    zero.totals.requests === 0 && problems.length === 0 && parts.noData.length > 0,
    `${zero.totals.requests} requests; ${problems.slice(0, 3).join('; ')}`,
  );
});
for (const callback of ['file:///etc/passwd', 'http://example.com/hook']) {
  probe(10, `the mock refuses callback_url ${callback} with 400`, async () => {
    const mock = await startMockServer({ profile: 'fast', seed: 1 });
    try {
      const token = (await (
        await fetch(`${mock.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
        })
      ).json()) as { access_token: string };
      const response = await fetch(`${mock.url}/v1/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token}` },
        body: JSON.stringify({ prompt: 'p', max_tokens: 4, temperature: 0, async: true, callback_url: callback }),
      });
      return check(response.status === 400, `answered ${response.status}`);
    } finally {
      await mock.close();
    }
  });
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────────────────────
async function withDeadline(run: () => Promise<Verdict>): Promise<Verdict> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Verdict>(
    (done) => (timer = setTimeout(() => done(`did not end within ${PROBE_DEADLINE_MS / 1000} s`), PROBE_DEADLINE_MS)),
  );
  try {
    return await Promise.race([run().catch((error: unknown) => `threw: ${(error as Error)?.stack ?? String(error)}`), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  workDir = await mkdtemp(join(tmpdir(), 'tailscope-hostile-probe-'));
  await mkdir(workDir, { recursive: true });
  const startedAt = performance.now();
  const failures: string[] = [];
  const tally = new Map<number, { tried: number; held: number }>();
  try {
    for (const p of probes) {
      const probeStart = performance.now();
      const verdict = await withDeadline(p.run);
      const entry = tally.get(p.group) ?? { tried: 0, held: 0 };
      entry.tried += 1;
      if (verdict === true) entry.held += 1;
      else failures.push(`  ${p.group}. ${p.name}: ${verdict}`);
      tally.set(p.group, entry);
      process.stderr.write(
        `${verdict === true ? 'held' : 'FAIL'}  ${p.group}. ${p.name} (${((performance.now() - probeStart) / 1000).toFixed(1)} s)\n`,
      );
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const rows = Object.entries(GROUPS).map(([group, what]) => {
    const { tried, held } = tally.get(Number(group)) ?? { tried: 0, held: 0 };
    return `| ${group} | ${what} | ${tried} | ${held} |`;
  });
  const tried = [...tally.values()].reduce((sum, t) => sum + t.tried, 0);
  const held = [...tally.values()].reduce((sum, t) => sum + t.held, 0);
  process.stdout.write(
    [
      '',
      '| group | what failed before | tried | held |',
      '| --- | --- | ---: | ---: |',
      ...rows,
      `| | all | ${tried} | ${held} |`,
      '',
    ].join('\n'),
  );
  process.stdout.write(`\n${((performance.now() - startedAt) / 1000).toFixed(0)} s\n`);
  if (failures.length > 0) process.stdout.write(`\nnot held:\n${failures.join('\n')}\n`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) await main();
