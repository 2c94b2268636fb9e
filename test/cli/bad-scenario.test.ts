import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { fakeIo } from '../helpers/fake-io.js';

const base = `name: broken
target:
  mock: { profile: fixed-20ms }
requests:
  - name: generate
    method: POST
    path: /v1/generate
load:
  closed:
    - { hold: 1s, concurrency: 2 }
`;

const broken: [string, string, RegExp][] = [
  ['bad YAML', base.replace('    path: /v1/generate', '    path: [/v1/generate'), /bad-yaml\.yaml:\d+:\d+: invalid YAML/],
  [
    'an unknown field',
    base.replace('    method: POST', '    method: POST\n    retries: 3'),
    /unknown-field\.yaml:7:5: requests\[0\]\.retries: unknown field "retries"/,
  ],
  [
    'a wrong type',
    base.replace('concurrency: 2', 'concurrency: "two"'),
    /wrong-type\.yaml:10:\d+: load\.closed\[0\]\.concurrency: Invalid input: expected number, received string/,
  ],
];

const search = (fields: string, slo = 'slo: { p99: 200ms }\n') =>
  base.replace('load:\n  closed:\n    - { hold: 1s, concurrency: 2 }\n', `load:\n  search: { ${fields} }\n${slo}`);
broken.push(
  [
    'a search without an SLO',
    search('from: 10, to: 100', ''),
    /search-no-slo\.yaml:9:\d+: load\.search: a search looks for the highest load that keeps the SLO/,
  ],
  [
    'a search that runs downhill',
    search('from: 100, to: 10'),
    /search-downhill\.yaml:9:\d+: load\.search\.from: from \(100\) is above to \(10\)/,
  ],
  [
    'a closed search over fractional users',
    search('model: closed, from: 1.5, to: 10'),
    /search-fractional\.yaml:9:\d+: load\.search\.from: a closed-model search counts whole users/,
  ],
  [
    'a search with a bad precision',
    search('from: 1, to: 10, precision: 0'),
    /search-precision\.yaml:9:\d+: load\.search\.precision: precision is a share/,
  ],
  [
    'a search beside stages',
    base.replace('load:\n', 'load:\n  search: { from: 1, to: 10 }\n') + 'slo: { p99: 1s }\n',
    /search-and-stages\.yaml:\d+:\d+: load: give exactly one of load\.closed .* or load\.search/,
  ],
);

describe('tailscope run with a broken scenario', () => {
  it.each(broken)('exits 2 on %s, naming line and field, and writes nothing', async (_what, text, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'tailscope-bad-'));
    const name = message.source.split('\\.yaml')[0]!;
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, text);
    const { io, stderr, stdout } = fakeIo(dir);

    const code = await runCli(['run', file, '--out', join(dir, 'out')], io);

    expect(code).toBe(EXIT.badInput);
    expect(stderr()).toMatch(message);
    expect(stdout()).toBe('');
    expect(await readdir(dir)).toEqual([`${name}.yaml`]);
  });

  it('exits 2 on an unknown flag and on a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tailscope-bad-'));
    const flag = fakeIo(dir);
    expect(await runCli(['run', 'x.yaml', '--colour', 'red'], flag.io)).toBe(EXIT.badInput);
    expect(flag.stderr()).toMatch(/Unknown argument: colour/);
    const missing = fakeIo(dir);
    expect(await runCli(['run', 'nope.yaml'], missing.io)).toBe(EXIT.badInput);
    expect(missing.stderr()).toMatch(/nope\.yaml/);
  });

  it('prints help with the defaults it will use', async () => {
    const { io, stdout } = fakeIo(tmpdir());
    expect(await runCli(['run', '--help'], io)).toBe(EXIT.ok);
    expect(stdout()).toMatch(/--out/);
  });
});
