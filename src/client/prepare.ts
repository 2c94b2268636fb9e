import type { PreparedRequest } from '../engines/types.js';
import { renderTemplate, type RowSource } from './template.js';

/** One request of the scenario as plain data (it crosses to the workers by structured clone). */
export interface RequestPlan {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  json?: unknown;
  body?: string;
  stream: 'none' | 'sse' | 'ws';
  weight: number;
  expectStatus?: number[];
}

/**
 * Turns a request plan into bytes to send: picks one by weight, renders its templates from the feeders,
 * encodes the JSON body. Plans with no placeholders are encoded once and reused.
 */
export class RequestPreparer {
  private readonly cumulativeWeights: number[];
  private readonly totalWeight: number;
  private readonly cached: (PreparedRequest | undefined)[];

  constructor(
    private readonly plans: readonly RequestPlan[],
    private readonly rows: RowSource,
    private readonly random: () => number,
    private readonly staticHeaders: Record<string, string>,
  ) {
    let sum = 0;
    this.cumulativeWeights = plans.map((plan) => (sum += plan.weight));
    this.totalWeight = sum;
    this.cached = plans.map((plan) => (hasPlaceholder(plan) ? undefined : this.render(plan)));
  }

  next(): PreparedRequest {
    let index = 0;
    if (this.plans.length > 1) {
      const draw = this.random() * this.totalWeight;
      while (index < this.cumulativeWeights.length - 1 && draw >= this.cumulativeWeights[index]!) index++;
    }
    return this.cached[index] ?? this.render(this.plans[index]!);
  }

  private render(plan: RequestPlan): PreparedRequest {
    const headers: Record<string, string> = { ...this.staticHeaders, ...lowerKeys(plan.headers) };
    let body: Buffer | undefined;
    if (plan.json !== undefined) {
      body = Buffer.from(JSON.stringify(renderTemplate(plan.json, this.rows)));
      headers['content-type'] ??= 'application/json';
    } else if (plan.body !== undefined) {
      body = Buffer.from(String(renderTemplate(plan.body, this.rows)));
    }
    if (body) headers['content-length'] = String(body.length);
    if (plan.stream === 'sse') headers.accept ??= 'text/event-stream';
    return {
      name: plan.name,
      method: plan.method,
      path: String(renderTemplate(plan.path, this.rows)),
      headers,
      body,
      stream: plan.stream,
    };
  }
}

function hasPlaceholder(plan: RequestPlan): boolean {
  return JSON.stringify([plan.path, plan.json ?? null, plan.body ?? null, plan.headers]).includes('{{');
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}
