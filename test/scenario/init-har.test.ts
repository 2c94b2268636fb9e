import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkDraft, draftFromHar, HarError, renderDraft } from '../../src/scenario/init/index.js';

const fixture = fileURLToPath(new URL('../fixtures/mock-recording.har', import.meta.url));

describe('init --from-har (draft)', async () => {
  const harText = await readFile(fixture, 'utf8');
  const har = JSON.parse(harText) as { log: { entries: { request: { headers: { name: string; value: string }[] } }[] } };
  const text = renderDraft(draftFromHar(har, 'mock-recording.har'));
  type Step = { name: string; headers?: Record<string, string>; think?: string };
  const written = parse(text) as { target: { url: string }; auth: unknown; flows: { name: string; steps: Step[] }[] };
  const steps = written.flows[0]!.steps;

  it('copies no secret: not the cookie, the bearer token or the client secret the recording holds', () => {
    const token = har.log.entries
      .flatMap((e) => e.request.headers)
      .find((h) => h.name === 'authorization')!
      .value.replace(/^Bearer /, '');
    for (const secret of [token, 'demo-secret', '4f1c2e9a7b', 'client_id=demo']) expect(text).not.toContain(secret);
    expect(steps.every((r) => r.headers?.cookie === '${COOKIE}')).toBe(true);
  });

  it('turns the recorded client-credentials request into auth.oauth2, and drops the bearer headers it covers', () => {
    expect(written.auth).toEqual({ oauth2: { tokenUrl: '/oauth/token', clientId: '${CLIENT_ID}', clientSecret: '${CLIENT_SECRET}' } });
    expect(steps.some((r) => r.headers?.authorization !== undefined)).toBe(false);
  });

  it('keeps the main origin, as one flow in recorded order, with think times from the gaps and the third-party request left out', () => {
    expect(written.target.url).toBe('http://127.0.0.1:8080');
    expect(written.flows.map((f) => f.name)).toEqual(['recording']);
    expect(steps.map((r) => r.name)).toEqual(['get-healthz', 'post-v1-generate', 'post-v1-generate-2']);
    // The pause before a request is the think time after the step before it; the last step has none.
    expect(steps.map((r) => r.think)).toEqual([expect.stringMatching(/^1\d{3}ms$/), expect.stringMatching(/^2\d{3}ms$/), undefined]);
    expect(text).toMatch(/# POST \/v1\/generate — think 2\.\d s before it/);
    expect(text).toContain('Left out: GET https://fonts.example.net/inter.woff2 (another origin)');
    expect(() => checkDraft(text, 'recording.yaml')).not.toThrow();
  });

  it('turns a recorded Authorization header into a variable, keeping its scheme word, when no token request was recorded', () => {
    const entry = {
      startedDateTime: '2026-01-01T00:00:00Z',
      time: 5,
      request: {
        method: 'GET',
        url: 'https://api.example.com/me?x=1',
        headers: [
          { name: 'Authorization', value: 'Bearer abc.def' },
          { name: 'X-Session-Id', value: 's1' },
        ],
      },
    };
    const draft = draftFromHar({ log: { entries: [entry] } }, 'r.har');
    expect(draft.requests[0]).toMatchObject({
      path: '/me',
      query: { x: '1' },
      headers: { authorization: 'Bearer ${AUTH_TOKEN}', 'x-session-id': '${X_SESSION_ID}' },
    });
    expect(JSON.stringify(draft)).not.toContain('abc.def');
  });

  it('refuses a file that is not a HAR', () => {
    expect(() => draftFromHar({ nope: true }, 'x.har')).toThrow(HarError);
    expect(() => draftFromHar({ log: { entries: [] } }, 'x.har')).toThrow(/no HTTP request/);
  });
});
