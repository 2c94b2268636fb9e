import type { EncodedHistograms } from '../result/types.js';
import { decodeDistribution, quantileMs } from './distribution.js';
import type { ReplayPolicy } from './types.js';
import { callPolicyOf, PolicyError, readPolicy, type PolicyFile } from '../scenario/policy-file.js';

// The grammar is the scenario's (a live run reads the same file as `client.policy`); re-exported for the CLI.
export { PolicyError, policySchema, type PolicyFile } from '../scenario/policy-file.js';

/** Parses a policy file (YAML or JSON); every problem names the file, line, column and field. */
export function parsePolicy(text: string, file: string): PolicyFile {
  return readPolicy(text, file).policy;
}

/** Reads quantile-valued fields off the run's histograms: "p99" of ttfb becomes that many milliseconds. */
export function resolvePolicy(policy: PolicyFile, histograms: EncodedHistograms, file: string): ReplayPolicy {
  const resolve = (
    value: { ms: number } | { quantile: number } | undefined,
    metric: 'connect' | 'ttfb' | 'total',
    field: string,
  ): number | undefined => {
    if (value === undefined) return undefined;
    if ('ms' in value) return value.ms;
    const distribution = decodeDistribution(histograms[metric]);
    if (!distribution)
      throw new PolicyError(file, [{ field, message: `the run recorded no ${metric} times to read p${value.quantile * 100} from` }]);
    return quantileMs(distribution, value.quantile);
  };
  const connectMs = resolve(policy.timeouts.connect, 'connect', 'timeouts.connect');
  const firstByteMs = resolve(policy.timeouts.firstByte, 'ttfb', 'timeouts.firstByte');
  const totalMs = resolve(policy.timeouts.total, 'total', 'timeouts.total');
  const hedgeMs = policy.hedge ? resolve(policy.hedge.delay, 'total', 'hedge.delay') : undefined;
  return {
    timeouts: {
      ...(connectMs !== undefined && { connectMs }),
      ...(firstByteMs !== undefined && { firstByteMs }),
      ...(totalMs !== undefined && { totalMs }),
    },
    retries: {
      max: policy.retries.max,
      backoff: policy.retries.backoff,
      baseMs: policy.retries.base,
      maxBackoffMs: policy.retries.maxBackoff,
      jitter: policy.retries.jitter,
      on: policy.retries.on,
    },
    ...(policy.budget !== undefined && { budgetRatio: policy.budget }),
    ...(hedgeMs !== undefined && { hedge: { delayMs: hedgeMs } }),
    ...policyMachines(policy),
    ...(policy.timeout?.perLoadLevel && {
      // A band's quantile stays a quantile: the replay reads it off each stage at that stage's level.
      loadLevelTimeouts: policy.timeout.perLoadLevel.map((band) => ({
        ...(band.upTo !== undefined && { upTo: band.upTo }),
        total: band.total,
      })),
    }),
    samples: policy.samples,
    seed: policy.seed,
  };
}

/** The breaker and the adaptive timeout, as the live requester takes them. */
function policyMachines(policy: PolicyFile): Pick<ReplayPolicy, 'breaker' | 'adaptiveTimeout'> {
  const { breaker, adaptiveTimeout } = callPolicyOf(policy, undefined);
  return { ...(breaker && { breaker }), ...(adaptiveTimeout && { adaptiveTimeout }) };
}
