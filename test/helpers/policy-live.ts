import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseScenario } from '../../src/scenario/read.js';
import { runScenario } from '../../src/runner/run-scenario.js';
import { analyze } from '../../src/analysis/analyze.js';
import { parsePolicy, resolvePolicy } from '../../src/analysis/policy.js';
import { liveFigures, predictionGap, type LiveFigures, type PredictionGap } from '../../src/analysis/policy-check.js';
import type { ReplayResult } from '../../src/analysis/types.js';
import type { RunResult } from '../../src/result/types.js';
import { decodeDistribution, quantileMs } from '../../src/analysis/distribution.js';
import { successfulHistograms } from '../../src/analysis/timeouts.js';

/**
 * Runs a client policy live against the mock's `flaky` profile and checks the replay's prediction of it, made
 * from a run without the policy: what test/e2e/policy-live.test.ts does briefly and bench/policy-live.ts at
 * length. The profile is flaky's latency and faults as shipped, less two things that are about time rather than
 * about the client: its per-client rate limit (100 req/s: one client could not send the thousands of calls a
 * p99 needs within seconds) and its 500 ms stall every 10 s (one stall more or less in a short run would move
 * either run's tail on its own, whatever the policy).
 */
export function flakyProfileFile(): string {
  const flaky = parse(readFileSync(new URL('../../mock-server/profiles/flaky.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
  const { rateLimit: _limit, ...rest } = flaky;
  void _limit;
  const { stall: _stall, ...faults } = rest.faults as Record<string, unknown>;
  void _stall;
  const dir = mkdtempSync(join(tmpdir(), 'tailscope-flaky-'));
  const file = join(dir, 'flaky-unlimited.yaml');
  writeFileSync(file, stringify({ ...rest, name: 'flaky-unlimited', faults }));
  return file;
}

export interface PolicyCase {
  name: string;
  /** the policy file's text: the same for the replay and the live run */
  yaml: string;
  /**
   * arrivals/s of each hold in turn, for a policy that depends on the load level: its live run and the run
   * without it that the replay reads both run these holds (instead of one hold at the load's rate)
   */
  levels?: readonly number[];
}

/**
 * Every policy the grammar has, each with a total timeout so the profile's hangs end as timeouts. Where retries
 * follow a timeout, the total is 500 ms: flaky's slow bodies (1%, ~650 ms) and the pareto tail above 500 ms
 * (~0.8%) are cut and retried, and the successful calls' p99 falls among those ~1.8% retried calls (~540 ms).
 * With a 1 s total the p99 lay where the slow bodies and the pareto tail meet, sparse, and two seeded samples of
 * it read 11–17% apart in run after run.
 */
export const POLICY_CASES: readonly PolicyCase[] = [
  {
    name: 'retries + budget',
    yaml: 'timeouts: { total: 500ms }\nretries: { max: 2, base: 10ms, on: [5xx, reset, timeout] }\nbudget: 20%\n',
  },
  { name: 'hedge', yaml: 'timeouts: { total: 1s }\nhedge: { delay: 150ms }\n' },
  {
    name: 'circuit breaker',
    // Opens when a window of 20 holds 4 failures: now and then on flaky's ~4% independent faults and ~2% cut
    // attempts, and refuses 1–2.5% of calls (by seed). Open 20 ms, not 50: each opening refuses a block of calls, and the
    // share refused varies with the number of openings. At 50 ms (~10 calls a block) one client's success rate
    // over 6,000 calls varied by ~1.9 pp (σ; the replay's own spread across seeds, per 6,000-call client), as
    // much as the 2 pp bound; at 20 ms, ~0.5 pp.
    yaml: 'timeouts: { total: 500ms }\nretries: { max: 1, base: 10ms, on: [5xx, reset, timeout] }\nbreaker: { window: 20, failureRate: 20%, open: 20ms, halfOpenProbes: 2 }\n',
  },
  {
    name: 'static timeouts',
    // The first-byte timeout cuts the whole pareto tail (~3%, every one of it over 200 ms) and the hangs, the total
    // one the slow bodies (~1%, ~650 ms each); 5xx are retried once. The successful calls' p99 then lies in the
    // lognormal's body (~90 ms), where samples are dense. Two earlier cases put it where they are sparse:
    // - cutting at 250 ms and retrying the cuts (~300 ms each) left the slow bodies as exactly the top 1%, and the
    //   p99 sat on the empty stretch between ~330 and ~600 ms (its own 95% interval spanned 305–564 ms);
    // - cutting at 400 ms put it in the pareto's thin tail (~260 ms), ±9% on 6,000 calls in each of the two runs
    //   compared: 19% apart once in three tries.
    yaml: 'timeouts: { firstByte: 150ms, total: 500ms }\nretries: { max: 1, base: 10ms, on: [5xx] }\n',
  },
  { name: 'adaptive mean+2σ', yaml: 'timeouts: { total: 1s }\ntimeout: { adaptive: { window: 200, k: 2 } }\n' },
  {
    name: 'per load level',
    // 100 ms at the light level cuts flaky's slow ~5% there and retries it once; at the heavy level only 1 s cuts.
    yaml: 'timeouts: { total: 1s }\nretries: { max: 1, base: 10ms, on: [timeout] }\ntimeout: { perLoadLevel: [{ upTo: 150, total: 100ms }, { total: 1s }] }\n',
    levels: [100, 300],
  },
];

export interface Load {
  seed: number;
  /** seconds of each hold */
  holdSec: number;
  ratePerSec: number;
  /** arrivals/s of each hold in turn; absent: one hold at ratePerSec */
  levels?: readonly number[];
}

/** One open-model run on the profile, with the client policy file or none (1 s total timeout either way). */
export async function runFlaky(profile: string, load: Load, policyYaml?: string): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tailscope-policy-'));
  const scenarioFile = join(dir, 'scenario.yaml');
  if (policyYaml !== undefined) writeFileSync(join(dir, 'policy.yaml'), policyYaml);
  const scenario = {
    name: 'policy-live',
    target: { mock: { profile, seed: load.seed } },
    auth: { oauth2: { tokenUrl: '/oauth/token', clientId: 'demo', clientSecret: 'demo-secret' } },
    requests: [{ name: 'generate', method: 'POST', path: '/v1/generate', json: { prompt: 'ping', max_tokens: 8, temperature: 0 } }],
    client: { timeouts: { total: '1s' }, ...(policyYaml !== undefined && { policy: 'policy.yaml' }) },
    load: { open: (load.levels ?? [load.ratePerSec]).map((rate) => ({ hold: `${load.holdSec}s`, rate })), maxInFlight: 256 },
    gracefulStop: '2s',
    // Connections and JIT warmed, briefly: the replay's baseline and the live run start equally warm.
    warmup: '500ms',
    workers: 1,
  };
  const text = stringify(scenario);
  writeFileSync(scenarioFile, text);
  return runScenario(parseScenario(text, scenarioFile, {}));
}

export interface PolicyCheck {
  policy: string;
  predicted: ReplayResult;
  live: LiveFigures;
  gap: PredictionGap;
  /** the live run's calls that timed out, as a share of its calls */
  liveTimedOutShare: number;
  /** the replay's calls that ended on a timeout, as a share */
  predictedTimedOutShare: number;
  /** the live run's successful calls' p99, low and high ends of its 95% order-statistic interval, ms */
  liveP99Interval: [number, number];
  /** the live run's stages: their level, attempts, and attempts cut by a timeout (the run's or the policy's) */
  liveStages: { level: number; attempts: number; timedOut: number }[];
}

/**
 * The replay of a policy over a run without it, beside a live run with it. The run without it must have run the
 * policy's levels, when it has some (`runFlaky(profile, { ...load, levels: policy.levels })`).
 */
export async function checkPolicy(profile: string, baseline: RunResult, load: Load, policy: PolicyCase): Promise<PolicyCheck> {
  const parsed = parsePolicy(policy.yaml, 'policy.yaml');
  const predicted = analyze(baseline, { policy: { policy: resolvePolicy(parsed, baseline.histograms, 'policy.yaml') } }).replay!;
  const result = await runFlaky(profile, { ...load, ...(policy.levels && { levels: policy.levels }) }, policy.yaml);
  const live = liveFigures(result)!;
  const calls = result.totals.calls!;
  const timedOut = Object.entries(predicted.failuresByCause).reduce((sum, [cause, n]) => sum + (cause.startsWith('timeout_') ? n : 0), 0);
  return {
    policy: policy.name,
    predicted,
    live,
    gap: predictionGap(predicted, live),
    liveTimedOutShare: calls.outcomes.timedOut / calls.calls,
    predictedTimedOutShare: timedOut / predicted.logicalRequests,
    liveP99Interval: p99Interval(result),
    liveStages: result.stages.map((stage) => ({
      level: stage.target,
      attempts: stage.requests,
      timedOut: stage.errorsByKind.byKind.timeout_total ?? 0,
    })),
  };
}

/**
 * The 95% interval of a p99 read from n samples, by order statistics: the ranks 0.99·n ± 2·√(n·0.01·0.99).
 * With a few hundred calls it is wider than 15%: the noise a short run's p99 carries whatever the policy.
 */
function p99Interval(result: RunResult): [number, number] {
  const calls = decodeDistribution(successfulHistograms(result.histograms).call);
  if (!calls) return [0, 0];
  const halfWidth = (2 * Math.sqrt(calls.count * 0.01 * 0.99)) / calls.count;
  return [quantileMs(calls, Math.max(0.5, 0.99 - halfWidth)), quantileMs(calls, Math.min(0.99999, 0.99 + halfWidth))];
}
