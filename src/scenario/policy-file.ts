import { z } from 'zod';
import { locateProblems, readLocatedYaml, zodProblems, type LocatedYaml } from '../shared/located-yaml.js';
import { LocatedInputError } from '../shared/errors.js';
import { parseDurationMs } from '../shared/units.js';
import { durationMs as duration, ratio } from '../shared/zod-units.js';
import type { CallPolicy } from '../shared/call-policy.js';
import type { BackoffPolicy } from '../shared/backoff.js';
import { DEFAULTS } from './defaults.js';

/**
 * The client-policy grammar, one for both uses: `analyze --policy p.yaml` replays it against a recorded run, and
 * `client.policy: p.yaml` in a scenario enforces it live. A field means the same in both; only a quantile
 * ("p99") needs a recorded run to be read from, so a live policy takes durations.
 */

const QUANTILE = /^\s*p(\d+(?:\.\d+)?)\s*$/;

/** A duration ("250ms", "2s", a number of ms) or a quantile of the phase on the recorded run ("p99", "p99.9"). */
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
export type DurationOrQuantile = z.output<typeof durationOrQuantile>;

/** The failures a policy can retry; 429 is not among them (Retry-After waits are the scenario client's own). */
export const POLICY_RETRY_ON = ['5xx', 'reset', 'timeout', 'connect'] as const;

/** A policy's retries default to what the scenario's client does, so `retries: { max: 1 }` means the same in both. */
const policyRetries = z.strictObject({
  max: z.number().int().min(0).max(10).default(DEFAULTS.retries.max),
  backoff: z.enum(['exponential', 'constant']).default(DEFAULTS.retries.backoff),
  base: duration.default(DEFAULTS.retries.baseMs),
  maxBackoff: duration.default(DEFAULTS.retries.maxBackoffMs),
  jitter: z.enum(['full', 'equal', 'none']).default(DEFAULTS.retries.jitter),
  on: z
    .array(z.enum(POLICY_RETRY_ON))
    .default(() => POLICY_RETRY_ON.filter((kind) => (DEFAULTS.retries.on as readonly string[]).includes(kind))),
});

/** resilience4j's count-based breaker, with its defaults where they fit a load test. */
const breaker = z.strictObject({
  /** the last this-many attempts judge the failure rate */
  window: z.number().int().min(1).max(100_000).default(100),
  /** opens at this share of failed attempts in the window */
  failureRate: ratio.default(0.5),
  /** and not before the window holds this many attempts */
  minCalls: z.number().int().min(1).optional(),
  /** refuses calls this long once open */
  open: duration.default(5_000),
  /** attempts let through half open; all must succeed to close */
  halfOpenProbes: z.number().int().min(1).max(1_000).default(3),
});

/** The seed's rule: mean + k·σ of the recent window of successful attempts. */
const adaptive = z.strictObject({
  window: z.number().int().min(2).max(100_000).default(200),
  k: z.number().min(0).max(20).default(2),
  /** no adaptive timeout until the window holds this many samples */
  minSamples: z.number().int().min(2).optional(),
});

/**
 * One band of `timeout.perLoadLevel`: the total timeout for load levels up to `upTo` (concurrency in a closed
 * model, arrivals/s in an open one: the scenario's own unit). The band without `upTo` covers every level above
 * the others and comes last; with none, levels above the highest `upTo` get no load-level timeout.
 */
const loadLevelBand = z.strictObject({
  upTo: z.number().positive().optional(),
  total: durationOrQuantile,
});

/** Bands ascend by `upTo`, and only the last may leave it out. */
const perLoadLevel = z
  .array(loadLevelBand)
  .min(1)
  .superRefine((bands, ctx) => {
    bands.forEach((band, i) => {
      const previous = bands[i - 1]?.upTo;
      if (band.upTo === undefined && i < bands.length - 1)
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: 'only the last band may leave out upTo (it covers every level above the others)',
        });
      else if (band.upTo !== undefined && previous !== undefined && band.upTo <= previous)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'upTo'],
          message: `bands ascend: upTo ${band.upTo} must be above the previous band's ${previous}`,
        });
    });
  });

/** A timeout that follows the load: the recent latencies (`adaptive`), the load level (`perLoadLevel`), or both. */
const timeout = z
  .strictObject({ adaptive: adaptive.optional(), perLoadLevel: perLoadLevel.optional() })
  .refine((t) => t.adaptive !== undefined || t.perLoadLevel !== undefined, {
    message: 'timeout takes adaptive, perLoadLevel or both',
  });

