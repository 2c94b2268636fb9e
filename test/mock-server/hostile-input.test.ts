import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer, type RunningMockServer } from '../../mock-server/index.js';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { fakeIo } from '../helpers/fake-io.js';

const BOMB = resolve(import.meta.dirname, '../fixtures/bad-profiles/alias-bomb.yaml');

describe('the mock under hostile input', () => {
  let mock: RunningMockServer;
  beforeAll(async () => {
    mock = await startMockServer({ profile: 'fast', seed: 1 });
  });
  afterAll(() => mock.close());

  it('answers an alias-bomb profile on POST /__admin/profile with 400 and keeps serving', async () => {
    const response = await fetch(`${mock.url}/__admin/profile`, { method: 'POST', body: await readFile(BOMB, 'utf8') });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_profile', message: expect.stringMatching(/invalid YAML: .*alias/i) });
    expect((await fetch(`${mock.url}/__admin/stats`)).status).toBe(200);
  });

  it.each(['file:///etc/passwd', 'http://example.com/hook', 'https://127.0.0.1/hook', 'gopher://127.0.0.1/', 'not a url'])(
    'refuses callback_url %s with 400 instead of accepting the job',
    async (callbackUrl) => {
      const token = (await (
        await fetch(`${mock.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
        })
      ).json()) as { access_token: string };
      const response = await fetch(`${mock.url}/v1/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token}` },
        body: JSON.stringify({ prompt: 'p', max_tokens: 4, temperature: 0, async: true, callback_url: callbackUrl }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ field: 'callback_url' });
    },
  );

  it('tailscope mock --profile with an alias bomb exits 2 with a message, no stack trace', async () => {
    const { io, stderr } = fakeIo(tmpdir());
    expect(await runCli(['mock', '--profile', BOMB, '--port', '0'], io)).toBe(EXIT.badInput);
    expect(stderr()).toMatch(/alias-bomb\.yaml: invalid YAML/);
    expect(stderr()).not.toMatch(/\n\s+at /);
  });
});
