import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import type { EncodedHistograms } from '../result/types.js';
import { parseDurationMs } from '../shared/units.js';
import { durationMs as duration, ratio } from '../shared/zod-units.js';
import { decodeDistribution, quantileMs } from './distribution.js';
import type { ReplayPolicy } from './types.js';

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

export const policySchema = z.strictObject({
  timeouts: z
    .strictObject({ connect: durationOrQuantile.optional(), firstByte: durationOrQuantile.optional(), total: durationOrQuantile.optional() })
    .default({}),
  retries: z
    .strictObject({
      max: z.number().int().min(0).max(10).default(0),
      backoff: z.enum(['exponential', 'constant']).default('exponential'),
      base: duration.default(100),
      maxBackoff: duration.default(5000),
      jitter: z.enum(['full', 'equal', 'none']).default('full'),
      on: z.array(z.enum(['5xx', 'reset', 'timeout', 'connect'])).default(['5xx', 'reset', 'timeout', 'connect']),
    })
    .default({ max: 0, backoff: 'exponential', base: 100, maxBackoff: 5000, jitter: 'full', on: ['5xx', 'reset', 'timeout', 'connect'] }),
  /** retries may add at most this share of first attempts (Finagle/Envoy retry budget) */
  budget: ratio.optional(),
  hedge: z.strictObject({ delay: durationOrQuantile }).optional(),
  samples: z.number().int().min(100).max(1_000_000).default(20_000),
  seed: z.number().int().default(1),
  /** replay one stage's distributions instead of the whole run's */
  stage: z.number().int().min(0).optional(),
});

export type PolicyFile = z.output<typeof policySchema>;

export class PolicyError extends Error {
  readonly code = 'E_POLICY';
  constructor(
    readonly file: string,
    readonly problems: ReadonlyArray<{ line?: number; column?: number; field: string; message: string }>,
  ) {
    super(problems.map((p) => `${file}${p.line ? `:${p.line}` : ''}${p.column ? `:${p.column}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n'));
    this.name = 'PolicyError';
  }
}

/** Parses a policy file (YAML or JSON); every problem names the file, line, column and field. */
export function parsePolicy(text: string, file: string): PolicyFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new PolicyError(file, document.errors.map((e) => ({ line: e.linePos?.[0]?.line, column: e.linePos?.[0]?.col, field: '', message: `invalid YAML: ${e.message.split('\n')[0]}` })));
  }
  const raw: unknown = document.toJS({ maxAliasCount: 100 }) ?? {};
  const parsed = policySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new PolicyError(
    file,
    parsed.error.issues.flatMap((issue) => {
      const path = issue.path as (string | number)[];
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...path, k]) : [path];
      return paths.map((p) => ({
        ...locate(document, lineCounter, p),
        field: p.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join(''),
        message: issue.code === 'unrecognized_keys' ? `unknown field "${String(p[p.length - 1])}"` : issue.message,
      }));
    }),
  );
}

function locate(document: Document, lineCounter: LineCounter, path: (string | number)[]): { line?: number; column?: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return {};
}

/** Reads quantile-valued fields off the run's histograms: "p99" of ttfb becomes that many milliseconds. */
export function resolvePolicy(policy: PolicyFile, histograms: EncodedHistograms, file: string): ReplayPolicy {
  const resolve = (value: { ms: number } | { quantile: number } | undefined, metric: 'connect' | 'ttfb' | 'total', field: string): number | undefined => {
    if (value === undefined) return undefined;
    if ('ms' in value) return value.ms;
    const distribution = decodeDistribution(histograms[metric]);
    if (!distribution) throw new PolicyError(file, [{ field, message: `the run recorded no ${metric} times to read p${value.quantile * 100} from` }]);
    return quantileMs(distribution, value.quantile);
  };
  const connectMs = resolve(policy.timeouts.connect, 'connect', 'timeouts.connect');
  const firstByteMs = resolve(policy.timeouts.firstByte, 'ttfb', 'timeouts.firstByte');
  const totalMs = resolve(policy.timeouts.total, 'total', 'timeouts.total');
  const hedgeMs = policy.hedge ? resolve(policy.hedge.delay, 'total', 'hedge.delay') : undefined;
  return {
    timeouts: { ...(connectMs !== undefined && { connectMs }), ...(firstByteMs !== undefined && { firstByteMs }), ...(totalMs !== undefined && { totalMs }) },
    retries: { max: policy.retries.max, backoff: policy.retries.backoff, baseMs: policy.retries.base, maxBackoffMs: policy.retries.maxBackoff, jitter: policy.retries.jitter, on: policy.retries.on },
    ...(policy.budget !== undefined && { budgetRatio: policy.budget }),
    ...(hedgeMs !== undefined && { hedge: { delayMs: hedgeMs } }),
    samples: policy.samples,
    seed: policy.seed,
  };
}
