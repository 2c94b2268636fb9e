import type { PreparedRequest } from '../engines/types.js';
import type { CheckSpec } from '../metrics/grammar/check.js';
import { needsResponse } from './response-rules.js';
import { DEFAULT_CONTEXT, renderTemplate, type RowSource, type TemplateContext } from './template.js';

/** One request of the scenario as plain data (it crosses to the workers by structured clone). */
export interface RequestPlan {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** appended to the path, templates rendered, names and values percent-encoded */
  query?: Record<string, string | number | boolean>;
  json?: unknown;
  body?: string;
  stream: 'none' | 'sse' | 'ws';
  weight: number;
  expectStatus?: number[];
  /** response checks (validated and labelled when the scenario was loaded) */
  checks?: CheckSpec[];
  /** read completion tokens from a plain JSON response: true for the default path, or a JSON path */
  usage?: boolean | string;
  /** keep the response body: a flow step that captures, or a poll that reads the job's state */
  readResponse?: boolean;
}

/** Who is asking for the next request: the built-ins `{{ vu }}` and `{{ iteration }}` read it. */
export interface Sender {
  vu: number;
  iteration: number;
}

const NO_SENDER: Sender = { vu: 0, iteration: 0 };

/**
 * Turns a request plan into bytes to send: picks one by weight, renders its templates (path, query, headers,
 * body) from the feeders and built-ins, encodes the JSON body. Plans with no placeholders are encoded once and
 * reused; a templated plan gives a new object per request (the wire engine's byte cache is keyed by object).
 */
export class RequestPreparer {
  private readonly cumulativeWeights: number[];
  private readonly totalWeight: number;
  private readonly cached: (PreparedRequest | undefined)[];
  /** flow steps and polls without placeholders, encoded once (null: templated, rendered per request) */
  private readonly cachedSteps = new Map<RequestPlan, PreparedRequest | null>();
  private readonly context: TemplateContext;

  constructor(
    private readonly plans: readonly RequestPlan[],
    private readonly rows: RowSource,
    private readonly random: () => number,
    private readonly staticHeaders: Record<string, string>,
  ) {
    let sum = 0;
    this.cumulativeWeights = plans.map((plan) => (sum += plan.weight));
    this.totalWeight = sum;
    this.context = { ...DEFAULT_CONTEXT, random };
    this.cached = plans.map((plan) => (hasPlaceholder(plan) ? undefined : this.render(plan, NO_SENDER)));
  }

  next(sender: Sender = NO_SENDER): PreparedRequest {
    let index = 0;
    if (this.plans.length > 1) {
      const draw = this.random() * this.totalWeight;
      while (index < this.cumulativeWeights.length - 1 && draw >= this.cumulativeWeights[index]!) index++;
    }
    return this.cached[index] ?? this.render(this.plans[index]!, sender);
  }

  /**
   * One step of a flow (or one poll), rendered for its sender with the values earlier steps captured; `extraJson`
   * adds fields to a JSON body (the callback URL of an async job). Step plans without placeholders are encoded once.
   */
  prepare(
    plan: RequestPlan,
    sender: Sender,
    captured?: ReadonlyMap<string, unknown>,
    extraJson?: Record<string, unknown>,
  ): PreparedRequest {
    if (extraJson === undefined) {
      let cached = this.cachedSteps.get(plan);
      if (cached === undefined) {
        cached = hasPlaceholder(plan) ? null : this.render(plan, NO_SENDER);
        this.cachedSteps.set(plan, cached);
      }
      if (cached) return cached;
    }
    const rows: RowSource =
      captured && captured.size > 0 ? (name) => (captured.has(name) ? captured.get(name) : this.rows(name)) : this.rows;
    return this.render(plan, sender, rows, extraJson);
  }

  private render(plan: RequestPlan, sender: Sender, rows: RowSource = this.rows, extraJson?: Record<string, unknown>): PreparedRequest {
    const context = sender === NO_SENDER ? this.context : { ...this.context, vu: sender.vu, iteration: sender.iteration };
    // One request, one draw: the path, headers and body read the same feeder rows, uuid and time.
    const drawn = new Map<string, unknown>();
    const render = (template: unknown) => renderTemplate(template, rows, context, drawn);
    const headers: Record<string, string> = { ...this.staticHeaders };
    for (const [name, value] of Object.entries(plan.headers)) headers[name.toLowerCase()] = textOf(render(value));
    let body: Buffer | undefined;
    if (plan.json !== undefined) {
      const json = render(plan.json);
      body = Buffer.from(JSON.stringify(extraJson ? { ...(json as Record<string, unknown>), ...extraJson } : json));
      headers['content-type'] ??= 'application/json';
    } else if (plan.body !== undefined) {
      body = Buffer.from(textOf(render(plan.body)));
    }
    if (body) headers['content-length'] = String(body.length);
    if (plan.stream === 'sse') headers.accept ??= 'text/event-stream';
    let path = textOf(render(plan.path));
    if (plan.query) path = withQuery(path, render(plan.query) as Record<string, unknown>);
    return {
      name: plan.name,
      method: plan.method,
      path,
      headers,
      body,
      stream: plan.stream,
      ...(needsResponse(plan) || plan.readResponse ? { readResponse: true } : {}),
    };
  }
}

/** Query parameters appended to the path, each name and value percent-encoded (a value may hold anything). */
export function withQuery(path: string, query: Record<string, unknown>): string {
  const pairs = Object.entries(query).map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(textOf(value))}`);
  if (pairs.length === 0) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${pairs.join('&')}`;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function hasPlaceholder(plan: RequestPlan): boolean {
  return JSON.stringify([plan.path, plan.json ?? null, plan.body ?? null, plan.headers, plan.query ?? null]).includes('{{');
}
