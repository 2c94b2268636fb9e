import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { parseScenario } from '../../src/scenario/read.js';
import { fakeIo } from '../helpers/fake-io.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tailscope-init-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tailscope init', () => {
  it('writes a commented starter scenario that the scenario reader accepts, and will not overwrite it', async () => {
    const fake = fakeIo(dir);
    expect(await runCli(['init'], fake.io)).toBe(EXIT.ok);
    const text = await readFile(join(dir, 'scenario.yaml'), 'utf8');
    expect(text.split('\n').filter((line) => line.trimStart().startsWith('#')).length).toBeGreaterThan(10);
    expect(parseScenario(text, 'scenario.yaml', {}).requests[0]!.path).toBe('/v1/generate');
    const again = fakeIo(dir);
    expect(await runCli(['init'], again.io)).toBe(EXIT.badInput);
    expect(again.stderr()).toContain('scenario.yaml exists: pass --force');
    expect(await runCli(['init', '--force'], fakeIo(dir).io)).toBe(EXIT.ok);
  });

  it('refuses an invalid OpenAPI document with its problems, and a HAR that is not JSON (exit 2, nothing written)', async () => {
    await writeFile(join(dir, 'bad-openapi.yaml'), 'openapi: 3.0.3\ninfo: { title: x }\npaths: { /a: { get: { responses: 7 } } }\n');
    const fake = fakeIo(dir);
    expect(await runCli(['init', 'a.yaml', '--from-openapi', 'bad-openapi.yaml'], fake.io)).toBe(EXIT.badInput);
    expect(fake.stderr()).toMatch(/not a valid OpenAPI document/);
    await writeFile(join(dir, 'bad.har'), '<html>');
    const har = fakeIo(dir);
    expect(await runCli(['init', 'b.yaml', '--from-har', 'bad.har'], har.io)).toBe(EXIT.badInput);
    expect(har.stderr()).toMatch(/not a HAR file/);
    await expect(readFile(join(dir, 'a.yaml'), 'utf8')).rejects.toThrow();
  });
});
