import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/read.js';
import { ScenarioError } from '../../src/scenario/errors.js';

const scenario = (alerts: string) => `name: t
target:
  url: http://127.0.0.1:9
requests:
  - name: generate
    method: POST
    path: /v1/generate
load:
  closed:
    - { hold: 1s, concurrency: 1 }
${alerts}
`;

function problemsOf(text: string): string {
  try {
    parseScenario(text, 'scenario.yaml', {});
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('expected a ScenarioError');
}

describe('the alerts field', () => {
  it('takes metric names, matchers and routes, with defaults for what is left out', () => {
    const parsed = parseScenario(
      scenario(
        `alerts:\n  requests: api_calls_total\n  selector: 'job="api", env=~"prod|staging"'\n  routes: { generate: 'handler="/v1/generate"' }`,
      ),
      'scenario.yaml',
      {},
    );
    expect(parsed.alerts).toEqual({
      requests: 'api_calls_total',
      errors: 'code=~"5.."',
      duration: 'http_request_duration_seconds',
      selector: 'job="api", env=~"prod|staging"',
      routes: { generate: 'handler="/v1/generate"' },
    });
  });

  it.each([
    ['  requests: "http requests"', /^scenario\.yaml:12:3: alerts\.requests: a Prometheus metric name/m],
    ['  errors: code=5xx', /^scenario\.yaml:12:3: alerts\.errors: PromQL label matchers, as inside braces/m],
    ['  selector: \'job="api",\'', /^scenario\.yaml:12:3: alerts\.selector: /m],
    ['  routes: { generat: \'handler="/g"\' }', /alerts\.routes\.generat: no request is named "generat" \(requests: generate\)/],
  ])('refuses %s, naming file, line and field', (line, message) => {
    expect(problemsOf(scenario(`alerts:\n${line}`))).toMatch(message);
  });
});
