import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { fakeIo } from '../helpers/fake-io.js';

const scenario = `name: with-policy
target:
  mock: { profile: fixed-20ms }
requests:
  - { name: generate, method: POST, path: /v1/generate }
client:
  policy: policy.yaml
load:
  closed:
    - { hold: 1s, concurrency: 2 }
`;

const broken: [what: string, policy: string | undefined, message: RegExp][] = [
  ['a missing policy file', undefined, /scenario\.yaml:7:\d+: client\.policy: cannot read .*policy\.yaml \(ENOENT\)/],
  ['an unknown policy field', 'retries: { max: 1 }\nbreaker: { windw: 20 }\n', /policy\.yaml:2:12: breaker\.windw: unknown field "windw"/],
  [
    'a failure rate above 100%',
    'breaker: { failureRate: 150% }\n',
    /policy\.yaml:1:12: breaker\.failureRate: expected a share like "1%" or 0\.01, got "150%"/,
  ],
  [
    'a quantile in a live policy',
    'timeouts:\n  firstByte: p99\n',
    /policy\.yaml:2:\d+: timeouts\.firstByte: p99 is read from a recorded run: a live policy needs a duration/,
  ],
];

describe('tailscope run with a broken client policy', () => {
  it.each(broken)('exits 2 on %s, naming the file, line and field, and sends nothing', async (_what, policy, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'tailscope-bad-policy-'));
    await writeFile(join(dir, 'scenario.yaml'), scenario);
    if (policy !== undefined) await writeFile(join(dir, 'policy.yaml'), policy);
    const { io, stderr, stdout } = fakeIo(dir);

    const code = await runCli(['run', join(dir, 'scenario.yaml'), '--out', join(dir, 'out')], io);

    expect(code).toBe(EXIT.badInput);
    expect(stderr()).toMatch(message);
    expect(stdout()).toBe('');
    expect((await readdir(dir)).sort()).toEqual(policy === undefined ? ['scenario.yaml'] : ['policy.yaml', 'scenario.yaml']);
  });
});
