/**
 * The profile schema: the one place that doubts a profile. It turns what a person writes (durations as "250ms",
 * optional sections) into a fully defaulted `ResolvedProfile` whose numbers carry their unit in their name.
 */
import { z } from 'zod';
// One duration grammar for scenarios and profiles: users write both.
import { durationMs } from '../src/shared/zod-units.js';
import type { LatencyModel } from './latency.js';

type DurationInput = number | string;

/** A latency model as written: a bare duration means `fixed`. */
export type LatencyModelInput =
  | DurationInput
  | { type: 'fixed'; value: DurationInput }
  | { type: 'uniform'; min: DurationInput; max: DurationInput }
  | { type: 'normal'; mean: DurationInput; sd: DurationInput }
  | { type: 'lognormal'; median: DurationInput; p99: DurationInput; max?: DurationInput }
  | { type: 'pareto'; scale: DurationInput; shape: number; max?: DurationInput }
  | { type: 'mixture'; components: Array<{ weight: number; model: LatencyModelInput }> };

const positiveDurationMs = durationMs.refine((ms) => ms > 0, 'must be greater than 0');

export const latencyModelSchema: z.ZodType<LatencyModel, LatencyModelInput> = z.lazy(
  () =>
    z.preprocess(
      (value) => (typeof value === 'number' || typeof value === 'string' ? { type: 'fixed', value } : value),
      z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('fixed'), value: durationMs }).transform((m) => ({ type: 'fixed' as const, ms: m.value })),
        z
          .strictObject({ type: z.literal('uniform'), min: durationMs, max: durationMs })
          .refine((m) => m.max >= m.min, { message: 'max must be at least min', path: ['max'] })
          .transform((m) => ({ type: 'uniform' as const, minMs: m.min, maxMs: m.max })),
        z
          .strictObject({ type: z.literal('normal'), mean: durationMs, sd: durationMs })
          .transform((m) => ({ type: 'normal' as const, meanMs: m.mean, sdMs: m.sd })),
        z
          .strictObject({
            type: z.literal('lognormal'),
            median: positiveDurationMs,
            p99: positiveDurationMs,
            max: positiveDurationMs.optional(),
          })
          .refine((m) => m.p99 >= m.median, { message: 'p99 must be at least the median', path: ['p99'] })
          .transform((m) => ({
            type: 'lognormal' as const,
            medianMs: m.median,
            p99Ms: m.p99,
            ...(m.max !== undefined && { maxMs: m.max }),
          })),
        z
          .strictObject({
            type: z.literal('pareto'),
            scale: positiveDurationMs,
            shape: z.number().positive(),
            max: positiveDurationMs.optional(),
          })
          .transform((m) => ({ type: 'pareto' as const, scaleMs: m.scale, shape: m.shape, ...(m.max !== undefined && { maxMs: m.max }) })),
        z
          .strictObject({
            type: z.literal('mixture'),
            components: z.array(z.strictObject({ weight: z.number().positive(), model: latencyModelSchema })).min(1),
          })
          .transform((m) => ({ type: 'mixture' as const, components: m.components })),
      ]),
    ),
  // preprocess() widens the input type to unknown; the declared input type is what the branches accept.
) as unknown as z.ZodType<LatencyModel, LatencyModelInput>;

const ZERO_MS: LatencyModel = { type: 'fixed', ms: 0 };

const probability = z.number().min(0).max(1);

const clientSchema = z.strictObject({ id: z.string().min(1), secret: z.string().min(1) });

const authSchema = z
  .strictObject({
    tokenTtlSeconds: z.number().int().min(1).default(3600),
    clients: z
      .array(clientSchema)
      .min(1)
      .default([{ id: 'demo', secret: 'demo-secret' }]),
    /** Latency of the token endpoint itself. */
    latency: latencyModelSchema.default(ZERO_MS),
  })
  .prefault({});

const limitsSchema = z
  .strictObject({
    bodyBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    maxTokens: z.number().int().positive().default(8192),
  })
  .prefault({});

const unlimited = z.literal('unlimited').transform(() => Infinity);

