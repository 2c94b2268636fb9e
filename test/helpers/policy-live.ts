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
}

/** Every policy the grammar has, each with a 1 s total timeout so the profile's hangs end as timeouts. */
export const POLICY_CASES: readonly PolicyCase[] = [
  { name: 'retries + budget', yaml: 'timeouts: { total: 1s }\nretries: { max: 2, base: 10ms, on: [5xx, reset, timeout] }\nbudget: 20%\n' },
  { name: 'hedge', yaml: 'timeouts: { total: 1s }\nhedge: { delay: 150ms }\n' },
  {
    name: 'circuit breaker',
    // Opens when a window of 20 holds 4 failures: now and then on flaky's ~4% independent faults, for 100 ms.
    yaml: 'timeouts: { total: 1s }\nretries: { max: 1, base: 10ms, on: [5xx, reset, timeout] }\nbreaker: { window: 20, failureRate: 20%, open: 100ms, halfOpenProbes: 2 }\n',
  },
  { name: 'static timeouts', yaml: 'timeouts: { firstByte: 250ms, total: 1s }\nretries: { max: 1, base: 10ms, on: [timeout] }\n' },
  { name: 'adaptive mean+2σ', yaml: 'timeouts: { total: 1s }\ntimeout: { adaptive: { window: 200, k: 2 } }\n' },
];

export interface Load {
  seed: number;
  holdSec: number;
  ratePerSec: number;
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
    load: { open: [{ hold: `${load.holdSec}s`, rate: load.ratePerSec }], maxInFlight: 256 },
    gracefulStop: '2s',
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
}

/** The replay of a policy over a run without it, beside a live run with it. */
export async function checkPolicy(profile: string, baseline: RunResult, load: Load, policy: PolicyCase): Promise<PolicyCheck> {
  const parsed = parsePolicy(policy.yaml, 'policy.yaml');
  const predicted = analyze(baseline, { policy: { policy: resolvePolicy(parsed, baseline.histograms, 'policy.yaml') } }).replay!;
  const live = liveFigures(await runFlaky(profile, load, policy.yaml))!;
  return { policy: policy.name, predicted, live, gap: predictionGap(predicted, live) };
}