export const policySchema = z.strictObject({
  /** static per-attempt timeouts */
  timeouts: z
    .strictObject({
      connect: durationOrQuantile.optional(),
      firstByte: durationOrQuantile.optional(),
      total: durationOrQuantile.optional(),
    })
    .default({}),
  /**
   * a timeout that follows the recent latencies (`timeout: { adaptive: { window: 200, k: 2 } }`) or the load
   * level (`timeout: { perLoadLevel: [{ upTo: 50, total: 300ms }, { total: 1s }] }`); with both, the lower cuts
   */
  timeout: timeout.optional(),
  retries: policyRetries.default(() => policyRetries.parse({})),
  /** retries may add at most this share of first attempts (Finagle/Envoy retry budget) */
  budget: ratio.optional(),
  /** a second copy after this delay; the first success wins */
  hedge: z.strictObject({ delay: durationOrQuantile }).optional(),
  breaker: breaker.optional(),
  samples: z.number().int().min(100).max(1_000_000).default(20_000),
  seed: z.number().int().default(1),
  /** replay one stage's distributions instead of the whole run's */
  stage: z.number().int().min(0).optional(),
});

export type PolicyFile = z.output<typeof policySchema>;

/** A client-policy file the user must fix, each problem located. */
export class PolicyError extends LocatedInputError {
  readonly code = 'E_POLICY';
}

/** A parsed policy and the top-level fields the file wrote (defaults fill the others). */
export interface ParsedPolicy {
  policy: PolicyFile;
  written: ReadonlySet<string>;
  yaml: LocatedYaml;
}

/** Parses a policy file (YAML or JSON); every problem names the file, line, column and field. */
export function readPolicy(text: string, file: string): ParsedPolicy {
  const yaml = readLocatedYaml(text, (problems) => new PolicyError(file, problems));
  const value = yaml.value ?? {};
  const parsed = policySchema.safeParse(value);
  if (!parsed.success) throw new PolicyError(file, locateProblems(yaml, zodProblems(parsed.error)));
  const written = new Set(typeof value === 'object' && value !== null ? Object.keys(value) : []);
  return { policy: parsed.data, written, yaml };
}

/** What a live run takes from a policy file: the state machines' settings, and what replaces the scenario client's. */
export interface LivePolicy {
  callPolicy: CallPolicy;
  timeouts: { connectMs?: number; firstByteMs?: number; totalMs?: number };
  /** present when the file sets retries: they replace the scenario's (Retry-After handling stays the scenario's) */
  retries?: BackoffPolicy & { max: number; on: (typeof POLICY_RETRY_ON)[number][] };
}

/**
 * The live form of a policy. A quantile has no value before the run it would be read from: it is refused at
 * its line, with the way out (a duration, or `analyze --policy` on a recorded run).
 */
export function livePolicy(parsed: ParsedPolicy, file: string): LivePolicy {
  const { policy, yaml } = parsed;
  const problems: { path: (string | number)[]; message: string }[] = [];
  const ms = (value: DurationOrQuantile | undefined, path: (string | number)[]): number | undefined => {
    if (value === undefined) return undefined;
    if ('ms' in value) return value.ms;
    problems.push({
      path,
      message: `p${value.quantile * 100} is read from a recorded run: a live policy needs a duration (replay quantiles with analyze --policy)`,
    });
    return undefined;
  };
  const connectMs = ms(policy.timeouts.connect, ['timeouts', 'connect']);
  const firstByteMs = ms(policy.timeouts.firstByte, ['timeouts', 'firstByte']);
  const totalMs = ms(policy.timeouts.total, ['timeouts', 'total']);
  const hedgeMs = policy.hedge ? ms(policy.hedge.delay, ['hedge', 'delay']) : undefined;
  const loadLevelTimeouts = policy.timeout?.perLoadLevel?.map((band, i) => ({
    ...(band.upTo !== undefined && { upTo: band.upTo }),
    totalMs: ms(band.total, ['timeout', 'perLoadLevel', i, 'total']) ?? 0,
  }));
  if (problems.length > 0) throw new PolicyError(file, locateProblems(yaml, problems));
  const r = policy.retries;
  return {
    callPolicy: { ...callPolicyOf(policy, hedgeMs), ...(loadLevelTimeouts && { loadLevelTimeouts }) },
    timeouts: {
      ...(connectMs !== undefined && { connectMs }),
      ...(firstByteMs !== undefined && { firstByteMs }),
      ...(totalMs !== undefined && { totalMs }),
    },
    ...(parsed.written.has('retries') && {
      retries: { max: r.max, backoff: r.backoff, baseMs: r.base, maxBackoffMs: r.maxBackoff, jitter: r.jitter, on: [...r.on] },
    }),
  };
}

/** The state machines' settings, shared by the live and the replayed policy. */
export function callPolicyOf(policy: PolicyFile, hedgeMs: number | undefined): CallPolicy {
  const b = policy.breaker;
  const a = policy.timeout?.adaptive;
  return {
    ...(policy.budget !== undefined && { budgetRatio: policy.budget }),
    ...(hedgeMs !== undefined && { hedge: { delayMs: hedgeMs } }),
    ...(b && {
      breaker: {
        window: b.window,
        failureRate: b.failureRate,
        minCalls: b.minCalls ?? Math.min(b.window, 20),
        openMs: b.open,
        halfOpenProbes: b.halfOpenProbes,
      },
    }),
    ...(a && { adaptiveTimeout: { window: a.window, k: a.k, minSamples: a.minSamples ?? Math.min(a.window, 20) } }),
  };
}
