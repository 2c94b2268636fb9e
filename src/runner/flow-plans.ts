import type { Scenario } from '../scenario/types.js';
import type { FlowPlan, StepPlan } from '../client/flow-plan.js';
import { basePathOf, joinPath } from '../shared/url-path.js';

type Step = Scenario['flows'][number]['steps'][number];

/**
 * The scenario's flows as the workers run them: every `requests:` item as a one-step flow of its own (weighted as
 * it was), then the flows. Paths are joined under the target's base path once, here: every engine then sends them
 * as they are.
 */
export function flowPlansOf(scenario: Scenario, baseUrl: string): FlowPlan[] {
  const base = basePathOf(baseUrl);
  const implicit = scenario.requests.map(({ weight, ...request }) => ({
    name: request.name,
    weight,
    steps: [stepPlan(request, base)],
    implicit: true,
  }));
  const explicit = scenario.flows.map((flow) => ({
    name: flow.name,
    weight: flow.weight,
    ...(flow.think ? { think: flow.think } : {}),
    steps: flow.steps.map((step) => stepPlan(step, base)),
    implicit: false,
  }));
  return [...implicit, ...explicit];
}

function stepPlan(step: Step, base: string): StepPlan {
  const { capture, think, poll, callback, ...request } = step;
  return {
    ...request,
    path: joinPath(base, request.path),
    weight: 1,
    // Only steps that read their response keep it; every other response is counted and dropped.
    ...(capture ? { capture, readResponse: true } : {}),
    ...(think ? { think } : {}),
    ...(poll
      ? {
          poll: {
            request: {
              name: poll.name ?? `${step.name}.poll`,
              method: poll.method,
              path: joinPath(base, poll.path),
              headers: poll.headers,
              ...(poll.query ? { query: poll.query } : {}),
              stream: 'none',
              weight: 1,
              readResponse: true,
            },
            everyMs: poll.every,
            timeoutMs: poll.timeout,
            until: poll.until,
          },
        }
      : {}),
    ...(callback
      ? { callback: { field: callback.field, timeoutMs: callback.timeout, ...(callback.failed ? { failed: callback.failed } : {}) } }
      : {}),
  };
}
