import { locateProblems, readLocatedYaml, zodProblems } from '../shared/located-yaml.js';
import { LocatedInputError } from '../shared/errors.js';
import { z } from 'zod';
import type { EncodedHistograms } from '../result/types.js';
import { parseDurationMs } from '../shared/units.js';
import { durationMs as duration, ratio } from '../shared/zod-units.js';
import { decodeDistribution, quantileMs } from './distribution.js';
import type { ReplayPolicy } from './types.js';
import { DEFAULTS } from '../scenario/defaults.js';

/** What a what-if policy file may say, before quantiles are read off the run. */
const QUANTILE = /^\s*p(\d+(?:\.\d+)?)\s*$/;

/** A duration ("250ms", "2s", a number of ms) or a quantile of the phase on this run ("p99", "p99.9"). */
const durationOrQuantile = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'string') {
    const match = QUANTILE.exec(value);
    if (match) {
      const q = Number(match[1]) / 100;
      if (q > 0 && q < 1) return { quantile: q };
    }
  }
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "250ms" or a quantile like "p99", got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return { ms };
});

/** The failures a replay can retry; 429 is not among them (the recorded run has no rate limiter to re-ask). */
const REPLAY_RETRY_ON = ['5xx', 'reset', 'timeout', 'connect'] as const;

/** A policy's retries default to what the scenario's client does, so `retries: { max: 1 }` means the same in both. */
const policyRetries = z.strictObject({
  max: z.number().int().min(0).max(10).default(DEFAULTS.retries.max),
  backoff: z.enum(['exponential', 'constant']).default(DEFAULTS.retries.backoff),
  base: duration.default(DEFAULTS.retries.baseMs),
  maxBackoff: duration.default(DEFAULTS.retries.maxBackoffMs),
  jitter: z.enum(['full', 'equal', 'none']).default(DEFAULTS.retries.jitter),
  on: z
    .array(z.enum(REPLAY_RETRY_ON))
    .default(() => REPLAY_RETRY_ON.filter((kind) => (DEFAULTS.retries.on as readonly string[]).includes(kind))),
});

export const policySchema = z.strictObject({
  timeouts: z
    .strictObject({
      connect: durationOrQuantile.optional(),
      firstByte: durationOrQuantile.optional(),
      total: durationOrQuantile.optional(),
    })
    .default({}),
  retries: policyRetries.default(() => policyRetries.parse({})),
  /** retries may add at most this share of first attempts (Finagle/Envoy retry budget) */
  budget: ratio.optional(),
  hedge: z.strictObject({ delay: durationOrQuantile }).optional(),
  samples: z.number().int().min(100).max(1_000_000).default(20_000),
  seed: z.number().int().default(1),
  /** replay one stage's distributions instead of the whole run's */
  stage: z.number().int().min(0).optional(),
});

export type PolicyFile = z.output<typeof policySchema>;

/** A what-if policy file the user must fix, each problem located. */
export class PolicyError extends LocatedInputError {
  readonly code = 'E_POLICY';
}

/** Parses a policy file (YAML or JSON); every problem names the file, line, column and field. */
export function parsePolicy(text: string, file: string): PolicyFile {
  const yaml = readLocatedYaml(text, (problems) => new PolicyError(file, problems));
  const parsed = policySchema.safeParse(yaml.value ?? {});
  if (parsed.success) return parsed.data;
  throw new PolicyError(file, locateProblems(yaml, zodProblems(parsed.error)));
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
    samples: policy.samples,
    seed: policy.seed,
  };
}
