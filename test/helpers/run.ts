import { parseScenario } from '../../src/scenario/read.js';
import { runScenario, type RunOptions } from '../../src/runner/run-scenario.js';
import type { RunResult } from '../../src/result/types.js';
import { decodeHistogram } from '../../src/shared/histogram.js';
import { summarize, type LatencySummary } from '../../src/shared/latency-summary.js';

/** Runs a scenario written inline (YAML) and returns its result. */
export async function runYaml(yaml: string, options: RunOptions = {}): Promise<RunResult> {
  const scenario = parseScenario(yaml, 'inline.yaml', {});
  return runScenario(scenario, options);
}

/** Summary (ms) of one encoded histogram of a result, or undefined when the metric recorded nothing. */
export function metric(histograms: Partial<Record<string, string>>, name: string): LatencySummary | undefined {
  const encoded = histograms[name];
  return encoded ? summarize(decodeHistogram(encoded)) : undefined;
}
