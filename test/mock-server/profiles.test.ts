import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinProfileNames, loadProfile, ProfileError, profileJsonSchema, startMockServer } from '../../mock-server/index.js';
import { loadProfile as loadResolved } from '../../mock-server/profile.js';

describe('builtin profiles', () => {
  it('include llm-default, fast, saturating, flaky and fixed-20ms, and every one loads', async () => {
    const names = await builtinProfileNames();
    expect(names).toEqual(expect.arrayContaining(['llm-default', 'fast', 'saturating', 'flaky', 'fixed-20ms']));
    for (const name of names) {
      const { resolved } = await loadResolved(name);
      expect(resolved.name).toBe(name);
    }
  });

  it('resolve to the documented key numbers', async () => {
    const fixed = (await loadResolved('fixed-20ms')).resolved;
    expect(fixed.generate.latency).toEqual({ type: 'fixed', ms: 20 });
    expect(fixed.capacity.slots).toBe(Infinity);
    const saturating = (await loadResolved('saturating')).resolved;
    expect(saturating.capacity).toMatchObject({ slots: 4, maxQueue: 64 });
    expect(saturating.generate.latency).toEqual({ type: 'lognormal', medianMs: 40, p99Ms: 120 });
    const flaky = (await loadResolved('flaky')).resolved;
    expect(flaky.faults.stall).toEqual({ everyMs: 10_000, forMs: 500 });
    expect(flaky.faults.status).toEqual([
      { status: 500, probability: 0.02 },
      { status: 503, probability: 0.01 },
    ]);
  });

  it('returns the written form from loadProfile, which startMockServer accepts', async () => {
    const written = await loadProfile('saturating');
    expect(written.capacity).toEqual({ slots: 4, maxQueue: 64 });
    const server = await startMockServer({ profile: written });
    await server.close();
  });
});

describe('profile errors', () => {
  async function writeProfile(text: string, ext = 'yaml'): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'tailscope-profile-'));
    const file = path.join(dir, `bad.${ext}`);
    await writeFile(file, text);
    return file;
  }

  async function errorOf(promise: Promise<unknown>): Promise<ProfileError> {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(ProfileError);
      return error as ProfileError;
    }
    throw new Error('expected a ProfileError');
  }

  it('names the file, field and line of a bad duration', async () => {
    const file = await writeProfile('name: bad\ngenerate:\n  latency:\n    type: lognormal\n    median: 10ms\n    p99: soon\n');
    const error = await errorOf(loadProfile(file));
    expect(error.code).toBe('E_MOCK_PROFILE');
    expect(error.file).toBe(file);
    expect(error.field).toBe('generate.latency.p99');
    expect(error.line).toBe(6);
    expect(error.message).toContain(`${file}:6: generate.latency.p99`);
    expect(error.message).toContain('expected a duration');
  });

  it.each([
    ['capacity:\n  slots: 0\n', 'capacity.slots'],
    ['capacity:\n  sluts: 4\n', 'capacity'],
    ['generate:\n  latency: { type: gamma, k: 2 }\n', 'generate.latency.type'],
    ['generate:\n  latency: { type: uniform, min: 30, max: 10 }\n', 'generate.latency.max'],
    ['faults:\n  status: { "500": 0.7 }\n  reset: 0.6\n', 'faults'],
    ['faults:\n  stall: { every: 1s, for: 2s }\n', 'faults.stall.for'],
    ['rateLimit: { ratePerSec: -1, burst: 2 }\n', 'rateLimit.ratePerSec'],
  ])('rejects %j at field %s', async (text, field) => {
    const error = await errorOf(loadProfile(await writeProfile(text)));
    expect(error.field).toBe(field);
  });

  it('reports YAML syntax errors with their line', async () => {
    const error = await errorOf(loadProfile(await writeProfile('name: x\ncapacity: [\n')));
    expect(error.message).toMatch(/invalid YAML/);
    expect(error.line).toBeGreaterThanOrEqual(2);
  });

  it('reads JSON profiles too', async () => {
    const file = await writeProfile(JSON.stringify({ name: 'j', capacity: { slots: 2 } }), 'json');
    expect((await loadProfile(file)).capacity).toEqual({ slots: 2 });
  });

  it('publishes a JSON Schema of the written form for editors', () => {
    const schema = profileJsonSchema() as { type: string; properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['auth', 'limits', 'capacity', 'generate', 'rateLimit', 'faults', 'jobs']),
    );
    expect(schema.properties['capacity']!.properties).toHaveProperty('slots');
  });

  it('says which profiles exist when the name is unknown', async () => {
    const error = await errorOf(loadProfile('no-such-profile'));
    expect(error.message).toContain('llm-default');
  });
});
