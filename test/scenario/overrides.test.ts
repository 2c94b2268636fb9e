import { describe, expect, it } from 'vitest';
import { applyOverrides, describeOverrides, OverrideError, parseEnvOverride, parseSetOverride } from '../../src/scenario/overrides.js';
import { parseScenario } from '../../src/scenario/read.js';
import { ScenarioError } from '../../src/scenario/errors.js';

describe('parsing the override flags', () => {
  it.each([
    ['load.closed[0].concurrency=8', ['load', 'closed', 0, 'concurrency'], 8],
    ['client.keepAlive=false', ['client', 'keepAlive'], false],
    ['client.timeouts.total=250ms', ['client', 'timeouts', 'total'], '250ms'],
    ['requests[0].headers["X-Trace.Id"]=a=b', ['requests', 0, 'headers', 'X-Trace.Id'], 'a=b'],
    ['requests[0].headers.X-Id=abc', ['requests', 0, 'headers', 'X-Id'], 'abc'],
    ['thresholds=["p99 < 1s"]', ['thresholds'], ['p99 < 1s']],
    ['description=', ['description'], null],
  ])('--set %s', (text, path, value) => {
    expect(parseSetOverride(text)).toEqual({ text, path, value });
  });

  it.each(['nothing', '=8', 'load..closed=1', 'load.closed[x]=1', 'load.closed[0=1', '[0]=1'])(
    '--set %s is refused with how to write it',
    (text) => {
      expect(() => parseSetOverride(text)).toThrow(OverrideError);
    },
  );

  it.each([
    ['VUS=32', ['VUS', '32']],
    ['TARGET=https://h/x?a=b', ['TARGET', 'https://h/x?a=b']],
    ['EMPTY=', ['EMPTY', '']],
  ])('-e %s', (text, expected) => {
    expect(parseEnvOverride(text)).toEqual(expected);
  });

  it.each(['VUS', '1X=2', '=3'])('-e %s is refused', (text) => {
    expect(() => parseEnvOverride(text)).toThrow(OverrideError);
  });
});

describe('applying overrides to the document', () => {
  const document = { target: { mock: { profile: 'x' } }, load: { closed: [{ hold: '1s', concurrency: 2 }] } };

  it('replaces the target, drops the mock, sets fields, creates missing mappings, and leaves the input alone', () => {
    const out = applyOverrides(document, {
      target: 'https://h.example/api',
      set: [
        parseSetOverride('load.closed[0].concurrency=8'),
        parseSetOverride('client.tls.insecure=true'),
        parseSetOverride('load.closed[1]={ hold: 2s }'),
      ],
    });
    expect(out).toEqual({
      target: { url: 'https://h.example/api' },
      load: { closed: [{ hold: '1s', concurrency: 8 }, { hold: '2s' }] },
      client: { tls: { insecure: true } },
    });
    expect(document.load.closed[0]!.concurrency).toBe(2);
  });

  it.each([
    ['load.closed[5].concurrency=1', 'past the end of a list of 1'],
    ['load.closed.hold=1', 'load.closed is not a mapping'],
    ['target[0]=1', 'target is not a list'],
  ])('%s is refused: %s', (text, message) => {
    expect(() => applyOverrides(document, { set: [parseSetOverride(text)] })).toThrow(message);
  });

  it('lists overrides with secrets hidden', () => {
    expect(
      describeOverrides({
        env: { VUS: '32', CLIENT_SECRET: 'hunter22' },
        target: 'https://u:pw@h.example/api',
        set: [parseSetOverride('auth.oauth2.clientSecret=abcdef'), parseSetOverride('workers=2')],
        workers: 3,
      }),
    ).toEqual([
      '-e VUS=32',
      '-e CLIENT_SECRET=[redacted]',
      '--target https://h.example/api',
      '--set auth.oauth2.clientSecret=[redacted]',
      '--set workers=2',
      '--workers 3',
    ]);
  });
});

describe('${NAME} in number fields', () => {
  const text = `name: n
target: { url: "http://127.0.0.1:9" }
requests: [{ name: g, path: /g, weight: "\${W:-2}" }]
client: { keepAlive: "\${KA:-true}", poolSize: "\${POOL:-4}" }
load:
  closed:
    - { hold: 1s, concurrency: "\${VUS:-1}" }
    - { ramp: 1s, to: "\${TO}" }
`;
  const messageOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof ScenarioError) return error.message;
      throw error;
    }
    return '';
  };

  it('converts the substituted text where the schema wants a number or a boolean', () => {
    const scenario = parseScenario(text, 's.yaml', { TO: '16' });
    expect(scenario.load.segments.map((s) => [s.from, s.to])).toEqual([
      [1, 1],
      [1, 16],
    ]);
    expect(scenario.requests[0]!.weight).toBe(2);
    expect(scenario.client.keepAlive).toBe(true);
    expect(scenario.client.poolSize).toBe(4);
  });

  it('takes -e ahead of the environment', () => {
    const scenario = parseScenario(text, 's.yaml', { TO: '16', VUS: '3' }, { env: { VUS: '32' } });
    expect(scenario.load.segments[0]!.to).toBe(32);
    expect(scenario.overrides).toEqual(['-e VUS=32']);
  });

  it('refuses text that is not a number at its line, saying what the variable gave', () => {
    expect(messageOf(() => parseScenario(text, 's.yaml', { TO: 'lots', KA: 'yes' }))).toBe(
      [
        's.yaml:4:11: client.keepAlive: ${KA:-true} gives "yes", which is not a boolean',
        's.yaml:8:19: load.closed[1].to: ${TO} gives "lots", which is not a number',
      ].join('\n'),
    );
  });

  it('leaves a string field a string, digits or not', () => {
    const scenario = parseScenario(text.replace('requests:', 'auth: { header: { name: X-Key, value: "${KEY}" } }\nrequests:'), 's.yaml', {
      TO: '1',
      KEY: '12345',
    });
    expect(scenario.auth?.header?.value).toBe('12345');
  });

  it('says when a bad value came from --set rather than the file', () => {
    expect(messageOf(() => parseScenario(text, 's.yaml', { TO: '1' }, { set: [parseSetOverride('workers=many')] }))).toMatch(
      /workers: .* \(set by --set workers=many\)/,
    );
  });
});
