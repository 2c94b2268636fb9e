import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/read.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { redactUrl } from '../../src/scenario/redact.js';

const valid = `name: t
target:
  url: http://127.0.0.1:9
auth:
  oauth2: { tokenUrl: /oauth/token, clientId: demo, clientSecret: "\${SECRET}" }
requests:
  - name: generate
    method: POST
    path: /v1/generate
    json: { prompt: hi, max_tokens: 8 }
client:
  timeouts: { connect: 2s, firstByte: 250ms }
load:
  closed:
    - { hold: 10s, concurrency: 4 }
    - { ramp: 20s, to: 64 }
    - { steps: [8, 16], each: 15s }
    - { spike: 256, for: 5s }
slo: { p99: 800ms, errorRate: 1% }
`;

function problemsOf(text: string, env: Record<string, string> = { SECRET: 's3cret' }): string {
  try {
    parseScenario(text, 'scenario.yaml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseScenario', () => {
  it('turns the DESIGN spellings into typed values with units in milliseconds', () => {
    const scenario = parseScenario(valid, 'scenario.yaml', { SECRET: 's3cret' });
    expect(scenario.client.timeouts).toMatchObject({ connect: 2000, firstByte: 250 });
    expect(scenario.slo).toEqual({ p99: 800, errorRate: 0.01 });
    expect(scenario.load.model).toBe('closed');
    expect(scenario.load.durationMs).toBe(10_000 + 20_000 + 30_000 + 5_000);
    expect(scenario.auth?.oauth2?.clientSecret).toBe('s3cret');
    expect(scenario.requests[0]!.stream).toBe('none');
  });

  it('keeps secrets out of the copy kept for reports', () => {
    const scenario = parseScenario(valid, 'scenario.yaml', { SECRET: 's3cret' });
    expect(JSON.stringify(scenario.redacted)).not.toContain('s3cret');
    expect(JSON.stringify(scenario.redacted)).toContain('[redacted]');
    const withCredentials = parseScenario(valid.replace('http://127.0.0.1:9', 'http://admin:hunter2@127.0.0.1:9'), 'scenario.yaml', {
      SECRET: 's3cret',
    });
    expect(JSON.stringify(withCredentials.redacted)).not.toContain('hunter2');
  });

  it('names file, line, column and field for an unknown field', () => {
    expect(problemsOf(valid.replace('    method: POST', '    method: POST\n    colour: red'))).toMatch(
      /^scenario\.yaml:9:5: requests\[0\]\.colour: unknown field "colour"$/m,
    );
  });

  it('names the field of a wrong type inside a load stage', () => {
    expect(problemsOf(valid.replace('concurrency: 4', 'concurrency: four'))).toMatch(
      /^scenario\.yaml:15:20: load\.closed\[0\]\.concurrency: Invalid input: expected number, received string$/m,
    );
  });

  it('explains a malformed duration', () => {
    expect(problemsOf(valid.replace('each: 15s', 'each: 15 sec'))).toMatch(
      /scenario\.yaml:17:25: load\.closed\[2\]\.each: expected a duration like "250ms", "10s" or "2m", got "15 sec"/,
    );
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('name: t\ntarget: [\n')).toMatch(/^scenario\.yaml:\d+:\d+: invalid YAML: /m);
  });

  it('reports a missing environment variable at the field that uses it', () => {
    expect(problemsOf(valid, {})).toMatch(/scenario\.yaml:5:\d+: auth\.oauth2\.clientSecret: environment variable SECRET is not set/);
  });

  it('reports every problem at once', () => {
    const text = valid.replace('concurrency: 4', 'concurrency: -1').replace('name: t\n', 'name: t\nbogus: 1\n');
    const message = problemsOf(text);
    expect(message.split('\n')).toHaveLength(2);
  });

  it('refuses both load models at once', () => {
    expect(problemsOf(valid.replace('load:\n', 'load:\n  open: [{ hold: 1s, rate: 5 }]\n'))).toMatch(/give exactly one of load\.closed/);
  });

  it('refuses a billion-laughs alias bomb instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    expect(problemsOf(bomb.join('\n'))).toMatch(/invalid YAML/);
  });
});

describe('redactUrl', () => {
  it('drops user:password@ from a URL and leaves others alone', () => {
    expect(redactUrl('https://user:p%40ss@api.example.com:8443/v1?x=1')).toBe('https://api.example.com:8443/v1?x=1');
    expect(redactUrl('http://127.0.0.1:8080/a@b')).toBe('http://127.0.0.1:8080/a@b');
  });
});
