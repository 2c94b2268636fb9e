import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/read.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { flowPlansOf } from '../../src/runner/flow-plans.js';

const head = `name: t
target: { url: "http://127.0.0.1:9/api/v2" }
load: { closed: [{ hold: 1s, concurrency: 1 }] }
`;

function problemsOf(text: string): string {
  try {
    parseScenario(text, 'scenario.yaml', {});
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  return '';
}

describe('flows in a scenario', () => {
  it('loads the bundled async-jobs example', () => {
    const url = new URL('../../scenarios/async-jobs.yaml', import.meta.url);
    const scenario = parseScenario(readFileSync(url, 'utf8'), url.pathname, {});
    expect(scenario.flows.map((f) => f.name)).toEqual(['job', 'webhook']);
    expect(scenario.requests).toEqual([]);
  });

  it('runs requests as one-step flows beside the flows, paths under the base path, polls named after their step', () => {
    const scenario = parseScenario(
      `${head}requests:
  - { name: health, path: /healthz, weight: 2, think: 50ms }
flows:
  - name: job
    think: { min: 1s, max: 2s }
    steps:
      - name: submit
        method: POST
        path: /generate
        json: { async: true }
        capture: { jobId: "$.id" }
        poll: { path: "/jobs/{{ jobId }}", every: 250ms, until: { json: "$.status", in: [done] } }
      - { name: cb, method: POST, path: /generate, json: { async: true }, callback: true }
`,
      'scenario.yaml',
      {},
    );
    const plans = flowPlansOf(scenario, 'http://127.0.0.1:9/api/v2');
    expect(plans.map((p) => [p.name, p.weight, p.implicit])).toEqual([
      ['health', 2, true],
      ['job', 1, false],
    ]);
    expect(plans[0]!.steps[0]).toMatchObject({ path: '/api/v2/healthz', think: { minMs: 50, maxMs: 50 } });
    expect(plans[0]!.steps[0]!.readResponse).toBeUndefined();
    const [submit, cb] = plans[1]!.steps;
    expect(plans[1]!.think).toEqual({ minMs: 1000, maxMs: 2000 });
    expect(submit).toMatchObject({ path: '/api/v2/generate', readResponse: true, capture: { jobId: '$.id' } });
    expect(submit!.poll).toMatchObject({
      request: { name: 'submit.poll', method: 'GET', path: '/api/v2/jobs/{{ jobId }}', readResponse: true },
      everyMs: 250,
      timeoutMs: 60_000,
    });
    expect(cb!.callback).toEqual({ field: 'callback_url', timeoutMs: 60_000 });
  });

  it.each([
    ['neither requests nor flows', '', /requests: give requests \(sent one at a time\) or flows/],
    [
      'a step with a weight',
      'flows: [{ name: f, steps: [{ name: a, path: /a, weight: 2 }] }]',
      /flows\[0\]\.steps\[0\]\.weight: unknown field "weight"/,
    ],
    [
      'a step name used twice across flows',
      'flows: [{ name: f, steps: [{ name: a, path: /a }] }, { name: g, steps: [{ name: a, path: /b }] }]',
      /flows\[1\]\.steps\[0\]\.name: "a" is already the name of flows\[0\]\.steps\[0\]/,
    ],
    [
      'two flows of one name',
      'flows: [{ name: f, steps: [{ name: a, path: /a }] }, { name: f, steps: [{ name: b, path: /b }] }]',
      /flows\[1\]\.name: "f" is already the name of flows\[0\]/,
    ],
    [
      'think whose min is above its max',
      'flows: [{ name: f, think: { min: 2s, max: 1s }, steps: [{ name: a, path: /a }] }]',
      /think min \(2000 ms\) is above its max/,
    ],
    [
      'a callback without a JSON body',
      'flows: [{ name: f, steps: [{ name: a, method: POST, path: /a, callback: true }] }]',
      /callback: a callback URL is sent in the JSON body/,
    ],
    [
      'a poll and a callback on one step',
      'flows: [{ name: f, steps: [{ name: a, path: /a, json: {}, callback: true, poll: { path: /p, until: { json: $.s, in: [x] } } }] }]',
      /an async job is polled or called back, not both/,
    ],
    [
      'a capture from a stream',
      'flows: [{ name: f, steps: [{ name: a, path: /a, stream: sse, capture: { x: $.x } }] }]',
      /capture: a streamed answer is not kept/,
    ],
    [
      'a captured name that is a built-in',
      'flows: [{ name: f, steps: [{ name: a, path: /a, capture: { uuid: $.id } }] }]',
      /"uuid" is already a built-in template value/,
    ],
    [
      'a completion threshold without async steps',
      `flows: [{ name: f, steps: [{ name: a, path: /a }] }]\nthresholds: ["p99(completion) < 1s"]`,
      /the completion metric needs a step with poll or callback/,
    ],
  ])('refuses %s, naming the field', (_what, body, message) => {
    expect(problemsOf(`${head}${body}\n`)).toMatch(message);
  });

  it('lets a poll use what its own step captures, and a later step what earlier steps capture', () => {
    expect(
      problemsOf(`${head}flows:
  - name: f
    steps:
      - { name: a, path: /a, capture: { x: "$.x" }, poll: { path: "/p/{{ x }}", until: { json: $.s, in: [done] } } }
      - { name: b, path: "/b/{{ x }}", headers: { X-Id: "{{ x }}" }, json: { id: "{{ x }}" } }
`),
    ).toBe('');
  });
});
