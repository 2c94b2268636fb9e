import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { fakeIo } from '../helpers/fake-io.js';

async function scenario(target = 'url: "http://127.0.0.1:9"') {
  const dir = await mkdtemp(join(tmpdir(), 'tailscope-fleet-flags-'));
  const file = join(dir, 's.yaml');
  await writeFile(
    file,
    `name: s\ntarget: { ${target} }\nrequests: [{ name: h, path: /healthz }]\nload: { closed: [{ hold: 1s, concurrency: 1 }] }\n`,
  );
  return { dir, file };
}

describe('the flags of a live multi-machine run', () => {
  it.each([
    { args: (f: string) => ['run', f, '--nats', 'nats://127.0.0.1:1'], message: /--nats needs --shard INDEX\/COUNT/ },
    {
      args: (f: string) => ['run', f, '--nats', 'nats://127.0.0.1:1', '--shard', '0/2', '--start-at', '2026-01-01T00:00:00Z'],
      message: /--start-at and --nats do not go together/,
    },
    {
      args: (f: string) => ['run', f, '--nats', 'nats://127.0.0.1:1', '--shard', '0/2', '--run-id', 'a.b'],
      message: /--run-id: a run id is/,
    },
    { args: (f: string) => ['coordinate', f, '--generators', '2'], message: /Missing required argument: nats/ },
    {
      args: (f: string) => ['coordinate', f, '--nats', 'nats://127.0.0.1:1', '--generators', '0'],
      message: /--generators takes a whole number/,
    },
    {
      args: (f: string) => ['coordinate', f, '--nats', 'nats://127.0.0.1:1', '--generators', '2', '--nats-cert', 'c.pem'],
      message: /--nats-cert and --nats-key go together/,
    },
  ])('refuses $message before touching the broker (exit 2)', async ({ args, message }) => {
    const { dir, file } = await scenario();
    const { io, stderr } = fakeIo(dir);
    expect(await runCli(args(file), io)).toBe(EXIT.badInput);
    expect(stderr()).toMatch(message);
  });

  it('refuses a live run against the bundled mock: each generator would start its own', async () => {
    const { dir, file } = await scenario('mock: { profile: fast }');
    const { io, stderr } = fakeIo(dir);
    expect(await runCli(['coordinate', file, '--nats', 'nats://127.0.0.1:1', '--generators', '2'], io)).toBe(EXIT.badInput);
    expect(stderr()).toMatch(/needs target\.url/);
  });

  it('says clearly when the broker cannot be reached (exit 2)', async () => {
    const { dir, file } = await scenario();
    const { io, stderr } = fakeIo(dir);
    expect(await runCli(['coordinate', file, '--nats', 'nats://127.0.0.1:1', '--generators', '2'], io)).toBe(EXIT.badInput);
    expect(stderr()).toMatch(/cannot connect to the NATS broker at nats:\/\/127\.0\.0\.1:1/);
  });
});
