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
