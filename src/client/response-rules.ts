import type { KeptResponse } from '../engines/types.js';
import type { CheckOutcome } from '../metrics/checks.js';
import { compileJsonPath, readJsonPath, type JsonPath } from '../shared/json-path.js';
import { compileCheck, type CheckSpec, type CompiledCheck } from '../metrics/grammar/check.js';
import { checksNeedResponse, runChecks } from './checks.js';
import { ResponseView } from './response-view.js';

/** What a request asks of its responses, as a scenario's request plan states it. */
export interface ResponseRulesPlan {
  name: string;
  checks?: CheckSpec[];
  /** true: the default usage path; a string: that JSON path; absent or false: tokens are not read */
  usage?: boolean | string;
}

/** A request's checks and usage path, compiled once per worker. */
export interface ResponseRules {
  checks: readonly CompiledCheck[];
  usage?: JsonPath;
}

/** What reading one response found: the checks' outcomes and the completion tokens it reported. */
export interface ResponseFindings {
  checks?: CheckOutcome[];
  /** the first failed check's reason */
  failure?: string;
  usageTokens?: number;
}

/** Rules by request name, for the requests that have any. */
export function compileResponseRules(plans: readonly ResponseRulesPlan[], defaultUsagePath: string): Map<string, ResponseRules> {
  const rules = new Map<string, ResponseRules>();
  for (const plan of plans) {
    const usage = plan.usage === true ? defaultUsagePath : typeof plan.usage === 'string' ? plan.usage : undefined;
    if (!plan.checks?.length && usage === undefined) continue;
    rules.set(plan.name, {
      checks: (plan.checks ?? []).map(compileCheck),
      ...(usage !== undefined ? { usage: compileJsonPath(usage) } : {}),
    });
  }
  return rules;
}

/**
 * Whether the engine must keep a request's response head and body: only for checks that read more than the
 * status, or for usage. Every other request keeps the engines' no-copy path (bodies counted, not kept).
 */
export function needsResponse(plan: ResponseRulesPlan): boolean {
  return (plan.checks !== undefined && checksNeedResponse(plan.checks)) || (plan.usage !== undefined && plan.usage !== false);
}

/** Runs a request's checks on one complete response and reads its usage report. */
export function inspectResponse(rules: ResponseRules, status: number, kept: KeptResponse | undefined): ResponseFindings {
  const view = new ResponseView(status, kept);
  const findings: ResponseFindings = {};
  if (rules.checks.length > 0) {
    findings.checks = runChecks(rules.checks, view);
    findings.failure = findings.checks.find((check) => check.failure !== undefined)?.failure;
  }
  // Only a body the server calls JSON is parsed for usage: an error page or a binary body costs no parse.
  if (rules.usage && kept && view.isJson()) {
    const parsed = view.json();
    const tokens = parsed.ok ? readJsonPath(rules.usage, parsed.value) : undefined;
    if (typeof tokens === 'number' && Number.isFinite(tokens) && tokens >= 0) findings.usageTokens = tokens;
  }
  return findings;
}