const capacitySchema = z
  .strictObject({
    /** Concurrent service slots; requests beyond them wait in a FIFO queue. */
    slots: z.union([z.number().int().positive(), unlimited]).default(Infinity),
    /** Waiting requests beyond this get 503 at once. */
    maxQueue: z.union([z.number().int().min(0), unlimited]).default(Infinity),
    /** Dynamic batching: one slot serves up to maxBatch requests together, gathered for up to batchWindow. */
    maxBatch: z.number().int().positive().default(1),
    batchWindow: durationMs.default(0),
  })
  .prefault({})
  .transform((c) => ({ slots: c.slots, maxQueue: c.maxQueue, maxBatch: c.maxBatch, batchWindowMs: c.batchWindow }));

const generateSchema = z
  .strictObject({
    /** Service time of a non-streamed request, before the per-token cost. */
    latency: latencyModelSchema.default(ZERO_MS),
    /** Added once per completion token (drawn once per request, multiplied by the token count). */
    perToken: latencyModelSchema.default(ZERO_MS),
    /** completion_tokens = round(max_tokens × a uniform draw in [min, max]), at least 1. */
    completionFraction: z
      .strictObject({ min: z.number().gt(0).max(1), max: z.number().gt(0).max(1) })
      .refine((f) => f.max >= f.min, { message: 'max must be at least min', path: ['max'] })
      .default({ min: 1, max: 1 }),
    /** Streams (SSE and WebSocket): time to first token, then a draw per following token. */
    ttft: latencyModelSchema.default(ZERO_MS),
    interToken: latencyModelSchema.default(ZERO_MS),
  })
  .prefault({})
  .transform((g) => ({
    latency: g.latency,
    perToken: g.perToken,
    completionFraction: g.completionFraction,
    ttft: g.ttft,
    interToken: g.interToken,
  }));

const rateLimitSchema = z.strictObject({
  ratePerSec: z.number().positive(),
  burst: z.number().int().positive(),
});

const faultsSchema = z
  .strictObject({
    /** Which endpoints faults apply to. */
    routes: z.array(z.enum(['generate', 'token'])).default(['generate']),
    /** Probability per injected status, e.g. { 500: 0.01, 503: 0.005 }. */
    status: z.record(z.string().regex(/^[45]\d\d$/, 'must be a 4xx or 5xx status'), probability).default({}),
    reset: probability.default(0),
    hang: probability.default(0),
    garbage: probability.default(0),
    slowBody: z
      .strictObject({ probability, chunkBytes: z.number().int().positive().default(16), interval: durationMs.default(50) })
      .optional(),
    /** Periodic stalls from server start: responses that would complete in [k·every, k·every + for) wait for its end. */
    stall: z
      .strictObject({ every: positiveDurationMs, for: positiveDurationMs })
      .refine((s) => s.for < s.every, { message: 'must be shorter than every', path: ['for'] })
      .optional(),
  })
  .prefault({})
  .superRefine((f, ctx) => {
    const total = Object.values(f.status).reduce((sum, p) => sum + p, 0) + f.reset + f.hang + f.garbage + (f.slowBody?.probability ?? 0);
    if (total > 1) ctx.addIssue({ code: 'custom', message: `fault probabilities add up to ${total}, more than 1` });
  })
  .transform((f) => ({
    routes: f.routes,
    status: Object.entries(f.status).map(([status, probability]) => ({ status: Number(status), probability })),
    resetProbability: f.reset,
    hangProbability: f.hang,
    garbageProbability: f.garbage,
    slowBody: f.slowBody && { probability: f.slowBody.probability, chunkBytes: f.slowBody.chunkBytes, intervalMs: f.slowBody.interval },
    stall: f.stall && { everyMs: f.stall.every, forMs: f.stall.for },
  }));

const jobsSchema = z
  .strictObject({ retention: durationMs.default(5 * 60_000) })
  .prefault({})
  .transform((j) => ({ retentionMs: j.retention }));

export const profileSchema = z.strictObject({
  name: z.string().default('custom'),
  description: z.string().optional(),
  /** Default seed when the server is started without one. */
  seed: z.number().int().optional(),
  auth: authSchema,
  limits: limitsSchema,
  capacity: capacitySchema,
  generate: generateSchema,
  rateLimit: rateLimitSchema.optional(),
  faults: faultsSchema,
  jobs: jobsSchema,
});

/** A profile as written in YAML/JSON or passed in code; every section is optional. */
export type MockProfile = z.input<typeof profileSchema>;
/** A validated profile with every default filled in and every duration in milliseconds. */
export type ResolvedProfile = z.output<typeof profileSchema>;
